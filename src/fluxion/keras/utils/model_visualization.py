"""`plot_model` and `model_to_dot`: a model's layer graph as Graphviz DOT, as Keras 3 draws it.

We write the DOT source ourselves (one node per layer, labelled with an HTML-like table as
Keras's, edges from the functional graph or the Sequential chain), so a `.dot` file needs no
dependency. `model_to_dot` returns a `pydot.Dot` parsed from that source (pydot is optional:
`pip install fluxion[plot]`); `plot_model` renders other formats with Graphviz's `dot` program.

Example:
>>> from fluxion import keras
>>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="out")])
>>> print(dot_source(model).splitlines()[-2])
"out" [label=<<table border="0" cellborder="1" bgcolor="black" cellpadding="10"><tr><td colspan="1" bgcolor="black"><font point-size="16" color="white"><b>out</b> (Dense)</font></td></tr></table>>, fontname=Helvetica, border=0, margin=0];
"""  # noqa: E501
import html
import os
import re
import shutil
import subprocess
import sys
import warnings

from ..callbacks.files import write_atomically

_IMAGE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "gif", "bmp", "ps", "eps", "tif", "tiff")
_TEXT_FORMATS = ("dot", "gv")
_RANKDIRS = ("TB", "LR", "BT", "RL")
_PLAIN_ID = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*|-?[0-9]*\.?[0-9]+)$")


# --- which kind of model ------------------------------------------------------------------------
def _graph_of(layer):
    return getattr(layer, "_graph", None)


def _is_sequential(layer):
    return bool(getattr(layer, "_is_sequential", False)) and _graph_of(layer) is not None


def _class_name(layer):
    from ..engine.model import Model
    if type(layer) is Model and _graph_of(layer) is not None:
        return "Functional"  # Keras's class for `Model(inputs, outputs)`
    return type(layer).__name__


# --- node labels --------------------------------------------------------------------------------
def _io_tensors(layer, which):
    """A layer's symbolic inputs or outputs (a model: its own; a layer: its first call)."""
    graph = _graph_of(layer)
    if graph is not None:
        return graph.inputs if which == "input" else graph.outputs
    if not layer._inbound_nodes:
        return None
    node = layer._inbound_nodes[0]
    tensors = node.input_tensors if which == "input" else node.output_tensors
    if not tensors:
        return None
    return tensors[0] if len(tensors) == 1 else tensors


def _map(structure, leaf):
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {k: _map(v, leaf) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_map(v, leaf) for v in structure]
    return leaf(structure)


def _shape_text(layer, which):
    shapes = _map(_io_tensors(layer, which), lambda t: tuple(t.shape))
    if shapes is None:
        return "?"
    if isinstance(shapes, dict):
        text = ", ".join(f"{k}: {v}" for k, v in shapes.items())
    else:
        text = str(shapes)
    return text.replace("{", "").replace("}", "")


def _dtype_text(layer):
    dtypes = _map(_io_tensors(layer, "output"),
                  lambda t: getattr(t.dtype, "name", str(t.dtype)))
    return str(dtypes) if dtypes else "?"


def _activation_name(activation):
    for attr in ("name", "__name__"):
        if hasattr(activation, attr):
            return str(getattr(activation, attr))
    return str(activation)


def _cell(text, bgcolor="white", color=None, colspan=None):
    span = f' colspan="{colspan}"' if colspan is not None else ""
    font = f' color="{color}"' if color else ""
    return (f'<td bgcolor="{bgcolor}"{span}><font point-size="14"{font}>{text}'
            "</font></td>")


