"""`Sequence` (Keras 3: `PyDataset`): a Python dataset of batches, indexed by batch number."""

__all__ = ["Sequence", "PyDataset"]


class Sequence:
    """Base class for a dataset of batches that `fit` can index and shuffle.

    Subclasses implement `__getitem__(index)` (returning one full batch, e.g. `(x, y)`) and
    `__len__` (the number of batches); `on_epoch_end` is called after every epoch.

    Args:
        workers: how many threads may load batches in parallel (a hint for `fit`).
        use_multiprocessing: accepted for Keras compatibility (threads are used).
        max_queue_size: how many batches may be prepared ahead (a hint for `fit`).

    Example:
    >>> class Squares(Sequence):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, i):
    ...         return [i * i]
    >>> list(Squares())
    [[0], [1]]
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index).")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__().")

    @property
    def num_batches(self):
        """The number of batches: `len(self)`, or None if `__len__` is not implemented."""
        try:
            return len(self)
        except NotImplementedError:
            return None

    def on_epoch_end(self):
        """Called at the end of every epoch; override it to reshuffle."""

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


PyDataset = Sequence
