"""`fluxion.nn`: neural-network ops (as `tf.nn`): activations, softmax, cross-entropies with
logits, moments and batch normalization, dropout, convolution and pooling.

Example:
>>> import fluxion as tf
>>> tf.nn.relu([-1.0, 2.0]).numpy()
array([0., 2.], dtype=float32)
"""
import types as _types

from .ops.conv_ops import *  # noqa: F401,F403
from .ops.nn_ops import *  # noqa: F401,F403
from .ops.nn_ops import stateless_dropout as _stateless_dropout

experimental = _types.SimpleNamespace(stateless_dropout=_stateless_dropout)
