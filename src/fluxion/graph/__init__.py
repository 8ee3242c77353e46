"""Graph mode: tracing Python into an IR, optimising it, and running it fast."""
from .control_flow import cond, scan, while_loop  # noqa: F401
from .function import ConcreteFunction, Function, function  # noqa: F401
from .ir import Graph  # noqa: F401
from .tracer import GraphTracer, ShapeTracer  # noqa: F401
