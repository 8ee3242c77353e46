"""What `compile()` turns its loss and metrics arguments into: per-output losses with weights,
and per-output metrics resolved once the shapes of labels and predictions are known."""
from ...core import nest
from ...ops import math_ops as m
from .. import losses as losses_module
from .. import metrics as metrics_module
from ..metrics import Mean


def _per_output(value, output_names, what):
    """Maps a single value, a list (by position) or a dict (by output name) onto the outputs."""
    n = len(output_names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(output_names))
        if unknown:
            raise ValueError(f"compile: {what} names unknown outputs {unknown}; the model's "
                             f"outputs are {output_names}.")
        if what == "loss" and len(value) != n:  # Keras 3: every output, None for no loss
            raise ValueError(f"Expected keys {list(output_names)} in loss dict, but found "
                             f"loss.keys()={list(value)}. Give every output a loss, None for "
                             f"an output without one.")
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and what == "loss" or \
            (isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple))):
        if len(value) != n:
            raise ValueError(f"compile: {what} has {len(value)} entries but the model has {n} "
                             f"outputs ({output_names}).")
        return list(value)
    return [value] * n


def _loss_object(identifier):
    """A `Loss` for a compile() entry: names and functions are wrapped (reduction, weights)."""
    loss = losses_module.get(identifier)
    if isinstance(loss, losses_module.Loss):
        return loss
    if not callable(loss):
        raise ValueError(f"compile: could not interpret loss {identifier!r}.")
    return losses_module.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))


class CompileLoss:
    """The total training loss: the weighted sum of each output's loss.

    With more than one loss, `metrics` holds one `Mean` per output (`<output>_loss`) that
    every call updates with that output's unweighted loss, weighted by the batch size (as
    the model's loss tracker), as Keras does.
    """

    def __init__(self, loss, loss_weights, output_names):
        self.output_names = output_names
        self.losses = [None if l is None else _loss_object(l)
                       for l in _per_output(loss, output_names, "loss")]
        weights = loss_weights if loss_weights is not None else 1.0
        if isinstance(weights, (list, tuple)) and len(weights) != len(output_names):
            raise ValueError(f"compile: loss_weights has {len(weights)} entries but the model "
                             f"has {len(output_names)} outputs.")
        self.weights = _per_output(weights, output_names, "loss_weights") \
            if not isinstance(weights, (list, tuple)) else list(weights)
        self.identifiers = _per_output(loss, output_names, "loss")
        used = [i for i, loss_object in enumerate(self.losses) if loss_object is not None]
        self._trackers = {i: Mean(name=f"{output_names[i]}_loss") for i in used} \
            if len(used) > 1 else {}
        self.metrics = list(self._trackers.values())

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The total loss, or None when compile() was given no loss."""
        if all(loss is None for loss in self.losses):
            return None
        ys_true, ys_pred = nest.flatten(y_true), nest.flatten(y_pred)
        if len(ys_true) != len(ys_pred):
            raise ValueError(f"The model has {len(ys_pred)} outputs but {len(ys_true)} label "
                             "arrays were given (y). Pass one label array per output.")
        weights = nest.flatten(sample_weight) if sample_weight is not None else \
            [None] * len(ys_pred)
        if len(weights) == 1 and len(ys_pred) > 1:
            weights = weights * len(ys_pred)
        total = None
        for i, (loss, w, yt, yp, sw) in enumerate(zip(self.losses, self.weights, ys_true,
                                                      ys_pred, weights)):
            if loss is None:
                continue
            value = loss(yt, yp, sample_weight=sw)
            tracker = self._trackers.get(i)
            if tracker is not None:
                tracker.update_state(value, sample_weight=m.cast(yp.shape[0], "float32"))
            if w != 1.0:
                value = value * w
            total = value if total is None else total + value
        return total


class CompileMetrics:
    """Per-output metric objects, built on the first batch (accuracy needs the shapes)."""

    def __init__(self, metrics, weighted_metrics, output_names, losses):
        self.output_names = output_names
        self._metrics = metrics
        self._weighted = weighted_metrics
        self._losses = losses
        self.metrics = []   # list of (output index, Metric, weighted?)
        self.built = False

    def build(self, y_true, y_pred):
        ys_true, ys_pred = nest.flatten(y_true), nest.flatten(y_pred)
        multi = len(self.output_names) > 1
        for weighted, spec in ((False, self._metrics), (True, self._weighted)):
            if spec is None:
                continue
            per_output = spec if isinstance(spec, dict) or (
                multi and isinstance(spec, (list, tuple)) and spec and
                isinstance(spec[0], (list, tuple))) else [spec] * len(self.output_names)
            if isinstance(per_output, dict):
                per_output = [per_output.get(name) for name in self.output_names]
            for i, entries in enumerate(per_output):
                if entries is None:
                    continue
                for entry in (entries if isinstance(entries, (list, tuple)) else [entries]):
                    metric = metrics_module.get_metric(
                        entry, self._losses[i], tuple(ys_true[i].shape), tuple(ys_pred[i].shape))
                    if multi:
                        metric.name = f"{self.output_names[i]}_{metric.name}"
                    if weighted and not multi:
                        metric.name = f"weighted_{metric.name}" if any(
                            metric.name == m2.name for _, m2, _ in self.metrics) else metric.name
                    self.metrics.append((i, metric, weighted))
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self.build(y_true, y_pred)
        ys_true, ys_pred = nest.flatten(y_true), nest.flatten(y_pred)
        weights = nest.flatten(sample_weight) if sample_weight is not None else None
        for i, metric, weighted in self.metrics:
            sw = None
            if weighted and weights is not None:
                sw = weights[i] if len(weights) > i else weights[0]
            metric.update_state(ys_true[i], ys_pred[i], sample_weight=sw)

    def reset_state(self):
        for _, metric, _ in self.metrics:
            metric.reset_state()

    def results(self):
        return {metric.name: metric.result() for _, metric, _ in self.metrics}


def total_regularization(losses):
    """The sum of a model's extra losses (regularizers, add_loss), or None if there are none."""
    total = None
    for value in losses:
        total = value if total is None else m.add(total, value)
    return total
