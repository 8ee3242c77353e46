"""`TensorBoard`: writes event files that TensorBoard reads — scalars per epoch (and per batch
with `update_freq`), weight histograms (`histogram_freq`) and the model's layer graph.

It uses the `tensorboard` package's own event writer and protocol buffers; install it with
`pip install fluxion[tensorboard]` (or `pip install tensorboard`).
"""
import os
import time

import numpy as np

from .callback import Callback


def _tensorboard():
    try:
        from tensorboard.compat.proto import event_pb2, graph_pb2, node_def_pb2, summary_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError as error:
        raise ImportError("The TensorBoard callback needs the `tensorboard` package, which is "
                          "not installed. Install it with `pip install fluxion[tensorboard]` "
                          "(or `pip install tensorboard`).") from error
    return event_pb2, graph_pb2, node_def_pb2, summary_pb2, EventFileWriter


def _histogram(summary_pb2, values, bins=30):
    values = np.asarray(values, np.float64).ravel()
    if values.size == 0:
        values = np.zeros(1)
    counts, edges = np.histogram(values, bins=bins)
    return summary_pb2.HistogramProto(
        min=float(values.min()), max=float(values.max()), num=float(values.size),
        sum=float(values.sum()), sum_squares=float(np.dot(values, values)),
        bucket_limit=[float(e) for e in edges[1:]], bucket=[float(c) for c in counts])


class TensorBoard(Callback):
    """Logs training to TensorBoard event files under `log_dir/train` and `log_dir/validation`.

    Epoch metrics are written as `epoch_<name>` at step `epoch` (validation metrics, without
    their `val_` prefix, to the validation run); with `update_freq` "batch" or N, batch metrics
    as `batch_<name>` every N batches.

    Args:
        log_dir: the directory of the runs. Default "logs".
        histogram_freq: write weight histograms every this many epochs (0: never).
        write_graph: write the model's layer graph.
        update_freq: "epoch", "batch" or a number of batches.
        write_images, write_steps_per_second, profile_batch, embeddings_freq,
            embeddings_metadata: accepted for compatibility (not written).

    Raises:
        ImportError: if the `tensorboard` package is missing (the message says how to
            install it).

    Example:
    >>> import tempfile
    >>> cb = TensorBoard(log_dir=tempfile.mkdtemp(), histogram_freq=1)  # doctest: +SKIP
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self._pb = _tensorboard()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq, self.write_graph = histogram_freq, write_graph
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and not (isinstance(update_freq, int) and update_freq > 0):
            raise ValueError("TensorBoard: update_freq must be 'epoch', 'batch' or a positive "
                             f"integer. Received: update_freq={update_freq!r}")
        self.update_freq = update_freq
        self._writers = {}
        self._train_step = 0

    def _writer(self, run):
        writer = self._writers.get(run)
        if writer is None:
            path = os.path.join(self.log_dir, run)
            os.makedirs(path, exist_ok=True)
            writer = self._writers[run] = self._pb[4](path)
        return writer

    def _event(self, run, step, **fields):
        event_pb2 = self._pb[0]
        self._writer(run).add_event(event_pb2.Event(wall_time=time.time(), step=int(step),
                                                    **fields))

    def _scalars(self, run, step, values):
        summary_pb2 = self._pb[3]
        items = [summary_pb2.Summary.Value(tag=tag, simple_value=float(np.mean(v)))
                 for tag, v in values.items()]
        if items:
            self._event(run, step, summary=summary_pb2.Summary(value=items))

    def on_train_begin(self, logs=None):
        self._train_step = 0
        if self.write_graph and self.model is not None:
            self._write_layer_graph()

    def _write_layer_graph(self):
        _, graph_pb2, node_def_pb2, _, _ = self._pb
        layers = list(getattr(self.model, "layers", []) or [])
        graph = graph_pb2.GraphDef()
        previous = None
        for layer in layers:
            node = node_def_pb2.NodeDef(name=str(getattr(layer, "name", type(layer).__name__)),
                                        op=type(layer).__name__)
            if previous is not None:
                node.input.append(previous)
            graph.node.append(node)
            previous = node.name
        self._event("train", 0, graph_def=graph.SerializeToString())

    def on_train_batch_end(self, batch, logs=None):
        self._train_step += 1
        if self.update_freq != "epoch" and self._train_step % self.update_freq == 0:
            self._scalars("train", self._train_step,
                          {f"batch_{k}": v for k, v in (logs or {}).items()})

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {f"epoch_{k}": v for k, v in logs.items() if not k.startswith("val_")}
        val = {f"epoch_{k[4:]}": v for k, v in logs.items() if k.startswith("val_")}
        self._scalars("train", epoch, train)
        if val:
            self._scalars("validation", epoch, val)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._histograms(epoch)
        for writer in self._writers.values():
            writer.flush()

    def _histograms(self, epoch):
        summary_pb2 = self._pb[3]
        weights = getattr(self.model, "weights", None) or []
        items = []
        for i, weight in enumerate(weights):
            name = getattr(weight, "path", None) or getattr(weight, "name", f"weight_{i}")
            items.append(summary_pb2.Summary.Value(
                tag=str(name).replace(":", "_") + "/histogram",
                histo=_histogram(summary_pb2, np.array(
                    weight.numpy() if hasattr(weight, "numpy") else weight))))
        if items:
            self._event("train", epoch, summary=summary_pb2.Summary(value=items))

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
