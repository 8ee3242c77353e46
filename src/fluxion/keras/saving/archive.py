"""The `.keras` file: a zip archive holding `metadata.json`, `config.json` and
`model.weights.h5` (Keras 3's exact layout), read entirely in memory.

Writing goes to a temporary file renamed over the target, so a crash never leaves a partial
archive. Reading checks the archive before anything is built: member names (no absolute paths,
no `..`: zip-slip), sizes (no zip bombs), CRCs (truncation or corruption), and the JSON.
"""
import datetime
import io
import json
import posixpath
import zipfile

from ..callbacks.files import save_atomically
from ..engine.model import _json_default

CONFIG, METADATA = "config.json", "metadata.json"
WEIGHTS_H5, WEIGHTS_NPZ = "model.weights.h5", "model.weights.npz"
KERAS_VERSION = "3.5.0"  # the Keras 3 file format version Fluxion writes
_MAX_MEMBER_BYTES = 8 << 30   # 8 GiB uncompressed per member
_MAX_RATIO = 1000             # uncompressed / compressed, beyond which a member is a zip bomb
_MAX_JSON_BYTES = 256 << 20


def write_archive(path, config, weights_name, weights_bytes):
    """Writes a `.keras` archive atomically.

    Args:
        path: the target file.
        config: the model's config dict (written as `config.json`).
        weights_name: `model.weights.h5` or `model.weights.npz`.
        weights_bytes: the weights file's content.
    """
    metadata = {"keras_version": KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
                "producer": "fluxion"}

    def write(tmp):
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA, json.dumps(metadata))
            archive.writestr(CONFIG, json.dumps(config, default=_json_default))
            archive.writestr(weights_name, weights_bytes)
    save_atomically(path, write)


def _check_member(info, path):
    name = info.filename
    normalized = posixpath.normpath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or normalized.startswith("..") or ":" in name.split("/")[0]:
        raise ValueError(f"load_model: '{path}' is not a safe .keras archive: its member "
                         f"'{name}' points outside the archive (zip-slip). Refusing to load it.")
    if info.file_size > _MAX_MEMBER_BYTES or (
            info.compress_size and info.file_size > _MAX_RATIO * info.compress_size
            and info.file_size > (1 << 20)):
        raise ValueError(f"load_model: '{path}' is not a safe .keras archive: member '{name}' "
                         f"declares {info.file_size} bytes from {info.compress_size} compressed "
                         "bytes (a zip bomb?). Refusing to load it.")


def read_archive(path):
    """Reads and checks a `.keras` archive.

    Returns:
        `(config dict, metadata dict, weights file name, weights bytes)`.

    Raises:
        ValueError: for a file that is not a zip archive, is truncated or corrupted, has unsafe
            member names or sizes, lacks `config.json` or the weights, or holds invalid JSON.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"load_model: no file at '{path}'.") from None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ValueError(f"load_model: '{path}' is not a valid .keras archive (a zip file); it "
                         f"may be truncated or corrupted ({error}).") from None
    with archive:
        infos = archive.infolist()
        for info in infos:
            _check_member(info, path)
        names = {info.filename for info in infos}
        for required in (CONFIG,):
            if required not in names:
                raise ValueError(f"load_model: '{path}' is not a valid .keras archive: it has "
                                 f"no {required} (members: {sorted(names)}).")
        weights_name = WEIGHTS_H5 if WEIGHTS_H5 in names else (
            WEIGHTS_NPZ if WEIGHTS_NPZ in names else None)
        if weights_name is None:
            raise ValueError(f"load_model: '{path}' has no weights: expected {WEIGHTS_H5} or "
                             f"{WEIGHTS_NPZ} in the archive (members: {sorted(names)}).")
        try:
            contents = {}
            for name in (CONFIG, METADATA, weights_name):
                if name not in names:
                    continue
                if name.endswith(".json") and archive.getinfo(name).file_size > _MAX_JSON_BYTES:
                    raise ValueError(f"load_model: '{path}': {name} is implausibly large.")
                contents[name] = archive.read(name)  # checks the CRC
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            if "implausibly" in str(error):
                raise
            raise ValueError(f"load_model: '{path}' is a damaged .keras archive (truncated or "
                             f"corrupted): {error}") from None
    try:
        config = json.loads(contents[CONFIG])
        metadata = json.loads(contents[METADATA]) if METADATA in contents else {}
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"load_model: '{path}' holds invalid JSON ({error}).") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"load_model: '{path}': config.json does not describe a model "
                         "(expected a dict with 'class_name' and 'config').")
    return config, metadata, weights_name, contents[weights_name]
