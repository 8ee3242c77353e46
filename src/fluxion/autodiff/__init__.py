"""Automatic differentiation: GradientTape, custom_gradient and the gradient checker."""
from .custom_gradient import custom_gradient  # noqa: F401
from .tape import GradientTape, UnconnectedGradients  # noqa: F401
