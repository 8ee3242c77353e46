"""RBM: a restricted Boltzmann machine with Bernoulli visible and hidden units.

The energy of a visible vector `v` and a hidden vector `h` is
`E(v, h) = -v . visible_bias - h . hidden_bias - v @ kernel @ h`; the conditionals factorise:
`p(h_j = 1 | v) = sigmoid(v @ kernel + hidden_bias)_j` and
`p(v_i = 1 | h) = sigmoid(h @ kernel^T + visible_bias)_i`. Training is unsupervised, by
contrastive divergence (CD-k, or persistent CD), not by gradients of a loss: each update is
computed with fluxion ops and applied with `Variable.assign_add`, so a whole step compiles with
`fluxion.function`.

As a layer, an RBM maps visible vectors to hidden probabilities (`propup`), so it stacks into
models and `DBN` turns trained RBMs into the Dense layers of a classifier.

Example:
>>> rbm = keras.layers.RBM(4, seed=1)
>>> rbm(fluxion.ones((2, 6))).shape
TensorShape([2, 4])
"""
import types

import numpy as np

from ...core.variable import Variable
from ...graph import function as _function
from ...ops import array_ops as a
from ...ops import math_ops as m
from ...ops import nn_ops, random_ops
from .. import initializers
from ..callbacks.history import History
from ..engine.input_spec import InputSpec
from ..engine.layer import Layer
from ..trainers.progbar import Progbar


