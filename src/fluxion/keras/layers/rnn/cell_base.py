"""What the SimpleRNN, LSTM and GRU cells share: arguments, weights, config, the fused call.

Example:
>>> from fluxion import keras
>>> cell = keras.layers.LSTMCell(3)
>>> out, (h, c) = cell(fluxion.ones((2, 4)), [fluxion.zeros((2, 3)), fluxion.zeros((2, 3))])
>>> out.shape
TensorShape([2, 3])
"""
from ... import activations, constraints, initializers, regularizers
from ...engine.layer import Layer
from .rnn import DropoutRNNCell, fused_activation_name, gate_matmul


class RecurrentCell(DropoutRNNCell, Layer):
    """Base of the built-in cells. Subclasses set `kind` ("lstm", "gru", "simple_rnn"),
    `gates` and implement `step(inputs, states, dp_mask, rec_mask)`."""

    kind = None
    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)  # no effect: one implementation here
        super().__init__(**kwargs)
        if self.gates > 1:  # as Keras, LSTMCell and GRUCell keep it (not in the config)
            self.implementation = implementation
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError("Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        # Keras uses one mask per gate when recurrent dropout is on (its "implementation 1").
        self.dropout_mask_count = self.gates if self.recurrent_dropout and self.gates > 1 \
            else None
        self.seed = seed
        self.init_seed_generator(seed)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        n = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, n), name="kernel", initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, n), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self.bias_shape(), name="bias", initializer=self.bias_init(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def bias_shape(self):
        return (self.gates * self.units,)

    def bias_init(self):
        return self.bias_initializer

    def biases(self):
        """(input bias, recurrent bias) — the recurrent one only for GRU with reset_after."""
        return self.bias, None

    # --- calling --------------------------------------------------------------------------------
    def call(self, inputs, states, training=False):
        single = not isinstance(states, (list, tuple))
        states = [states] if single else list(states)
        dp = self.get_dropout_mask(inputs) if training and 0 < self.dropout < 1 else None
        rdp = None
        if training and 0 < self.recurrent_dropout < 1:
            rdp = self.get_recurrent_dropout_mask(states[0])
        output, new_states = self.step(inputs, states, dp, rdp)
        return output, (new_states[0] if single and len(new_states) == 1 else new_states)

    def project(self, x, mask, kernel):
        """`x @ kernel` per gate with that gate's dropout mask (or one matmul)."""
        return gate_matmul(self._masked_gate_inputs(x, mask, self.gates), kernel)

    def _fused_call(self, sequences, states, mask, training, rnn):
        if fused_activation_name(self.activation) is None or \
                fused_activation_name(self.recurrent_activation) is None or \
                not self.fused_supported():
            return None
        bias, rec_bias = self.biases()
        return self.fused_sequence(self.kind, sequences, states, mask, training, rnn,
                                   (self.kernel, bias, self.gates, rec_bias))

    def fused_supported(self):
        return True

    def get_initial_state(self, batch_size=None):
        from ....ops import array_ops
        size = self.state_size
        sizes = [size] if isinstance(size, int) else list(size)
        return [array_ops.zeros((batch_size, d), self.compute_dtype) for d in sizes]

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config
