"""`keras.models`: Model, Sequential and rebuilding models from their JSON description.

Example:
>>> from fluxion.keras import models, layers
>>> model = models.Sequential([layers.Dense(1, input_shape=(3,))])
>>> models.model_from_json(model.to_json()).count_params()
4
"""
from ..engine.model import Model, model_from_json
from ..engine.sequential import Sequential
from ..saving import load_model, save_model
from .cloning import clone_model

Functional = Model
