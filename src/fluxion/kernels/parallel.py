"""Runs large NumPy jobs on every core, piece by piece.

NumPy releases the GIL inside ufunc loops and bit generators, so a big element-wise job split
into one contiguous piece per core runs on all of them at once. Every piece computes exactly what
the whole would have computed for its elements, so results never depend on the thread count.

The thread count is `fluxion.config.threading.get_intra_op_parallelism_threads()` (0 means one
thread per core this process may use, as in TensorFlow), initially `$TF_NUM_INTRAOP_THREADS`.
"""
import functools
import os

MIN_PIECE = 1 << 16   # elements; below this a thread hand-off costs more than it saves

_threads = int(os.environ.get("TF_NUM_INTRAOP_THREADS") or 0)  # 0: one per usable core
_pool = None
_pool_pid = None


def set_num_threads(count):
    """Sets how many threads a job may use (0: one per usable core).

    Example:
    >>> set_num_threads(1)   # everything on the calling thread
    """
    global _threads
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"set_intra_op_parallelism_threads: expected a non-negative int, "
                         f"received {count!r}.")
    _threads = count


def configured_threads():
    """The configured thread count, 0 meaning one per core (`set_num_threads`).

    Example:
    >>> configured_threads()
    0
    """
    return _threads


def num_threads():
    """How many threads a job uses: the configured count, or one per usable core.

    Example:
    >>> num_threads() >= 1
    True
    """
    return _threads or _usable_cores()


@functools.cache
def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _executor(workers):
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid() or _pool._max_workers < workers:
        from concurrent.futures import ThreadPoolExecutor  # imports logging: only when needed
        _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fluxion")
        _pool_pid = os.getpid()  # a forked child has none of its parent's threads
    return _pool


def run(tasks):
    """Runs the zero-argument callables `tasks` at once: the first on the calling thread, the
    others on the pool; returns when all are done, re-raising the first error.

    Example:
    >>> out = []
    >>> run([lambda: out.append(1), lambda: out.append(2)])
    >>> sorted(out)
    [1, 2]
    """
    if len(tasks) <= 1:
        for task in tasks:
            task()
        return
    pool = _executor(len(tasks) - 1)
    futures = [pool.submit(task) for task in tasks[1:]]
    try:
        tasks[0]()
    finally:
        for future in futures:
            future.result()


def for_pieces(fn, size, align=1, min_piece=MIN_PIECE):
    """Calls `fn(start, stop)` over `[0, size)` cut into contiguous pieces, one per thread.

    Each piece but the last starts and ends on a multiple of `align`; jobs smaller than two
    pieces of `min_piece` elements run on the calling thread alone.

    Example:
    >>> import numpy as np
    >>> a = np.arange(10.0); out = np.empty_like(a)
    >>> for_pieces(lambda i, j: np.multiply(a[i:j], 2, out=out[i:j]), a.size, min_piece=2)
    >>> out[-1]
    18.0
    """
    count = min(num_threads(), size // max(min_piece, 1))
    if count <= 1:
        fn(0, size)
        return
    step = -(-size // count)
    step += -step % align
    run([lambda start=start: fn(start, min(start + step, size))
         for start in range(0, size, step)])


def balanced(weights, min_piece=MIN_PIECE):
    """Cuts `range(len(weights))` into one contiguous run per thread with about equal total
    weight, each at least `min_piece` where possible; returns `(start, stop)` pairs.

    Example:
    >>> set_num_threads(2); balanced([10**6, 1, 1, 10**6]); set_num_threads(0)
    [(0, 2), (2, 4)]
    """
    total = sum(weights)
    count = max(1, min(num_threads(), total // max(min_piece, 1)))
    runs, start, done = [], 0, 0
    for i, weight in enumerate(weights):
        done += weight
        if done * count >= total * (len(runs) + 1) and len(runs) < count - 1:
            runs.append((start, i + 1))
            start = i + 1
    if start < len(weights) or not runs:
        runs.append((start, len(weights)))
    return runs
