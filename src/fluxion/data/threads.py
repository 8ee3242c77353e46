"""Background threads for `prefetch` and parallel `map`.

Both are generators that own their threads: when the consumer finishes, raises, or abandons the
iterator (it is closed or garbage-collected), the `finally` block sets a stop event and joins
the threads, so no thread outlives its iterator. Threads are daemons and poll the stop event, so
a blocked producer never hangs the interpreter.
"""
import collections
import queue
import threading

_POLL = 0.05
_END = object()


def _put(q, item, stop):
    """Puts into a bounded queue unless asked to stop; returns False when stopped."""
    while not stop.is_set():
        try:
            q.put(item, timeout=_POLL)
            return True
        except queue.Full:
            continue
    return False


def close(it):
    """Closes a generator (runs its `finally` blocks); other iterators are left alone."""
    closer = getattr(it, "close", None)
    if closer is not None:
        closer()


def prefetch(make_iterator, buffer_size):
    """Yields the items of `make_iterator()`, produced up to `buffer_size` ahead on a thread."""
    q = queue.Queue(maxsize=max(1, buffer_size))
    stop = threading.Event()

    def produce():
        it = None
        try:
            it = make_iterator()
            for item in it:
                if not _put(q, (True, item), stop):
                    return
            _put(q, (True, _END), stop)
        except BaseException as e:  # handed to the consumer, raised there
            _put(q, (False, e), stop)
        finally:
            if it is not None:
                close(it)

    thread = threading.Thread(target=produce, name="fluxion-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = q.get()
            if not ok:
                raise item
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


class _Task:
    __slots__ = ("args", "result", "error", "done")

    def __init__(self, args):
        self.args = args
        self.result = self.error = None
        self.done = threading.Event()


def parallel_map(func, iterator, num_workers):
    """Yields `func(item)` for each item of `iterator`, in order, computed by `num_workers`
    threads. At most `2 * num_workers` items are in flight."""
    tasks = queue.Queue()
    stop = threading.Event()

    def work():
        while not stop.is_set():
            try:
                task = tasks.get(timeout=_POLL)
            except queue.Empty:
                continue
            try:
                task.result = func(task.args)
            except BaseException as e:
                task.error = e
            task.done.set()

    workers = [threading.Thread(target=work, name="fluxion-map", daemon=True)
               for _ in range(num_workers)]
    for w in workers:
        w.start()
    pending = collections.deque()
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * num_workers:
                try:
                    item = next(iterator)
                except StopIteration:
                    exhausted = True
                    break
                task = _Task(item)
                pending.append(task)
                tasks.put(task)
            if not pending:
                return
            task = pending.popleft()
            task.done.wait()
            if task.error is not None:
                raise task.error
            yield task.result
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=5)
        close(iterator)
