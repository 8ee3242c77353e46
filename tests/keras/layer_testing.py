"""`run_layer_test`: the one check every layer's tests go through (as Keras's `run_layer_test`).

For a layer class, constructor arguments and an input it:
1. calls a fresh layer eagerly and checks the output shape against `compute_output_shape`;
2. calls a second fresh layer on `keras.Input`s and checks the symbolic output shape (batch
   None), then runs that functional model with the first layer's weights: same output;
3. compares the output with a NumPy/hand reference `expected_output(layer, inputs)`;
4. counts trainable / non-trainable weights;
5. checks gradients (inputs and weights, GradientTape) against central finite differences,
   on a float64 copy of the layer;
6. round-trips the config: `from_config(get_config())` with the same weights gives the same
   output, and the config is JSON-serializable.
"""
import json

import numpy as np

import fluxion
from fluxion.keras import layers, models


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _numpy(x):
    if isinstance(x, (list, tuple)):
        return [_numpy(v) for v in x]
    return np.asarray(x)


def _symbolic_inputs(inputs):
    if isinstance(inputs, (list, tuple)):
        return [layers.Input(batch_shape=(None,) + x.shape[1:], dtype=str(x.dtype))
                for x in inputs]
    return layers.Input(batch_shape=(None,) + inputs.shape[1:], dtype=str(inputs.dtype))


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return [tuple(v.shape) for v in x]
    return tuple(x.shape)


def _finite_difference(f, base, eps=1e-6):
    numeric = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        plus, minus = base.copy(), base.copy()
        plus[idx] += eps
        minus[idx] -= eps
        numeric[idx] = (f(plus) - f(minus)) / (2 * eps)
    return numeric


def numeric_gradient_check(layer_cls, init_kwargs, inputs, call_kwargs, weights, rtol, atol):
    """Gradients of sum(output * cotangent) w.r.t. float inputs and trainable weights vs
    central finite differences, on a float64 layer with the given weights."""
    multi = isinstance(inputs, (list, tuple))
    layer = layer_cls(**{**init_kwargs, "dtype": "float64"})
    inputs64 = [x.astype(np.float64) if x.dtype.kind == "f" else x for x in _as_list(inputs)]
    layer(inputs64 if multi else inputs64[0], **call_kwargs)
    layer.set_weights([w.astype(np.float64) for w in weights])
    rng = np.random.default_rng(0)
    out = _as_list(_numpy(layer(inputs64 if multi else inputs64[0], **call_kwargs)))
    cotangents = [rng.normal(size=o.shape) for o in out]

    def objective(feed):
        outs = _as_list(layer(feed if multi else feed[0], **call_kwargs))
        return sum(fluxion.reduce_sum(o * c) for o, c in zip(outs, cotangents))

    feed = [fluxion.constant(x) for x in inputs64]
    float_idx = [i for i, t in enumerate(feed) if t.dtype.is_floating]
    variables = list(layer.trainable_weights)
    with fluxion.GradientTape() as tape:
        for i in float_idx:
            tape.watch(feed[i])
        value = objective(feed)
    grads = tape.gradient(value, [feed[i] for i in float_idx] + variables)
    for k, i in enumerate(float_idx):
        def f(x, i=i):
            return float(objective(feed[:i] + [fluxion.constant(x)] + feed[i + 1:]))
        assert grads[k] is not None, f"no gradient for input {i}"
        np.testing.assert_allclose(np.asarray(grads[k]), _finite_difference(f, inputs64[i]),
                                   rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")
    for variable, grad in zip(variables, grads[len(float_idx):]):
        base = np.array(variable.numpy(), dtype=np.float64)

        def f(x, variable=variable):
            variable.assign(x)
            return float(objective(feed))
        numeric = _finite_difference(f, base)
        variable.assign(base)
        assert grad is not None, f"no gradient for {variable.path}"
        np.testing.assert_allclose(np.asarray(grad), numeric, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of {variable.path}")


def run_layer_test(layer_cls, init_kwargs=None, input_data=None, expected_output=None,
                   expected_output_shape=None, expected_num_trainable_weights=None,
                   expected_num_non_trainable_weights=None, call_kwargs=None,
                   check_gradients=True, check_json=True, rtol=1e-5, atol=1e-6,
                   grad_rtol=1e-4, grad_atol=1e-6):
    """Runs the standard layer checks (see the module docstring); returns the eager layer."""
    init_kwargs = dict(init_kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    inputs = input_data

    # 1. Eager call and compute_output_shape.
    layer = layer_cls(**init_kwargs)
    output = _numpy(layer(inputs, **call_kwargs))
    declared = layer.compute_output_shape(_shape_of(_numpy(inputs)))
    assert _shape_of(output) == (list(map(tuple, declared)) if isinstance(declared, list)
                                 else tuple(declared))
    if expected_output_shape is not None:
        assert _shape_of(output) == expected_output_shape

    # 2. Symbolic call (Functional API): batch dimension unknown, same values with same weights.
    symbolic_layer = layer_cls(**init_kwargs)
    sym_in = _symbolic_inputs(_numpy(inputs))
    sym_out = symbolic_layer(sym_in, **call_kwargs)
    expected_sym = [(None,) + s[1:] for s in _as_list(_shape_of(output))] \
        if isinstance(output, list) else (None,) + _shape_of(output)[1:]
    assert _shape_of(sym_out) == expected_sym
    symbolic_layer.set_weights(layer.get_weights())
    model = models.Model(sym_in, sym_out)
    np.testing.assert_allclose(_numpy(model(inputs, **call_kwargs)), output, rtol=rtol,
                               atol=atol)

    # 3. Values against a NumPy / hand reference.
    if expected_output is not None:
        reference = expected_output(layer, _numpy(inputs)) if callable(expected_output) \
            else expected_output
        np.testing.assert_allclose(output, reference, rtol=rtol, atol=atol)

    # 4. Weight counts.
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights

    # 5. Gradients vs finite differences.
    if check_gradients:
        numeric_gradient_check(layer_cls, init_kwargs, _numpy(inputs), call_kwargs,
                               layer.get_weights(), grad_rtol, grad_atol)

    # 6. Config round trip.
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    clone(inputs, **call_kwargs)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(_numpy(clone(inputs, **call_kwargs)), output, rtol=rtol,
                               atol=atol)
    assert clone.get_config() == config
    if check_json:
        restored = layers.deserialize(json.loads(json.dumps(layers.serialize(layer))))
        assert type(restored) is layer_cls and restored.get_config() == config
    return layer