class RBM(Layer):
    """A restricted Boltzmann machine (Bernoulli-Bernoulli) trained by contrastive divergence.

    Args:
        units: the number of hidden units (a positive int); the number of visible units is
            the input's last dimension.
        persistent: if True, `contrastive_divergence` runs persistent CD (PCD): the negative
            phase continues a chain of fantasy particles kept between updates instead of
            restarting at the data.
        sample_visible: if True the Gibbs chain samples binary visible states; if False
            (default, as Hinton's practical guide recommends) it uses the probabilities
            `p(v | h)`. Persistent chains always sample.
        seed: an int for reproducible Bernoulli samples (an op seed of `fluxion.random`).
        kernel_initializer: default `RandomNormal(stddev=0.01)`.
        hidden_bias_initializer, visible_bias_initializer: default "zeros".

    Weights: `kernel` `(n_visible, units)` and `hidden_bias` `(units,)` are trainable (they
    are used by `call`, so supervised fine-tuning updates them); `visible_bias`
    `(n_visible,)` is non-trainable (only contrastive divergence updates it).

    Input shape: `(batch_size, n_visible)`. Output shape: `(batch_size, units)`, the hidden
    probabilities `p(h = 1 | v)`.

    Example:
    >>> x = (np.random.default_rng(0).random((64, 6)) < 0.5).astype("float32")
    >>> rbm = keras.layers.RBM(3, seed=0)
    >>> history = rbm.fit(x, epochs=2, batch_size=16, verbose=0)
    >>> len(history.history["reconstruction_error"])
    2
    """

    def __init__(self, units, persistent=False, sample_visible=False, seed=None,
                 kernel_initializer=None, hidden_bias_initializer="zeros",
                 visible_bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError("RBM: expected a positive integer number of hidden units. "
                             f"Received: units={units}")
        self.units = units
        self.persistent = bool(persistent)
        self.sample_visible = bool(sample_visible)
        self.seed = seed
        self.kernel_initializer = initializers.get(
            kernel_initializer or initializers.RandomNormal(stddev=0.01))
        self.hidden_bias_initializer = initializers.get(hidden_bias_initializer)
        self.visible_bias_initializer = initializers.get(visible_bias_initializer)
        self.input_spec = InputSpec(ndim=2)
        self._chain = types.SimpleNamespace(variable=None)  # not tracked as a weight

    @property
    def n_hidden(self):
        """The number of hidden units."""
        return self.units

    @property
    def n_visible(self):
        """The number of visible units (known once the layer is built)."""
        return None if not self.built else int(self.kernel.shape[0])

    def build(self, input_shape):
        n_visible = input_shape[-1]
        if n_visible is None:
            raise ValueError(f"Layer '{self.name}' (RBM): the last dimension of the input "
                             f"must be known. Received: input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight(name="kernel", shape=(n_visible, self.units),
                                      initializer=self.kernel_initializer)
        self.hidden_bias = self.add_weight(name="hidden_bias", shape=(self.units,),
                                           initializer=self.hidden_bias_initializer)
        self.visible_bias = self.add_weight(name="visible_bias", shape=(n_visible,),
                                            initializer=self.visible_bias_initializer,
                                            trainable=False)
        self.input_spec = InputSpec(ndim=2, axes={-1: n_visible})

    def call(self, inputs):
        return self.propup(inputs)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    # --- conditionals and sampling --------------------------------------------------------
    def _visible(self, v, what):
        """`v` as a tensor of the compute dtype, after building and a shape check."""
        v = self._convert_inputs(v)
        if not self.built:
            self._maybe_build(v)
        if len(v.shape) != 2 or v.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"Layer '{self.name}' (RBM) {what}: expected visible vectors of "
                             f"shape (batch_size, {self.kernel.shape[0]}). Received: shape "
                             f"{tuple(v.shape)}")
        return v

    def propup(self, v):
        """Returns the hidden probabilities `p(h = 1 | v) = sigmoid(v @ kernel + hidden_bias)`.

        Example:
        >>> rbm = keras.layers.RBM(2, kernel_initializer="zeros")
        >>> rbm.propup(fluxion.ones((1, 3))).numpy()
        array([[0.5, 0.5]], dtype=float32)
        """
        return m.sigmoid(m.matmul(v, self.kernel) + self.hidden_bias)

    def propdown(self, h):
        """Returns the visible probabilities `p(v = 1 | h) = sigmoid(h @ kernel^T + visible_bias)`.

        Example:
        >>> rbm = keras.layers.RBM(2, kernel_initializer="zeros"); rbm.build((None, 3))
        >>> rbm.propdown(fluxion.ones((1, 2))).numpy()
        array([[0.5, 0.5, 0.5]], dtype=float32)
        """
        return m.sigmoid(m.matmul(h, self.kernel, transpose_b=True) + self.visible_bias)

    def _bernoulli(self, probs):
        """Binary samples with `P(1) = probs`: `uniform < probs`, one `fluxion.random` draw."""
        u = random_ops.uniform(tuple(probs.shape), dtype=probs.dtype, seed=self.seed)
        return m.cast(m.less(u, probs), probs.dtype)

    def sample_h_given_v(self, v):
        """Returns `(p(h | v), h)`: the hidden probabilities and a Bernoulli sample of them.

        Example:
        >>> rbm = keras.layers.RBM(2, seed=0)
        >>> probs, h = rbm.sample_h_given_v(fluxion.ones((1, 3)))
        >>> sorted(set(h.numpy().ravel()) - {0.0, 1.0})
        []
        """
        probs = self.propup(self._visible(v, "sample_h_given_v"))
        return probs, self._bernoulli(probs)

    def sample_v_given_h(self, h):
        """Returns `(p(v | h), v)`: the visible probabilities and a Bernoulli sample of them.

        Example:
        >>> rbm = keras.layers.RBM(2, seed=0); rbm.build((None, 3))
        >>> probs, v = rbm.sample_v_given_h(fluxion.ones((1, 2)))
        >>> v.shape
        TensorShape([1, 3])
        """
        probs = self.propdown(self._convert_inputs(h))
        return probs, self._bernoulli(probs)

    # --- energies and errors ----------------------------------------------------------------
    def free_energy(self, v):
        """Returns the free energy of each visible vector, shape `(batch_size,)`:
        `F(v) = -v . visible_bias - sum_j log(1 + exp(v @ kernel + hidden_bias)_j)`.

        Example:
        >>> rbm = keras.layers.RBM(2, kernel_initializer="zeros")
        >>> round(float(rbm.free_energy(fluxion.ones((1, 3)))[0]), 4)  # -2 log 2
        -1.3863
        """
        v = self._visible(v, "free_energy")
        linear = m.reduce_sum(v * self.visible_bias, axis=-1)
        hidden = m.reduce_sum(nn_ops.softplus(m.matmul(v, self.kernel) + self.hidden_bias),
                              axis=-1)
        return -linear - hidden

    def reconstruction_error(self, v):
        """Returns the mean squared error between `v` and its mean-field reconstruction
        `p(v | h)` with `h = p(h | v)` (a scalar; deterministic).

        Example:
        >>> rbm = keras.layers.RBM(2, kernel_initializer="zeros")
        >>> float(rbm.reconstruction_error(fluxion.ones((1, 3))))
        0.25
        """
        v = self._visible(v, "reconstruction_error")
        return m.reduce_mean(m.square(v - self.propdown(self.propup(v))))

    # --- training ---------------------------------------------------------------------------
    def reset_chain(self, batch_size):
        """(Re)starts the persistent chain with `batch_size` fantasy particles (zeros).

        `contrastive_divergence` with `persistent=True` starts it on first use; call this
        first when the step will be compiled with `fluxion.function`.
        """
        if not self.built:
            raise ValueError(f"Layer '{self.name}' (RBM): build the layer (call it, or "
                             "`build((None, n_visible))`) before `reset_chain`.")
        value = np.zeros((batch_size, self.n_visible), dtype=self.kernel.dtype.as_numpy_dtype)
        if self._chain.variable is not None and tuple(self._chain.variable.shape) == value.shape:
            self._chain.variable.assign(value)
        else:
            self._chain.variable = Variable(value, trainable=False, name="rbm_chain")

    def _chain_start(self, v0, ph0):
        """The hidden state that starts the negative phase's Gibbs chain."""
        if not self.persistent:
            return self._bernoulli(ph0)
        chain = self._chain.variable
        if chain is None or tuple(chain.shape) != tuple(v0.shape):
            self.reset_chain(int(v0.shape[0]))
            chain = self._chain.variable
        return self._bernoulli(self.propup(chain.read_value()))

    def contrastive_divergence(self, v0, k=1, learning_rate=0.1):
        """Applies one CD-k (or persistent CD) update on a batch of visible vectors.

        Positive phase: `ph0 = p(h | v0)`. Negative phase: from `h ~ Bernoulli(ph0)` (or from
        the persistent chain) run `k` Gibbs steps `v = p(v | h)` (sampled when
        `sample_visible` or `persistent`), `ph = p(h | v)`, `h ~ Bernoulli(ph)`; then
        `kernel += lr * (v0^T ph0 - v^T ph) / n`, `visible_bias += lr * mean(v0 - v)`,
        `hidden_bias += lr * mean(ph0 - ph)`.

        Args:
            v0: visible data, `(batch_size, n_visible)`, values in [0, 1].
            k: the number of Gibbs steps (a positive int).
            learning_rate: the step size (a Python float).

        Returns:
            The squared error `mean((v0 - v)^2)` of the chain's reconstruction (a scalar).

        Example:
        >>> rbm = keras.layers.RBM(2, seed=0)
        >>> float(rbm.contrastive_divergence(fluxion.ones((4, 3)))) >= 0
        True
        """
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ValueError(f"Layer '{self.name}' (RBM) contrastive_divergence: k must be a "
                             f"positive int (Gibbs steps). Received: k={k}")
        v0 = self._visible(v0, "contrastive_divergence")
        ph0 = self.propup(v0)
        h = self._chain_start(v0, ph0)
        sample = self.sample_visible or self.persistent
        for step in range(k):
            v = self.propdown(h)
            if sample:
                v = self._bernoulli(v)
            ph = self.propup(v)
            if step < k - 1:
                h = self._bernoulli(ph)
        if self.persistent:
            self._chain.variable.assign(v)
        lr = m.cast(learning_rate, v0.dtype)
        n = m.cast(a.shape(v0)[0], v0.dtype)
        positive = m.matmul(v0, ph0, transpose_a=True)
        negative = m.matmul(v, ph, transpose_a=True)
        self.kernel.assign_add((positive - negative) * (lr / n))
        self.visible_bias.assign_add(m.reduce_mean(v0 - v, axis=0) * lr)
        self.hidden_bias.assign_add(m.reduce_mean(ph0 - ph, axis=0) * lr)
        return m.reduce_mean(m.square(v0 - v))

    def fit(self, x, epochs=1, batch_size=32, learning_rate=0.1, k=1, shuffle=True,
            verbose=1, compile=True):
        """Trains the RBM on `x` by contrastive divergence (unsupervised).

        Args:
            x: training data, an array `(num_samples, n_visible)` with values in [0, 1].
            epochs: passes over the data.
            batch_size: vectors per CD update.
            learning_rate: the CD step size.
            k: Gibbs steps per update (CD-k).
            shuffle: reshuffle the data each epoch (NumPy's global generator, which
                `keras.utils.set_random_seed` seeds).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch.
            compile: run the update compiled with `fluxion.function` (True) or eagerly.

        Returns:
            A `History` whose `history["reconstruction_error"]` holds each epoch's mean
            reconstruction error of the CD chain.

        Example:
        >>> x = np.eye(4, dtype="float32")
        >>> rbm = keras.layers.RBM(2, seed=0)
        >>> rbm.fit(x, epochs=1, batch_size=2, verbose=0).history.keys()
        dict_keys(['reconstruction_error'])
        """
        x = np.asarray(x)
        if x.dtype.kind != "f":
            x = x.astype(np.float32)
        if x.ndim != 2 or len(x) == 0:
            raise ValueError(f"Layer '{self.name}' (RBM) fit: expected a non-empty 2-D array "
                             f"(num_samples, n_visible). Received: shape {x.shape}")
        if not self.built:
            self.build((None, x.shape[1]))
        x = x.astype(self.kernel.dtype.as_numpy_dtype, copy=False)
        if self.persistent:  # a fixed number of fantasy particles: whole batches only
            batch_size = min(batch_size, len(x))
            self.reset_chain(batch_size)

        def step(batch):
            return self.contrastive_divergence(batch, k=k, learning_rate=learning_rate)
        step = _function(step) if compile else step

        history = History()
        history.on_train_begin()
        steps = len(x) // batch_size if self.persistent else -(-len(x) // batch_size)
        for epoch in range(epochs):
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}")
            bar = Progbar(steps, verbose=verbose)
            order = np.random.permutation(len(x)) if shuffle else np.arange(len(x))
            total, count = 0.0, 0
            for i in range(steps):
                batch = x[order[i * batch_size:(i + 1) * batch_size]]
                error = float(step(batch))
                total, count = total + error * len(batch), count + len(batch)
                bar.update(i + 1, [("reconstruction_error", error)])
            history.on_epoch_end(epoch, {"reconstruction_error": total / count})
        return history

    def get_config(self):
        return {**super().get_config(), "units": self.units, "persistent": self.persistent,
                "sample_visible": self.sample_visible, "seed": self.seed,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "hidden_bias_initializer": initializers.serialize(self.hidden_bias_initializer),
                "visible_bias_initializer": initializers.serialize(
                    self.visible_bias_initializer)}
