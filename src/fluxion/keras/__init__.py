"""`fluxion.keras`: the Keras API (datasets, utilities and preprocessing so far).

Example:
>>> from fluxion import keras
>>> keras.utils.to_categorical([0, 2], num_classes=3)
array([[1., 0., 0.],
       [0., 0., 1.]], dtype=float32)
"""
from . import (
               activations,
               backend,
               constraints,
               datasets,
               initializers,
               layers,
               models,
               preprocessing,
               regularizers,
               utils,
)
from .engine.functional import Input
from .engine.input_spec import InputSpec
from .engine.layer import Layer
from .models import Model, Sequential
