"""Shape arithmetic shared by the shape rules and the kernels. NumPy-free, fluxion-free."""


class BroadcastError(ValueError):
    """Two sizes of one dimension are neither equal nor 1; `axis` (negative) says which."""

    def __init__(self, axis, first, second):
        super().__init__(f"dimension {axis} is {first} in one and {second} in the other")
        self.axis, self.first, self.second = axis, first, second


def broadcast_shape(*shapes):
    """NumPy broadcasting of shapes that may hold None (unknown): None meets a known size n and
    gives n, since an unknown size can only be 1 or n there.

    Example:
    >>> broadcast_shape((2, 1), (None, 3))
    (2, 3)
    """
    ndim = max(len(s) for s in shapes)
    out = []
    for i in range(-ndim, 0):
        dim = 1
        for s in shapes:
            d = s[i] if -i <= len(s) else 1
            if d == 1:
                continue
            if dim == 1 or dim is None:
                dim = d if dim == 1 or d is not None else dim
            elif d is not None and d != dim:
                raise BroadcastError(i, dim, d)
        out.append(dim)
    return tuple(out)


def fold_rows(rows, width, limit):
    """How many consecutive rows of a C-contiguous (rows, width) array to lay side by side.

    NumPy runs one inner loop per row, so short rows (a bias of a few channels over batch x
    height x width rows) cost a loop call each. Viewed as (rows / k, k * width), the loops
    are long. Returns the largest power of two k dividing `rows` with `k * width <= limit`.

    Example:
    >>> fold_rows(73728, 20, 16384)
    512
    """
    fold = 1
    while 0 < fold * 2 * width <= limit and rows % (fold * 2) == 0:
        fold *= 2
    return fold
