"""keras.utils.plot_model / model_to_dot: the DOT text Keras 3.15 produces (labels, edges,
nested clusters), pydot objects, files written, rendering through Graphviz's `dot`, errors.

The expected strings were checked against Keras 3.15's `model_to_dot(...).to_string()` on the
same models (Keras names nodes by `id(layer)`; we name them by the layer's name)."""
import os
import re
import shutil
import sys
import types

import pydot
import pytest

import fluxion as tf
from fluxion import keras
from fluxion.keras.utils import model_visualization
from fluxion.keras.utils.model_visualization import dot_source

layers = keras.layers
HEADER = ["digraph G {", "rankdir=TB;", "concentrate=true;", "dpi=200;", "splines=ortho;",
          "node [shape=record];"]
TABLE = '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
NODE_TAIL = ", fontname=Helvetica, border=0, margin=0];"


def title(text, colspan=1):
    return (f'<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" '
            f'color="white">{text}</font></td></tr>')


def cell(text):
    return f'<td bgcolor="white"><font point-size="14">{text}</font></td>'


def node(name, *rows):
    return f'"{name}" [label={TABLE}{"".join(rows)}</table>>{NODE_TAIL}'


def edges(text):
    return re.findall(r'^"([^"]+)" -> "([^"]+)" \[penwidth=2\];$', text, re.M)


def labels(text):
    """{node id: the visible text of its label cells}."""
    out = {}
    for name, label in re.findall(r'^"([^"]+)" \[label=<(<table.*</table>)>', text, re.M):
        out[name] = [re.sub("<[^>]+>", "", c) for c in re.findall(r"<td.*?</td>", label)]
    return out


def seq_model():
    return keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu", name="d1"),
                             layers.Dropout(0.1, name="drop"),
                             layers.Dense(2, name="d2", trainable=False)], name="seq")


def branching_model():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    x, y = layers.Dense(3, name="x")(a), layers.Dense(3, name="y")(b)
    s = layers.Add(name="add")([x, y])
    c = layers.Concatenate(name="cat")([s, x])
    o1 = layers.Dense(1, name="o1")(c)
    o2 = layers.Dense(2, name="o2", activation="softmax")(s)
    return keras.Model([a, b], [o1, o2], name="fm")


def nested_model():
    inner = keras.Sequential([layers.Dense(5, name="i1"), layers.Dense(4, name="i2")],
                             name="inner")
    inner.build((None, 4))
    fin = keras.Input((4,), name="fin")
    innerf = keras.Model(fin, layers.Dense(4, name="fo")(layers.Dense(4, name="fh")(fin)),
                         name="innerf")
    xin = keras.Input((4,), name="xin")
    out = layers.Dense(1, name="last")(innerf(inner(xin)))
    return keras.Model(xin, out, name="outer"), inner


# --- DOT text ------------------------------------------------------------------------------------
def test_sequential_default_text_is_keras_exact():
    text = dot_source(seq_model())
    assert text == "\n".join(HEADER + [
        node("d1", title("<b>d1</b> (Dense)")),
        node("drop", title("<b>drop</b> (Dropout)")),
        node("d2", title("<b>d2</b> (Dense)")),
        '"d1" -> "drop" [penwidth=2];',
        '"drop" -> "d2" [penwidth=2];',
        "}"]) + "\n"


def test_sequential_every_option():
    text = dot_source(seq_model(), show_shapes=True, show_dtype=True, show_layer_names=False,
                      show_layer_activations=True, show_trainable=True, rankdir="LR", dpi=96,
                      splines="line")
    lines = text.splitlines()
    assert lines[:6] == ["digraph G {", "rankdir=LR;", "concentrate=true;", "dpi=96;",
                         "splines=line;", "node [shape=record];"]
    activation = ('<tr><td bgcolor="white" colspan="4"><font point-size="14">Activation: '
                  "<b>{}</b></font></td></tr>")
    dtype = cell("Output dtype: <b>float32</b>")
    assert lines[6] == node(
        "d1", title("<b>Dense</b>", 4), activation.format("relu"),
        "<tr>" + cell("Input shape: <b>(None, 4)</b>") + cell("Output shape: <b>(None, 3)</b>")
        + dtype + '<td bgcolor="forestgreen"><font point-size="14" color="white">'
        "<b>Trainable</b></font></td></tr>")
    # no weights: no trainable cell, no activation row; colspan still counts every column
    assert lines[7] == node(
        "drop", title("<b>Dropout</b>", 4),
        "<tr>" + cell("Input shape: <b>(None, 3)</b>") + cell("Output shape: <b>(None, 3)</b>")
        + dtype + "</tr>")
    assert lines[8] == node(
        "d2", title("<b>Dense</b>", 4), activation.format("linear"),
        "<tr>" + cell("Input shape: <b>(None, 3)</b>") + cell("Output shape: <b>(None, 2)</b>")
        + dtype + '<td bgcolor="firebrick"><font point-size="14" color="white">'
        "<b>Non-trainable</b></font></td></tr>")
    assert edges(text) == [("d1", "drop"), ("drop", "d2")]


