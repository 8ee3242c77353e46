"""`get_file`: download into a cache, verify the hash, write atomically, extract archives safely."""
import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

__all__ = ["get_file", "hash_file", "validate_file", "DownloadError"]

_CHUNK = 1 << 16


class DownloadError(OSError):
    """Raised by `get_file` when the file cannot be fetched (offline, HTTP error, cut short)."""


def fluxion_home():
    """Returns the cache root: `$FLUXION_HOME`, else `~/.fluxion`."""
    return os.path.expanduser(os.environ.get("FLUXION_HOME") or os.path.join("~", ".fluxion"))


def _hasher(algorithm, file_hash=None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(file_hash) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()
    raise ValueError(f"get_file: hash_algorithm must be 'auto', 'sha256' or 'md5'. "
                     f"Received: hash_algorithm={algorithm!r}.")


def hash_file(fpath, algorithm="sha256", chunk_size=65535):
    """Returns the hex digest of a file (`"sha256"`, `"md5"`, or `"auto"` = sha256).

    Example:
    >>> hash_file("/dev/null")
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    hasher = _hasher("sha256" if algorithm == "auto" else algorithm)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Returns True if the file's sha256 (64 hex digits) or md5 digest equals `file_hash`.

    Example:
    >>> validate_file("/dev/null", "d41d8cd98f00b204e9800998ecf8427e")
    True
    """
    algorithm = "sha256" if _hasher(algorithm, file_hash).name == "sha256" else "md5"
    return hash_file(fpath, algorithm, chunk_size) == str(file_hash).lower()


def _download(origin, target, file_hash, algorithm):
    """Streams `origin` into a temporary file next to `target`, checks it, then renames it."""
    folder = os.path.dirname(target)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(target) + ".",
                               suffix=".part")
    hasher = _hasher(algorithm, file_hash)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(origin, timeout=60)
            except urllib.error.HTTPError as e:
                raise DownloadError(f"get_file: URL fetch failure on {origin}: HTTP {e.code} "
                                    f"{e.reason}.") from None
            except (urllib.error.URLError, OSError) as e:
                reason = getattr(e, "reason", e)
                raise DownloadError(f"get_file: URL fetch failure on {origin}: {reason}.") \
                    from None
            with response:
                expected = response.headers.get("Content-Length")
                received = 0
                try:
                    for chunk in iter(lambda: response.read(_CHUNK), b""):
                        out.write(chunk)
                        hasher.update(chunk)
                        received += len(chunk)
                except (OSError, ValueError, http.client.HTTPException) as e:  # cut short
                    raise DownloadError(f"get_file: the download of {origin} was interrupted "
                                        f"after {received} bytes ({e}).") from None
            if expected is not None and received != int(expected):
                raise DownloadError(f"get_file: the download of {origin} was cut short: "
                                    f"expected {expected} bytes, received {received}.")
            out.flush()
            os.fsync(out.fileno())
        if file_hash is not None and hasher.hexdigest() != str(file_hash).lower():
            raise ValueError(f"get_file: incomplete or corrupted file detected for {origin}: "
                             f"the {hasher.name} hash is {hasher.hexdigest()}, expected "
                             f"{file_hash}. The file was not saved.")
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _inside(base, name):
    path = os.path.realpath(os.path.join(base, name))
    return os.path.commonpath([path, base]) == base


def _check_members(archive, base):
    """Raises if any archive member would land outside `base` (zip-slip / tar traversal)."""
    base = os.path.realpath(base)
    if isinstance(archive, zipfile.ZipFile):
        names = [(info.filename, None) for info in archive.infolist()]
    else:
        names = []
        for info in archive.getmembers():
            if not (info.isfile() or info.isdir() or info.issym() or info.islnk()):
                raise ValueError(f"get_file: refusing to extract the special file {info.name!r}.")
            link = None
            if info.issym():
                link = os.path.join(os.path.dirname(info.name), info.linkname)
            elif info.islnk():
                link = info.linkname
            names.append((info.name, link))
    for name, link in names:
        if os.path.isabs(name) or not _inside(base, name) or \
                (link is not None and (os.path.isabs(link) or not _inside(base, link))):
            raise ValueError(f"get_file: refusing to extract {name!r}: it points outside the "
                             "extraction folder (path traversal). The archive is unsafe.")


def _open_archive(path, archive_format):
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    formats = [formats] if isinstance(formats, str) else list(formats or [])
    for kind in formats:
        if kind == "tar" and tarfile.is_tarfile(path):
            return tarfile.open(path)
        if kind == "zip" and zipfile.is_zipfile(path):
            return zipfile.ZipFile(path)
        if kind not in ("tar", "zip"):
            raise ValueError(f"get_file: archive_format must be 'auto', 'tar', 'zip' or None. "
                             f"Received: {kind!r}.")
    return None


