"""int32 convolutions, which TensorFlow's CPU kernels compute (Conv2D's dtypes are half,
bfloat16, float, double and int32): exact integer results, eagerly and traced."""
import numpy as np
import pytest

import fluxion as tf

RNG = np.random.default_rng(0)
X = RNG.integers(-3, 4, (2, 7, 6, 3)).astype(np.int32)
W = RNG.integers(-2, 3, (3, 2, 3, 4)).astype(np.int32)


def _exact(fn, *args):
    """`fn` on the float64 versions of int32 `args`, as int32 (exact for these small values)."""
    out = fn(*[a.astype(np.float64) for a in args]).numpy()
    assert np.array_equal(out, np.round(out))
    return out.astype(np.int32)


@pytest.mark.parametrize("kwargs", [dict(strides=1, padding="VALID"),
                                    dict(strides=2, padding="SAME"),
                                    dict(strides=1, padding="SAME", dilations=2)])
def test_conv2d_int32_is_exact(kwargs):
    conv = lambda x, w: tf.nn.conv2d(x, w, **kwargs)  # noqa: E731
    want = _exact(conv, X, W)
    for run in (conv, tf.function(conv)):
        got = run(tf.constant(X), tf.constant(W))
        assert got.dtype == tf.int32
        np.testing.assert_array_equal(got.numpy(), want)


def test_conv1d_and_conv2d_transpose_int32():
    x1, w1 = X[:, 0], W[0]
    got = tf.nn.conv1d(x1, w1, 1, "VALID")
    assert got.dtype == tf.int32
    np.testing.assert_array_equal(got.numpy(), _exact(lambda a, b: tf.nn.conv1d(a, b, 1, "VALID"),
                                                      x1, w1))
    y = X[:, :5, :5, :]  # (2, 5, 5, 3) -> filters (3, 2, out=4, in=3)
    wt = RNG.integers(-2, 3, (3, 2, 4, 3)).astype(np.int32)
    t = lambda a, b: tf.nn.conv2d_transpose(a, b, (2, 7, 6, 4), 1, "VALID")  # noqa: E731
    got = t(y, wt)
    assert got.dtype == tf.int32
    np.testing.assert_array_equal(got.numpy(), _exact(t, y, wt))


def test_conv2d_other_integer_dtypes_are_refused():
    with pytest.raises(TypeError, match="conv2d: argument 'input' has dtype int64"):
        tf.nn.conv2d(X.astype(np.int64), W.astype(np.int64), 1, "VALID")