def test_single_options_and_activation_layers():
    assert labels(dot_source(seq_model(), show_trainable=True))["d2"] == ["d2 (Dense)",
                                                                           "Non-trainable"]
    assert 'colspan="1"' in dot_source(seq_model(), show_dtype=True)
    assert labels(dot_source(seq_model(), show_dtype=True))["d1"] == ["d1 (Dense)",
                                                                       "Output dtype: float32"]
    model = keras.Sequential([keras.Input((2,)), layers.Activation("tanh", name="act"),
                              layers.ReLU(name="rl"), layers.Dense(2, name="dn")])
    got = labels(dot_source(model, show_layer_activations=True))
    assert got == {"act": ["act (Activation)", "Activation: tanh"], "rl": ["rl (ReLU)"],
                   "dn": ["dn (Dense)", "Activation: linear"]}


def test_branching_functional_nodes_edges_and_shapes():
    text = dot_source(branching_model(), show_shapes=True, show_dtype=True)
    assert edges(text) == [("a", "x"), ("b", "y"), ("x", "add"), ("y", "add"), ("add", "cat"),
                           ("x", "cat"), ("cat", "o1"), ("add", "o2")]
    dt = "Output dtype: float32"
    assert labels(text) == {
        "a": ["a (InputLayer)", "Output shape: (None, 4)", dt],
        "b": ["b (InputLayer)", "Output shape: (None, 4)", dt],
        "x": ["x (Dense)", "Input shape: (None, 4)", "Output shape: (None, 3)", dt],
        "y": ["y (Dense)", "Input shape: (None, 4)", "Output shape: (None, 3)", dt],
        "add": ["add (Add)", "Input shape: [(None, 3), (None, 3)]", "Output shape: (None, 3)",
                dt],
        "cat": ["cat (Concatenate)", "Input shape: [(None, 3), (None, 3)]",
                "Output shape: (None, 6)", dt],
        "o1": ["o1 (Dense)", "Input shape: (None, 6)", "Output shape: (None, 1)", dt],
        "o2": ["o2 (Dense)", "Input shape: (None, 3)", "Output shape: (None, 2)", dt]}
    assert 'colspan="3"' in text  # 2 shape columns + dtype, even on InputLayer rows


