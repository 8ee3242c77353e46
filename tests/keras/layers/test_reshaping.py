"""Flatten, Reshape, Permute, RepeatVector through `run_layer_test`."""
import numpy as np
import pytest

from fluxion.keras import layers
from tests.keras.layer_testing import run_layer_test

X = np.random.default_rng(1).normal(size=(2, 3, 4)).astype("float32")


def test_flatten():
    run_layer_test(layers.Flatten, {}, X, expected_output=X.reshape(2, 12),
                   expected_output_shape=(2, 12))


def test_flatten_channels_first_moves_channels_last():
    run_layer_test(layers.Flatten, {"data_format": "channels_first"}, X,
                   expected_output=X.transpose(0, 2, 1).reshape(2, 12))


def test_flatten_of_a_vector_adds_an_axis():
    assert layers.Flatten()(np.ones(5, "float32")).shape == (5, 1)


def test_reshape_with_inferred_dimension():
    run_layer_test(layers.Reshape, {"target_shape": (4, -1)}, X,
                   expected_output=X.reshape(2, 4, 3))


def test_reshape_size_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="reshape.*unchanged.*12 values per sample"):
        layers.Reshape((5,), name="reshape")(X)


def test_permute():
    run_layer_test(layers.Permute, {"dims": (2, 1)}, X, expected_output=X.transpose(0, 2, 1))


def test_permute_rejects_bad_dims():
    with pytest.raises(ValueError, match="consecutive and start from 1"):
        layers.Permute((0, 1))


def test_repeat_vector():
    x = X[:, 0, :]
    run_layer_test(layers.RepeatVector, {"n": 3}, x,
                   expected_output=np.repeat(x[:, None, :], 3, axis=1))
