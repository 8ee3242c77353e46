"""`clone_model`: a new model with the same architecture and freshly initialized weights."""
from ..engine.model import Model, deserialize_layer, serialize_model


def clone_model(model, input_tensors=None, clone_function=None):
    """Returns a copy of `model`'s architecture (Sequential or functional) with new weights.

    Example:
    >>> from fluxion.keras import layers, models
    >>> m = models.Sequential([layers.Dense(2, input_shape=(3,))])
    >>> clone_model(m).count_params()
    8
    """
    if not isinstance(model, Model):
        raise TypeError(f"clone_model expects a keras Model. Received: {model!r}")
    if input_tensors is not None or clone_function is not None:
        raise NotImplementedError("clone_model: input_tensors and clone_function are not "
                                  "supported yet.")
    config = serialize_model(model)
    _strip_names(config)
    return deserialize_layer(config)


def _strip_names(config):
    """Keeps the layer names (as Keras does); nothing to change for now."""
    return config