def test_shared_layer_duplicate_edges_dict_inputs_and_subclassed():
    shared = layers.Dense(3, name="shared")
    p, q = keras.Input((3,), name="p"), keras.Input((3,), name="q")
    model = keras.Model([p, q], layers.Add(name="add2")([shared(p), shared(q)]))
    text = dot_source(model, show_shapes=True)
    assert edges(text) == [("p", "shared"), ("q", "shared"), ("shared", "add2")]
    assert labels(text)["shared"][1:] == ["Input shape: (None, 3)", "Output shape: (None, 3)"]
    x = keras.Input((3,), name="xx")
    assert edges(dot_source(keras.Model(x, layers.Add(name="twice")([x, x])))) == [
        ("xx", "twice")]
    ins = {"u": keras.Input((2,), name="u"), "v": keras.Input((2,), name="v")}
    dm = keras.Model(ins, layers.Concatenate(name="cc")([ins["u"], ins["v"]]), name="dm")
    dd = keras.Input((2,), name="dd")
    got = labels(dot_source(keras.Model(dd, dm({"u": dd, "v": dd})), show_shapes=True))
    assert got["dm"] == ["dm (Functional)", "Input shape: u: (None, 2), v: (None, 2)",
                         "Output shape: (None, 4)"]

    class Sub(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.d = layers.Dense(2)

        def call(self, x):
            return self.d(x)
    sub = Sub()
    sub(tf.ones((1, 3)))
    text = dot_source(sub, show_shapes=True, show_dtype=True, show_trainable=True)
    assert labels(text) == {"sub": ["sub (Sub)", "Input shape: ?", "Output shape: ?",
                                    "Output dtype: ?", "Trainable"]}
    assert edges(text) == []


def test_nested_models_collapsed_and_expanded():
    outer, _ = nested_model()
    text = dot_source(outer, show_shapes=True)
    assert edges(text) == [("xin", "inner"), ("inner", "innerf"), ("innerf", "last")]
    assert labels(text)["inner"] == ["inner (Sequential)", "Input shape: (None, 4)",
                                     "Output shape: (None, 4)"]
    assert labels(text)["innerf"][0] == "innerf (Functional)"
    text = dot_source(outer, expand_nested=True)
    structure = [line for line in text.splitlines() if "[label=" not in line][6:]
    assert structure == [
        'subgraph "cluster_inner" {', "style=dashed;", "label=inner;", "labeljust=l;",
        '"i1" -> "i2" [penwidth=2];', "}",
        'subgraph "cluster_innerf" {', "style=dashed;", "label=innerf;", "labeljust=l;",
        '"fin" -> "fh" [penwidth=2];', '"fh" -> "fo" [penwidth=2];', "}",
        '"xin" -> "i1" [penwidth=2];', '"i2" -> "fin" [penwidth=2];',
        '"fo" -> "last" [penwidth=2];', "}"]
    assert list(labels(text)) == ["xin", "i1", "i2", "fin", "fh", "fo", "last"]


def test_expand_nested_sequential_and_multi_input_submodel():
    _, inner = nested_model()
    seq = keras.Sequential([keras.Input((4,)), inner, layers.Dense(2, name="sd")])
    text = dot_source(seq, expand_nested=True)
    assert edges(text) == [("i1", "i2"), ("i2", "sd")]  # no InputLayer box for Sequential
    assert edges(dot_source(seq)) == [("inner", "sd")]
    p1, p2 = keras.Input((3,), name="p1"), keras.Input((3,), name="p2")
    two = keras.Model([p1, p2], layers.Add(name="tadd")([p1, p2]), name="two")
    u1, u2 = keras.Input((3,), name="u1"), keras.Input((3,), name="u2")
    out = layers.Dense(1, name="uo")(two([layers.Dense(3, name="ud")(u1), u2]))
    text = dot_source(keras.Model([u1, u2], out), expand_nested=True)
    assert edges(text) == [("p1", "tadd"), ("p2", "tadd"), ("u1", "ud"), ("ud", "p1"),
                           ("u2", "p2"), ("tadd", "uo")]


def test_same_name_in_nested_model_gets_distinct_ids():
    x = keras.Input((2,), name="x_in")
    sub = keras.Model(x, layers.Dense(2, name="dense_same")(x), name="sub_model")
    y = keras.Input((2,), name="y_in")
    model = keras.Model(y, layers.Dense(2, name="dense_same")(sub(y)))
    text = dot_source(model, expand_nested=True)
    assert edges(text) == [("x_in", "dense_same"), ("y_in", "x_in"),
                           ("dense_same", "dense_same#2")]


def test_subgraph_text_and_bad_arguments():
    outer, inner = nested_model()
    text = dot_source(inner, subgraph=True)
    assert text.splitlines()[:4] == ['subgraph "cluster_inner" {', "style=dashed;",
                                     "label=inner;", "labeljust=l;"]
    with pytest.raises(ValueError, match="has not been built yet.*build"):
        dot_source(keras.Sequential([layers.Dense(2)], name="lazy"))
    with pytest.raises(ValueError, match="unrecognized keyword arguments: {'foo': 1}"):
        dot_source(outer, foo=1)
    with pytest.raises(ValueError, match="layer_range` is no longer supported"):
        dot_source(outer, layer_range=["a", "b"])
    with pytest.raises(ValueError, match=r"rankdir must be one of .*Received: rankdir='XY'"):
        dot_source(outer, rankdir="XY")


# --- pydot ---------------------------------------------------------------------------------------
def test_model_to_dot_returns_pydot_objects():
    outer, inner = nested_model()
    dot = keras.utils.model_to_dot(outer, show_shapes=True)
    assert isinstance(dot, pydot.Dot)
    string = dot.to_string()
    for src, dst in [("xin", "inner"), ("inner", "innerf"), ("innerf", "last")]:
        assert f'"{src}" -> "{dst}"' in string
    assert dot.get("rankdir") == "TB" and dot.get("dpi") == "200"
    assert len(dot.get_node('"last"')) == 1
    cluster = keras.utils.model_to_dot(inner, subgraph=True)
    assert isinstance(cluster, pydot.Cluster)
    assert cluster.get_name() == '"cluster_inner"' and cluster.get("style") == "dashed"
    host = pydot.Dot()
    host.add_subgraph(cluster)
    assert '"i1" -> "i2"' in host.to_string()


def test_model_to_dot_without_pydot(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match=r"pip install fluxion\[plot\]"):
        keras.utils.model_to_dot(seq_model())


# --- plot_model ----------------------------------------------------------------------------------
def test_plot_model_writes_dot_text(tmp_path):
    model = branching_model()
    path = tmp_path / "model.dot"
    assert keras.utils.plot_model(model, to_file=path, show_shapes=True, rankdir="LR") is None
    # plot_model's default is show_layer_names=False (Keras 3.15)
    assert path.read_text() == dot_source(model, show_shapes=True, rankdir="LR",
                                          show_layer_names=False)
    assert "<b>Dense</b>" in path.read_text() and "<b>x</b>" not in path.read_text()
    assert os.listdir(tmp_path) == ["model.dot"]  # no temporary file left


def test_plot_model_png_with_graphviz_or_clear_error(tmp_path):
    path = tmp_path / "model.png"
    if shutil.which("dot"):
        keras.utils.plot_model(seq_model(), to_file=str(path), show_shapes=True)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        with pytest.raises(ImportError, match=r"Graphviz's `dot` program.*apt-get install "
                           r"graphviz.*brew install graphviz.*graphviz\.org.*to_file='model\.dot'"):
            keras.utils.plot_model(seq_model(), to_file=str(path))
        assert not path.exists()


def fake_dot(tmp_path, monkeypatch, exit_code=0):
    """A `dot` program on PATH that echoes its arguments and the DOT text it receives."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "dot"
    script.write_text(f"#!{sys.executable}\nimport sys\n"
                      "sys.stdout.write(' '.join(sys.argv[1:]) + '\\n' + sys.stdin.read())\n"
                      f"sys.stderr.write('bad input')\nsys.exit({exit_code})\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir) + os.pathsep + os.environ.get("PATH", ""))


def test_plot_model_runs_dot_program(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch)
    model = seq_model()
    keras.utils.plot_model(model, to_file=tmp_path / "m.svg", dpi=72)
    args, text = (tmp_path / "m.svg").read_text().split("\n", 1)
    assert args == "-Tsvg -Gdpi=72"
    assert text == dot_source(model, show_layer_names=False, dpi=72)
    keras.utils.plot_model(model, to_file=tmp_path / "noext")  # no extension: png, as Keras
    assert (tmp_path / "noext").read_text().startswith("-Tpng -Gdpi=200\n")


def test_plot_model_dot_failure(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, exit_code=1)
    with pytest.raises(RuntimeError, match=r"`dot -Tpdf` failed \(exit status 1\): bad input"):
        keras.utils.plot_model(seq_model(), to_file=tmp_path / "m.pdf")
    assert not (tmp_path / "m.pdf").exists()


def test_plot_model_errors(tmp_path):
    with pytest.raises(ValueError, match=r"plot_model: cannot write .*unknown image format "
                       r"'\.docx'. Use one of \.png, \.svg"):
        keras.utils.plot_model(seq_model(), to_file=tmp_path / "model.docx")
    with pytest.raises(ValueError, match="plot_model: model 'lazy' has not been built yet"):
        keras.utils.plot_model(keras.Sequential([layers.Dense(2)], name="lazy"),
                               to_file=tmp_path / "m.dot")
    with pytest.raises(ValueError, match="plot_model: unrecognized keyword arguments"):
        keras.utils.plot_model(seq_model(), to_file=tmp_path / "m.dot", show_weights=True)
    assert os.listdir(tmp_path) == []


def test_plot_model_returns_image_in_a_notebook(tmp_path, monkeypatch):
    shown = []
    display = types.SimpleNamespace(Image=lambda filename: shown.append(("Image", filename)),
                                    SVG=lambda filename: shown.append(("SVG", filename)))
    shell = types.SimpleNamespace(kernel=object())
    ipython = types.SimpleNamespace(get_ipython=lambda: shell, display=display)
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    fake_dot(tmp_path, monkeypatch)
    keras.utils.plot_model(seq_model(), to_file=tmp_path / "m.png")
    keras.utils.plot_model(seq_model(), to_file=tmp_path / "m.svg")
    keras.utils.plot_model(seq_model(), to_file=tmp_path / "m.dot")
    assert shown == [("Image", str(tmp_path / "m.png")), ("SVG", str(tmp_path / "m.svg"))]
    shell.kernel = None  # a terminal IPython: no image
    assert model_visualization._notebook_image(str(tmp_path / "m.png"), "png") is None