def _label(layer, show_layer_names, show_layer_activations, show_dtype, show_shapes,
           show_trainable):
    """Keras's HTML-like table: a title row, an optional activation row, a row of details."""
    esc = html.escape
    class_name = _class_name(layer)
    colspan = max(1, int(show_dtype) + int(show_trainable) + 2 * int(show_shapes))
    title = (f"<b>{esc(layer.name)}</b> ({esc(class_name)})" if show_layer_names
             else f"<b>{esc(class_name)}</b>")
    rows = [f'<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" '
            f'color="white">{title}</font></td></tr>']
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        name = esc(_activation_name(activation))
        rows.append(f'<tr>{_cell(f"Activation: <b>{name}</b>", colspan=colspan)}</tr>')
    cells = []
    if show_shapes:
        if class_name != "InputLayer":
            cells.append(_cell(f"Input shape: <b>{esc(_shape_text(layer, 'input'))}</b>"))
        cells.append(_cell(f"Output shape: <b>{esc(_shape_text(layer, 'output'))}</b>"))
    if show_dtype:
        cells.append(_cell(f"Output dtype: <b>{esc(_dtype_text(layer))}</b>"))
    if show_trainable and layer.weights:
        if layer.trainable:
            cells.append(_cell("<b>Trainable</b>", "forestgreen", "white"))
        else:
            cells.append(_cell("<b>Non-trainable</b>", "firebrick", "white"))
    if cells:
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return ('<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
            + "".join(rows) + "</table>>")


