"""DBN: a deep belief network built by greedy layer-wise pre-training of stacked RBMs.

The first RBM learns from the data; each next RBM learns from the hidden probabilities of the
one below. `to_keras_model` then turns the stack into a Keras classifier — one Dense layer per
RBM, initialised with its kernel and hidden bias, plus a softmax output layer — for supervised
fine-tuning with `compile`/`fit` (the two phases the second seed describes).

Example:
>>> x = (np.random.default_rng(0).random((32, 8)) < 0.5).astype("float32")
>>> dbn = keras.layers.DBN([8, 6, 4], seed=0)
>>> _ = dbn.fit(x, epochs=1, batch_size=8, verbose=0)
>>> [layer.units for layer in dbn.to_keras_model(3).layers]
[6, 4, 3]
"""
import numpy as np

from ..engine.functional import Input
from ..engine.sequential import Sequential
from .core import Dense
from .rbm import RBM


class DBN:
    """A stack of RBMs pre-trained greedily, convertible into a Keras classifier.

    Args:
        layer_sizes: the unit counts from the visible layer up, e.g. `[784, 256, 128]` (at
            least two: the input size and one hidden layer).
        seed: an int for reproducible Bernoulli sampling (RBM `i` uses `seed + i`).
        **rbm_kwargs: passed to every `RBM` (`persistent`, `sample_visible`, initializers).

    Attributes:
        rbms: the RBMs, bottom first; `rbms[i]` has `layer_sizes[i]` visible and
            `layer_sizes[i + 1]` hidden units.

    Example:
    >>> dbn = keras.layers.DBN([784, 256, 128])
    >>> [(r.n_visible, r.n_hidden) for r in dbn.rbms]
    [(784, 256), (256, 128)]
    """

    def __init__(self, layer_sizes, seed=None, **rbm_kwargs):
        sizes = list(layer_sizes)
        if len(sizes) < 2 or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0
                                     for s in sizes):
            raise ValueError("DBN: layer_sizes must list at least two positive ints (the "
                             "visible size, then each hidden size), e.g. [784, 256, 128]. "
                             f"Received: layer_sizes={layer_sizes}")
        self.layer_sizes = sizes
        self.rbms = []
        for i, (n_visible, n_hidden) in enumerate(zip(sizes[:-1], sizes[1:])):
            rbm = RBM(n_hidden, seed=None if seed is None else seed + i, **rbm_kwargs)
            rbm.build((None, n_visible))
            self.rbms.append(rbm)

    def fit(self, x, epochs=1, batch_size=32, learning_rate=0.1, k=1, verbose=1):
        """Pre-trains the RBMs greedily, bottom first, each on the hidden probabilities of the
        one below.

        Args:
            x: unlabelled data `(num_samples, layer_sizes[0])` with values in [0, 1].
            epochs, learning_rate, k: per RBM; an int/float, or a list with one per RBM.
            batch_size, verbose: as in `RBM.fit`.

        Returns:
            A list with each RBM's `History`.

        Example:
        >>> dbn = keras.layers.DBN([4, 3, 2], seed=0)
        >>> len(dbn.fit(np.eye(4, dtype="float32"), verbose=0))
        2
        """
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"DBN fit: expected data of shape (num_samples, "
                             f"{self.layer_sizes[0]}). Received: shape {x.shape}")
        per_rbm = [_per_layer(name, value, len(self.rbms)) for name, value in
                   (("epochs", epochs), ("learning_rate", learning_rate), ("k", k))]
        histories = []
        for i, (rbm, rbm_epochs, lr, steps) in enumerate(zip(self.rbms, *per_rbm)):
            if verbose:
                print(f"DBN: pre-training RBM {i + 1}/{len(self.rbms)} "
                      f"({rbm.n_visible} -> {rbm.n_hidden})")
            histories.append(rbm.fit(x, epochs=rbm_epochs, batch_size=batch_size,
                                     learning_rate=lr, k=steps, verbose=verbose))
            if i + 1 < len(self.rbms):
                x = self._propup(rbm, x, batch_size)
        return histories

    @staticmethod
    def _propup(rbm, x, batch_size):
        step = max(batch_size, 1024)
        return np.concatenate([np.asarray(rbm.propup(x[i:i + step]))
                               for i in range(0, len(x), step)])

    def transform(self, x, batch_size=1024):
        """Returns the top RBM's hidden probabilities for `x` (the learned features).

        Example:
        >>> keras.layers.DBN([4, 3, 2]).transform(np.ones((5, 4), "float32")).shape
        (5, 2)
        """
        x = np.asarray(x, dtype=np.float32)
        for rbm in self.rbms:
            x = self._propup(rbm, x, batch_size)
        return x

    def to_keras_model(self, num_classes, activation="sigmoid", name="dbn"):
        """Returns a Keras `Sequential` classifier initialised from the RBMs.

        One `Dense(n_hidden, activation)` per RBM with `kernel = rbm.kernel` and
        `bias = rbm.hidden_bias` (so with "sigmoid" its output equals `rbm.propup`), then
        `Dense(num_classes, activation="softmax")` (glorot-uniform initialised). Compile and
        fit it to fine-tune the whole network on labels.

        Args:
            num_classes: the output layer's size.
            activation: the hidden layers' activation.
            name: the model's name.

        Example:
        >>> model = keras.layers.DBN([784, 256, 128]).to_keras_model(10)
        >>> model.output_shape
        (None, 10)
        """
        if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
            raise ValueError("DBN to_keras_model: num_classes must be a positive int. "
                             f"Received: num_classes={num_classes}")
        model = Sequential([Input((self.layer_sizes[0],))], name=name)
        for rbm in self.rbms:
            dense = Dense(rbm.n_hidden, activation=activation)
            model.add(dense)
            dense.set_weights([rbm.kernel.numpy(), rbm.hidden_bias.numpy()])
        model.add(Dense(num_classes, activation="softmax"))
        return model


def _per_layer(name, value, count):
    values = list(value) if isinstance(value, (list, tuple)) else [value] * count
    if len(values) != count:
        raise ValueError(f"DBN fit: {name} must be one value or a list of {count} (one per "
                         f"RBM). Received: {name}={value}")
    return values
