"""`fluxion.keras`: the Keras API — layers, models, training, data sets and utilities.

Example:
>>> from fluxion import keras
>>> model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
>>> model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
"""
from ..kernels import compiled as _compiled
from . import (
    activations,
    backend,
    callbacks,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    preprocessing,
    random,
    regularizers,
    saving,
    utils,
)
from .engine.functional import Input
from .engine.input_spec import InputSpec
from .engine.layer import Layer
from .models import Model, Sequential

_compiled.preload()  # numba's kernels, if installed, load while the program sets up
