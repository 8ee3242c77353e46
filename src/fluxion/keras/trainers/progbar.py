"""`keras.utils.Progbar`: the progress display of `fit`, `evaluate` and `predict`.

verbose=1 shows Keras 3's line, `375/375 ━━━━━━━━━━━━━━━━━━━━ 2s 5ms/step - accuracy: 0.8843 -
loss: 0.4069`, redrawn in place at most every `interval` seconds on a terminal or notebook. When
the output is not a terminal (a file, a pipe, a CI log) it prints only the final line of each
progress bar, without escape codes (keras#13716). verbose=2 prints one line at the end:
`375/375 - 2s - 5ms/step - accuracy: 0.8843 - loss: 0.4069`. verbose=0 prints nothing.
"""
import math
import os
import sys
import time

import numpy as np

_clock = time.monotonic  # tests replace it to get fixed times
_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def _is_dynamic(stream):
    isatty = getattr(stream, "isatty", None)
    return bool((isatty is not None and isatty()) or "ipykernel" in sys.modules
                or "PYCHARM_HOSTED" in os.environ)


def format_time(time_per_unit, unit_name):
    """`" 5ms/step"`-style text for a duration per unit (s, ms or us).

    Example:
    >>> format_time(0.005, "step")
    ' 5ms/step'
    """
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1000.0:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1000000.0:.0f}us/{unit_name}"


def format_value(value):
    """Four decimals, or scientific notation for magnitudes up to 1e-3 (Keras's rule).

    Example:
    >>> format_value(0.40691), format_value(0.0002)
    ('0.4069', '2.0000e-04')
    """
    value = float(np.mean(value))
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


class Progbar:
    """Displays a progress bar.

    Args:
        target: total number of steps expected, None if unknown.
        width: the bar's width in characters.
        verbose: 0 (silent), 1 (bar), 2 (one line at the end).
        interval: minimum seconds between two redraws.
        stateful_metrics: names of metrics shown as given; the others are averaged over the
            steps seen (give only one of `stateful_metrics` and `stateless_metrics`).
        stateless_metrics: names of metrics averaged over steps; the others are shown as given.
        unit_name: "step" or "sample".
        file: the stream written to (default `sys.stdout` at the time of writing).
        dynamic: redraw in place; default: when `file` is a terminal or in a notebook.

    Example:
    >>> bar = Progbar(3, verbose=2)
    >>> for i in range(3):
    ...     bar.update(i + 1, [("loss", 0.5)])  # doctest: +ELLIPSIS
    3/3 - 0s - ...
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step", file=None, dynamic=None):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: give only one of `stateful_metrics` and "
                             "`stateless_metrics`.")
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stateful_metrics = set(stateful_metrics or ()) \
            if stateless_metrics is None else None
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None \
            else None
        self._file = file
        self._dynamic = dynamic
        self._values, self._order = {}, []
        self._seen_so_far = 0
        self._start = _clock()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_width = 0

    @property
    def file(self):
        return self._file if self._file is not None else sys.stdout

    @property
    def dynamic(self):
        return _is_dynamic(self.file) if self._dynamic is None else self._dynamic

    def _stateless(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def update(self, current, values=None, finalize=None):
        """Records step `current` with `values` (a list of `(name, value)`) and redraws.

        Args:
            current: the index of the current step (1-based count of steps done).
            values: `(name, value_for_last_step)` pairs.
            finalize: whether this is the last update; default `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            if name not in self._order:
                self._order.append(name)
            if self._stateless(name) and not finalize:
                base = max(current - self._seen_so_far, 1)
                total, count = self._values.get(name, (0.0, 0))
                self._values[name] = (total + value * base, count + base)
            else:
                self._values[name] = (value, 1)
        self._seen_so_far = current
        now = _clock()
        per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if self._write_bar(current, now, per_unit, finalize):
                self._last_update = now
        elif self.verbose == 2 and finalize:
            self._write_line(current, now, per_unit)

    def add(self, n, values=None):
        """Advances by `n` steps."""
        self.update(self._seen_so_far + n, values)

    def _metrics_text(self):
        return "".join(f" - {name}: {format_value(total / max(1, count))}"
                       for name, (total, count) in ((k, self._values[k]) for k in self._order))

    def _write_bar(self, current, now, per_unit, finalize):
        dynamic = self.dynamic
        if not dynamic and not finalize:
            return False  # redirected output: one line per bar, at the end
        if dynamic and not finalize and now - self._last_update < self.interval:
            return False
        style = (lambda code, text: f"{code}{text}{_RESET}") if dynamic else \
            (lambda code, text: text)
        if self.target is not None and self.target > 0:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:{digits}d}/{self.target}"
            done = min(int(self.width * current / self.target), self.width)
            bar = style(_BOLD, count) + " "
            if done > 0:
                bar += style(_GREEN, "━" * done)
            bar += style(_GREY, "━" * (self.width - done))
            plain = len(count) + 1 + self.width
        else:
            bar = f"{current:7d}/Unknown"
            plain = len(bar)
        if self.target is not None and self.target > 0 and not finalize:
            eta = per_unit * (self.target - current)
            if eta > 3600:
                eta_text = f"{eta // 3600:.0f}:{(eta % 3600) // 60:02.0f}:{eta % 60:02.0f}"
            elif eta > 60:
                eta_text = f"{eta // 60:.0f}:{eta % 60:02.0f}"
            else:
                eta_text = f"{eta:.0f}s"
        else:
            eta_text = f"{now - self._start:.0f}s"
        info = " " + style(_BOLD, eta_text) + format_time(per_unit, self.unit_name) + \
            self._metrics_text()
        plain += 1 + len(eta_text) + len(info) - len(" " + style(_BOLD, eta_text))
        message = "\r" + bar + info if dynamic else bar + info
        if dynamic and self._prev_width > plain:
            message += " " * (self._prev_width - plain)
        if finalize:
            message += "\n"
        self.file.write(message)
        self.file.flush()
        self._prev_width = plain
        return True

    def _write_line(self, current, now, per_unit):
        if self.target is not None and self.target > 0:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:{digits}d}/{self.target}"
        else:
            count = f"{current}/Unknown"
        line = f"{count} - {now - self._start:.0f}s -{format_time(per_unit, self.unit_name)}"
        self.file.write(line + self._metrics_text() + "\n")
        self.file.flush()

    def _estimate_step_duration(self, current, now):
        """Seconds per step; the first (often slower, tracing) step is left out once more
        steps are done."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit
