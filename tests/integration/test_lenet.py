"""LeNet on real MNIST: two epochs of the example's training reach 98.5% test accuracy.

Runs `examples/lenet_mnist.py`'s own `train` (Conv2D/MaxPooling2D/Dense through `model.fit`, the
compiled train step) on the data in $FLUXION_DATA_DIR (the CI layout, ../shared/data next to the
repository, when the variable is unset). Missing data is a failure, never a skip. One epoch
lands at 98.4-98.7% (too close to the bar); two give about 98.9% in roughly 50 s of CPU.
"""
import numpy as np

from .conftest import load_example


def test_lenet_two_epochs_reach_98_5_percent_on_mnist(mnist_data_dir):
    example = load_example("lenet_mnist")
    (x_train, y_train), (x_test, y_test) = data = example.load_mnist()
    assert x_train.shape == (60000, 28, 28, 1) and y_test.shape == (10000, 10)

    accuracy, seconds, history = example.train(data, epochs=2, verbose=0)

    assert accuracy >= 0.985, f"test accuracy {accuracy:.4f} is below 0.985"
    losses = history.history["loss"]
    assert len(losses) == 2 and np.all(np.isfinite(losses)) and losses[1] < losses[0] < 0.3
    assert history.history["accuracy"][1] > 0.98
