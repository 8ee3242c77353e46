"""The README's main job: logistic regression on real MNIST with GradientTape and SGD.

Runs the example's own training function on the data in $FLUXION_DATA_DIR (the CI layout,
../shared/data next to the repository, when the variable is unset). Missing data is a failure,
never a skip: this test is the proof that the core trains a real model.
"""
import numpy as np

from .conftest import load_example


def test_logistic_regression_reaches_91_percent_on_mnist(mnist_data_dir, capsys):
    example = load_example("mnist_logistic_regression")
    (x_train, y_train), (x_test, y_test) = data = example.load_mnist()
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() <= 1.0

    accuracy, losses = example.train(data)

    assert accuracy >= 0.91, f"test accuracy {accuracy:.4f} is below 0.91"
    assert len(losses) == 5 and all(np.isfinite(losses))
    assert losses[-1] < losses[0] < np.log(10)  # it learns from the first epoch on
    printed = capsys.readouterr().out
    assert "epoch 5/5: loss" in printed and f"test accuracy: {accuracy:.4f}" in printed
