"""`model.summary()`: Keras 3's table, character for character (as Keras prints it to a
terminal or a `print_fn`, without colours).

Keras 3 lays the table out with the `rich` library; `_Table` reproduces the parts it uses: fixed
column widths reduced evenly to fit the line, word wrapping with "…" for words longer than a
column, heavy header box, a rule between rows.
"""
import math
import re
import shutil

from ...core import nest

_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"]


def readable_memory_size(size):
    """Formats a byte count as Keras does: `462.04 KB`.

    Example:
    >>> readable_memory_size(473128)
    '462.04 KB'
    """
    for unit in _UNITS:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {_UNITS[-1]}"


def _count(weights):
    return int(sum(math.prod(tuple(w.shape)) for w in weights))


def _memory(weights):
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(tuple(w.shape)) * w.dtype.size for w in unique)


# --- a minimal rich-style table ------------------------------------------------------------------
_WORDS = re.compile(r"\s*\S+\s*")


def _wrap(text, width, justify):
    """Wraps `text` into lines of exactly `width` cells (rich's rules, overflow "ellipsis")."""
    lines = []
    for paragraph in text.split("\n"):
        breaks, offset = [], 0
        for match in _WORDS.finditer(paragraph):
            word = match.group()
            if width - offset >= len(word.rstrip()):
                offset += len(word)
            else:
                if match.start():
                    breaks.append(match.start())
                offset = len(word)
        bounds = [0] + breaks + [len(paragraph)]
        for start, end in zip(bounds, bounds[1:]):
            line = paragraph[start:end]
            if len(line) > width:
                line = line.rstrip()
            if justify != "left":
                line = line.rstrip()
            if len(line) > width:
                line = line[:width - 1] + "…"
            pad = width - len(line)
            if justify == "right":
                line = " " * pad + line
            elif justify == "center":
                line = " " * (pad // 2) + line + " " * (pad - pad // 2)
            else:
                line = line + " " * pad
            lines.append(line)
    return lines


def _reduce_evenly(excess, widths):
    """rich's `ratio_reduce` with equal ratios: takes `excess` cells off the columns."""
    result, remaining, count = [], excess, len(widths)
    for width in widths:
        if count:
            cut = min(width, round(remaining / count))
            result.append(width - cut)
            remaining -= cut
            count -= 1
        else:
            result.append(width)
    return result


def _render_table(headers, rows, column_widths, justify, line_length):
    widths = [w + 2 for w in column_widths]  # one cell of padding on each side
    available = line_length - (len(widths) + 1)
    if sum(widths) > available:
        widths = _reduce_evenly(sum(widths) - available, widths)
        widths = [min(w, available) for w in widths]

    def render_row(cells, edge):
        wrapped = [_wrap(c, max(w - 2, 1), j) for c, w, j in zip(cells, widths, justify)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = [" " + (c[i] if i < len(c) else " " * (w - 2)) + " "
                     for c, w in zip(wrapped, widths)]
            out.append(edge + edge.join(parts) + edge)
        return out

    def rule(left, fill, cross, right):
        return left + cross.join(fill * w for w in widths) + right
    lines = [rule("┏", "━", "┳", "┓")]
    lines += render_row(headers, "┃")
    lines.append(rule("┡", "━", "╇", "┩"))
    for i, row in enumerate(rows):
        if i:
            lines.append(rule("├", "─", "┼", "┤"))
        lines += render_row(row, "│")
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


# --- the summary -----------------------------------------------------------------------------
def _is_shape(x):
    return isinstance(x, tuple) and all(d is None or isinstance(d, int) for d in x)


def _format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _output_shape(layer):
    if layer._inbound_nodes:
        outputs = layer._inbound_nodes[-1].outputs
        shapes = nest.map_structure(lambda t: _format_shape(tuple(t.shape)), outputs)
    elif layer.built and layer._build_shapes is not None:
        try:
            out = layer.compute_output_shape(layer._build_shapes)
        except Exception:  # noqa: BLE001  (any failure just means "unknown", as in Keras)
            return "?"
        if _is_shape(out):
            return _format_shape(out)
        shapes = [_format_shape(s) for s in out]
    else:
        return "?"
    flat = nest.flatten(shapes)
    if len(flat) == 1:
        return flat[0]
    return str(shapes).replace("'", "")


def _is_sequential_like(model, graph):
    if graph is None:
        return True
    nodes = []
    for depth_nodes in graph.nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and
                                    len(depth_nodes[0].input_tensors) > 1):
            return False
        nodes += depth_nodes
    node_ids = {id(n) for n in nodes}
    for layer in graph.layers:
        if sum(id(n) in node_ids for n in layer._inbound_nodes) > 1:
            return False
    return True


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Prints (or passes to `print_fn`) the Keras 3 summary table of `model`.

    Args:
        model: a built or unbuilt Model.
        line_length: the table width (default 88, or 108 with a "Connected to" column, at
            most the terminal width minus 4; 76 when output is not a terminal).
        positions: the relative right edges of the columns (e.g. `[0.45, 0.8, 1.0]`).
        print_fn: called once with the whole text (default: print to stdout).
        expand_nested: also list the layers inside nested models.
        show_trainable: add a column saying whether each layer is trainable.
        layer_range: `[first name, last name]` (regexes) to print part of the model.
    """
    graph = getattr(model, "_graph", None)
    sequential_like = _is_sequential_like(model, graph)
    layers = model.layers if (graph is None or getattr(model, "_is_sequential", False)) \
        else graph.layers
    if sequential_like:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        justify = ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
        relevant = {id(n) for nodes in graph.nodes_by_depth.values() for n in nodes}
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    column_widths, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary: line_length="
                             f"{line_length} leaves a column {width} characters wide.")
        column_widths.append(width)
        current += width

    def connections(layer):
        out = []
        for node in layer._inbound_nodes:
            if id(node) not in relevant:
                continue
            for t in node.input_tensors:
                history = t._keras_history
                out.append(f"{history.operation.name}[{history.node_index}]"
                           f"[{history.tensor_index}]")
        return ", ".join(out) or "-"

    def fields(layer, prefix=""):
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", _output_shape(layer), params]
        if not sequential_like:
            row.append(connections(layer))
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        return row

    def rows_of(layer, level=0):
        prefix = "   " * level + "└ " if level else ""
        rows = [fields(layer, prefix)]
        if expand_nested and getattr(layer, "layers", None):
            for sub in layer.layers:
                rows += rows_of(sub, level + 1)
        return rows

    first, last = _layer_range(layers, layer_range)
    rows = [row for layer in layers[first:last] for row in rows_of(layer)]
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_vars = list(getattr(optimizer, "variables", []) or []) \
        if optimizer is not None and getattr(optimizer, "built", False) else []
    total = _count(trainable) + _count(non_trainable) + _count(optimizer_vars)
    total_memory = _memory(trainable) + _memory(non_trainable) + _memory(optimizer_vars)
    lines = [f'Model: "{model.name}"']
    lines += _render_table(header, rows, column_widths, justify, line_length)
    lines.append(f" Total params: {total:,} ({readable_memory_size(total_memory)})")
    lines.append(f" Trainable params: {_count(trainable):,} "
                 f"({readable_memory_size(_memory(trainable))})")
    lines.append(f" Non-trainable params: {_count(non_trainable):,} "
                 f"({readable_memory_size(_memory(non_trainable))})")
    if optimizer_vars:
        lines.append(f" Optimizer params: {_count(optimizer_vars):,} "
                     f"({readable_memory_size(_memory(optimizer_vars))})")
    text = "\n".join(lines) + "\n"
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)


def _layer_range(layers, layer_range):
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2 or not all(isinstance(n, str) for n in layer_range):
        raise ValueError("summary: layer_range must be a list of two layer names (or regexes). "
                         f"Received: layer_range={layer_range!r}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(f"summary: layer_range {layer_range} matches no layer names; the "
                         f"layers are {[layer.name for layer in layers]}.")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1