def extract_archive(file_path, path, archive_format="auto"):
    """Extracts a tar or zip archive into the folder `path`, atomically and safely.

    Every member is checked first: absolute paths, `..` and links leading outside `path` are
    rejected with a ValueError and nothing is written. The archive is unpacked into a
    temporary folder that is renamed to `path` at the end.

    Returns:
        True if the file was an archive of an accepted format and was extracted, else False.
    """
    archive = _open_archive(file_path, archive_format)
    if archive is None:
        return False
    parent = os.path.dirname(os.path.abspath(path))
    tmp = tempfile.mkdtemp(dir=parent, prefix="." + os.path.basename(path) + ".")
    try:
        with archive:
            _check_members(archive, tmp)
            if isinstance(archive, tarfile.TarFile):
                archive.extractall(tmp, filter="data")
            else:
                archive.extractall(tmp)
        if os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """Downloads a file from a URL if it is not already in the cache.

    The file lands in `cache_dir/cache_subdir/fname` (by default `~/.fluxion/datasets/`;
    `$FLUXION_HOME` overrides `~/.fluxion`). It is streamed into a temporary file, its hash is
    checked, and only then is it renamed into place: an interrupted or corrupted download never
    leaves a file under the final name. A cached file whose hash does not match is downloaded
    again.

    Args:
        fname: local file name; by default the last part of `origin`'s path.
        origin: the URL of the file.
        untar: deprecated; same as `extract=True, archive_format="tar"`.
        md5_hash: deprecated; an md5 `file_hash`.
        file_hash: the expected sha256 (64 hex digits) or md5 of the file.
        cache_subdir: the folder under `cache_dir` (an absolute path is used as it is).
        hash_algorithm: `"auto"`, `"sha256"` or `"md5"`.
        extract: if True, unpack the tar/zip archive and return the extraction folder.
        archive_format: `"auto"`, `"tar"`, `"zip"` or None.
        cache_dir: the cache root; default `$FLUXION_HOME` or `~/.fluxion`.
        force_download: download even if a valid cached copy exists.

    Returns:
        The path of the downloaded file, or of the extraction folder when extracting.

    Raises:
        DownloadError: the file could not be fetched (offline, HTTP error, cut short).
        ValueError: the downloaded file has the wrong hash, or an archive member would be
            written outside the extraction folder.

    Example:
    >>> path = get_file("mnist.npz", origin="https://storage.googleapis.com/tensorflow/"
    ...                 "tf-keras-datasets/mnist.npz")  # doctest: +SKIP
    """
    if origin is None:
        raise ValueError('get_file: please specify the "origin" argument (URL of the file to '
                         "download).")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(cache_dir) if cache_dir is not None else fluxion_home()
    os.makedirs(base, exist_ok=True)
    if not os.access(base, os.W_OK):
        base = os.path.join(tempfile.gettempdir(), ".fluxion")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    provided = fname is not None
    fname = os.fspath(fname) if provided else \
        os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"get_file: cannot take a file name from origin {origin!r}; pass "
                         "`fname`.")
    if os.sep in fname and not os.path.isabs(fname):
        raise ValueError("get_file: `fname` must be a file name, not a relative path; use "
                         f"`cache_subdir` or `cache_dir` for the folder. Received: fname={fname}")
    extracting = bool(extract or untar)
    if extracting and provided and "." in os.path.basename(fname):
        target = os.path.join(datadir, fname)
        stem = os.path.basename(fname).split(".")[0]
        extraction_dir = os.path.join(os.path.dirname(target), stem + "_extracted")
    elif extracting:
        extraction_dir = os.path.join(datadir, fname)
        target = extraction_dir + "_archive"
    else:
        target = os.path.join(datadir, fname)

    download = force_download or not os.path.exists(target)
    if not download and file_hash is not None and \
            not validate_file(target, file_hash, hash_algorithm):
        print(f"A local file was found, but it seems to be incomplete or outdated because the "
              f"file hash does not match the original value of {file_hash} so we will "
              "re-download the data.")
        download = True
    if download:
        print(f"Downloading data from {origin}")
        _download(origin, target, file_hash, hash_algorithm)

    if extracting:
        if download or not os.path.isdir(extraction_dir):
            if not extract_archive(target, extraction_dir, "tar" if untar else archive_format):
                raise ValueError(f"get_file: {target} is not a {archive_format} archive; "
                                 "cannot extract it.")
        return extraction_dir
    return target