# --- DOT text -----------------------------------------------------------------------------------
def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(value):
    """A DOT attribute value: HTML labels and plain identifiers/numbers as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if (text.startswith("<") and text.endswith(">")) or _PLAIN_ID.match(text):
        return text
    return _quote(text)


def _attributes(**attrs):
    return ", ".join(f"{k}={_value(v)}" for k, v in attrs.items())


class _Writer:
    """Emits the DOT statements of a model; gives each layer a stable, unique node id (its
    name, with `#2`, `#3`... when two different layers share a name)."""

    def __init__(self, options, expand_nested):
        self.options, self.expand_nested = options, expand_nested
        self.ids, self.used = {}, set()

    def node_id(self, layer):
        if id(layer) not in self.ids:
            name, k = layer.name, 1
            while name in self.used:
                k += 1
                name = f"{layer.name}#{k}"
            self.used.add(name)
            self.ids[id(layer)] = (name, layer)  # keep the layer alive while ids are in use
        return _quote(self.ids[id(layer)][0])

    def node(self, layer):
        return (f"{self.node_id(layer)} [{_attributes(label=_label(layer, **self.options))}, "
                "fontname=Helvetica, border=0, margin=0];")

    def cluster(self, model):
        return ([f"subgraph {_quote('cluster_' + model.name)} {{", "style=dashed;",
                 f"label={_value(model.name)};", "labeljust=l;"]
                + self.body(model) + ["}"])

    def body(self, model):
        """The nodes (clusters for nested models when expanding), then the edges."""
        graph = _graph_of(model)
        if graph is None:  # a subclassed model is one node, as in Keras
            return [self.node(model)]
        sequential = _is_sequential(model)
        layers = model.layers if sequential else graph.layers
        lines = []
        for layer in layers:
            if self.expand_nested and _graph_of(layer) is not None:
                lines += self.cluster(layer)
            else:
                lines.append(self.node(layer))
        if sequential and not self.expand_nested:
            pairs = zip(layers, layers[1:])
        else:
            # The first layer of an expanded Sequential is reached by the edge into the
            # Sequential itself, from the enclosing graph.
            pairs = self.graph_edges(graph, layers[1:] if sequential else layers)
        seen = set()
        for source, destination in pairs:
            edge = f"{self.node_id(source)} -> {self.node_id(destination)}"
            if edge not in seen:
                seen.add(edge)
                lines.append(f"{edge} [penwidth=2];")
        return lines

    def graph_edges(self, graph, layers):
        """(source, destination) layers for each input of each call in `graph`; with
        expand_nested, an end that is a nested model is resolved to the layer inside it."""
        in_graph = {id(node) for node in graph.nodes}
        for layer in layers:
            for node in layer._inbound_nodes:
                if id(node) not in in_graph:
                    continue
                for input_index, tensor in enumerate(node.input_tensors):
                    source, _, output_index = tensor._keras_history
                    destination = layer
                    if self.expand_nested:
                        while _graph_of(source) is not None:  # the layer making that output
                            history = _graph_of(source).flat_outputs[output_index]._keras_history
                            source, output_index = history.operation, history.tensor_index
                        while _graph_of(destination) is not None:
                            if _is_sequential(destination):
                                destination = destination.layers[0]
                            else:  # the InputLayer receiving this input
                                destination = (_graph_of(destination).flat_inputs[input_index]
                                               ._keras_history.operation)
                    yield source, destination


def _check_arguments(model, caller, rankdir, dpi, kwargs):
    if not getattr(model, "built", False):
        raise ValueError(
            f"{caller}: model '{model.name}' has not been built yet, so its layers have no "
            "shapes to draw. Build it first by calling `model.build(input_shape)` or by "
            "calling the model on a batch of data (or start a Sequential model with "
            "`keras.Input(shape=...)`).")
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError(f"{caller}: argument `layer_range` is no longer supported (as in "
                         "Keras 3); plot the whole model.")
    if kwargs:
        raise ValueError(f"{caller}: unrecognized keyword arguments: {kwargs}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"{caller}: rankdir must be one of {list(_RANKDIRS)} ('TB' vertical, "
                         f"'LR' horizontal). Received: rankdir={rankdir!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or dpi <= 0:
        raise ValueError(f"{caller}: dpi must be a positive number. Received: dpi={dpi!r}")


def dot_source(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
               expand_nested=False, dpi=200, subgraph=False, show_layer_activations=False,
               show_trainable=False, splines="ortho", _caller="model_to_dot", **kwargs):
    """The Graphviz DOT text of `model` (the arguments of `model_to_dot`); needs no pydot.

    Returns:
        A string: a `digraph`, or with `subgraph=True` a `subgraph cluster_<name>` block.

    Example:
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")])
    >>> dot_source(model).splitlines()[:2]
    ['digraph G {', 'rankdir=TB;']
    """
    _check_arguments(model, _caller, rankdir, dpi, kwargs)
    options = {"show_layer_names": show_layer_names,
               "show_layer_activations": show_layer_activations, "show_dtype": show_dtype,
               "show_shapes": show_shapes, "show_trainable": show_trainable}
    writer = _Writer(options, expand_nested)
    if subgraph:
        lines = writer.cluster(model)
    else:
        lines = (["digraph G {", f"rankdir={rankdir};", "concentrate=true;",
                  f"dpi={_value(dpi)};", f"splines={_value(splines)};", "node [shape=record];"]
                 + writer.body(model) + ["}"])
    return "\n".join(lines) + "\n"


# --- public API ---------------------------------------------------------------------------------
def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, subgraph=False, show_layer_activations=False,
                 show_trainable=False, splines="ortho", **kwargs):
    """Converts a Keras model to a `pydot.Dot` graph (one node per layer).

    Args:
        model: a built model (Sequential, functional or subclassed; a subclassed model is
            drawn as one node).
        show_shapes: show each layer's input and output shapes.
        show_dtype: show each layer's output dtype.
        show_layer_names: show layer names (else only the class names).
        rankdir: `"TB"` (vertical plot), `"LR"` (horizontal), `"BT"` or `"RL"`.
        expand_nested: draw the layers of nested models inside dashed clusters.
        dpi: image resolution in dots per inch.
        subgraph: return the model as a cluster (to embed in another graph).
        show_layer_activations: show the activation of layers that have one.
        show_trainable: say whether each layer with weights is trainable.
        splines: how edges are drawn: `"ortho"` (right angles), `"curved"`, `"polyline"`,
            `"spline"` or `"line"`.

    Returns:
        A `pydot.Dot` (a `pydot.Cluster` with `subgraph=True`).

    Raises:
        ValueError: if the model is not built, or for unknown keyword arguments.
        ImportError: if pydot is not installed (`pip install fluxion[plot]`).

    Example:
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d1"),
    ...                           keras.layers.Dense(1, name="d2")])
    >>> '"d1" -> "d2"' in model_to_dot(model).to_string()
    True
    """
    source = dot_source(model, show_shapes, show_dtype, show_layer_names, rankdir,
                        expand_nested, dpi, subgraph, show_layer_activations, show_trainable,
                        splines, **kwargs)
    with warnings.catch_warnings():  # pydot's parser uses pyparsing names it deprecates
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="pydot")
        try:
            import pydot
        except ImportError:
            raise ImportError("model_to_dot: you must install pydot (`pip install "
                              "fluxion[plot]` or `pip install pydot`) for model_to_dot to work. "
                              "plot_model(model, to_file='model.dot') writes the DOT text "
                              "without it.") from None
        if not subgraph:
            return pydot.graph_from_dot_data(source)[0]
        parsed = pydot.graph_from_dot_data("digraph G {\n" + source + "}\n")[0]
    return pydot.Cluster(obj_dict=parsed.get_subgraph_list()[0].obj_dict)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draws a model's layer graph to a file.

    A `.dot` (or `.gv`) file gets the Graphviz DOT text and needs nothing else; images (`png`,
    `svg`, `pdf`, `jpg`, ...; no extension means png) are rendered with Graphviz's `dot`
    program, which must be on PATH.

    Args:
        model: a built model.
        to_file: the file to write; its extension chooses the format.
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
            show_layer_activations, show_trainable, splines: as in `model_to_dot`.

    Returns:
        In a Jupyter notebook, an `IPython.display.Image` (SVG for `.svg`) to show inline;
        otherwise None.

    Raises:
        ValueError: if the model is not built, the extension is not a known format, or for
            unknown keyword arguments.
        ImportError: if Graphviz's `dot` program is needed and not found.
        RuntimeError: if `dot` fails.

    Example:
    >>> import os, tempfile
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.dot")
    >>> plot_model(model, to_file=path, show_shapes=True)
    >>> open(path).read().startswith("digraph G {")
    True
    """
    source = dot_source(model, show_shapes, show_dtype, show_layer_names, rankdir,
                        expand_nested, dpi, False, show_layer_activations, show_trainable,
                        splines, _caller="plot_model", **kwargs)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    if extension in _TEXT_FORMATS:
        data = source.encode("utf-8")
    elif extension in _IMAGE_FORMATS:
        data = _render(source, extension, dpi, to_file)
    else:
        raise ValueError(f"plot_model: cannot write '{to_file}': unknown image format "
                         f"'.{extension}'. Use one of "
                         f"{', '.join('.' + f for f in _IMAGE_FORMATS + _TEXT_FORMATS)}.")
    write_atomically(to_file, data)
    return _notebook_image(to_file, extension)


def _render(source, fmt, dpi, to_file):
    program = shutil.which("dot")
    if program is None:
        raise ImportError(
            f"plot_model: writing '{to_file}' needs Graphviz's `dot` program, which was not "
            "found on PATH. Install Graphviz (`apt-get install graphviz`, `brew install "
            "graphviz`, or see https://graphviz.org/download/), or write the graph as DOT "
            "text with to_file='model.dot'.")
    result = subprocess.run([program, f"-T{fmt}", f"-Gdpi={dpi}"], input=source.encode("utf-8"),
                            capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"plot_model: Graphviz's `dot -T{fmt}` failed (exit status "
                           f"{result.returncode}): {result.stderr.decode(errors='replace')}")
    return result.stdout


def _notebook_image(path, extension):
    """An IPython image of the file when running in a notebook kernel, else None."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    from IPython import display
    if extension == "svg":
        return display.SVG(filename=path)
    if extension in ("png", "jpg", "jpeg", "gif"):
        return display.Image(filename=path)
    return None


__all__ = ["model_to_dot", "plot_model"]
