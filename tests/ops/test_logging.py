"""fluxion.print: prints eagerly, and on every call of a traced function."""
import numpy as np
import pytest

import fluxion as fx


def test_print_formats_tensors_and_python_values(capsys):
    fx.print("loss:", fx.constant([0.5, 1.0]), 3, output_stream="stdout")
    assert capsys.readouterr().out == "loss: [0.5 1. ] 3\n"


def test_print_defaults_to_stderr_and_summarizes(capsys):
    fx.print(fx.range(10) if hasattr(fx, "range") else fx.constant(np.arange(10)))
    assert capsys.readouterr().err == "[0 1 2 ... 7 8 9]\n"


def test_print_runs_on_every_call_of_a_traced_function(capsys):
    @fx.function
    def f(x):
        fx.print("x =", x, output_stream="stdout")
        return x * 2

    f(fx.constant(1))
    f(fx.constant(2))
    assert capsys.readouterr().out == "x = 1\nx = 2\n"
    assert f.experimental_get_tracing_count() == 1


def test_print_rejects_unknown_streams():
    with pytest.raises(ValueError, match="print: output_stream must be"):
        fx.print(1.0, output_stream="file.txt")
