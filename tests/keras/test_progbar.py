"""The progress bar's text (times fixed by a fake clock): verbose 1 on a terminal and when
redirected, verbose 2, throttling, and ProgbarLogger's epoch lines."""
import io
import re

import pytest

from fluxion.keras import callbacks as cbks
from fluxion.keras.trainers import progbar as pb

BAR = "━" * 20
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Clock:
    def __init__(self, step=0.005):
        self.now, self.step = 100.0, step

    def __call__(self):
        self.now += self.step
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(pb, "_clock", c)
    return c


class Terminal(io.StringIO):
    def isatty(self):
        return True


def normalise(text):
    """Replaces the times (elapsed seconds and time per step) by T."""
    text = re.sub(r"\d+(ms|us|s)/step", "T/step", text)
    return re.sub(r"(━ |- )\d+s ", r"\1Ts ", text)


def run(bar, steps, values):
    for i in range(steps):
        bar.update(i + 1, values)


def test_verbose_1_redirected_prints_only_the_final_line(clock):
    out = io.StringIO()
    bar = pb.Progbar(375, verbose=1, file=out, stateful_metrics=["accuracy", "loss"])
    clock.step = 0.005
    run(bar, 375, [("accuracy", 0.88431), ("loss", 0.40691)])
    assert out.getvalue() == f"375/375 {BAR} 2s 5ms/step - accuracy: 0.8843 - loss: 0.4069\n"


def test_verbose_1_on_a_terminal_redraws_in_place_with_throttling(clock):
    out = Terminal()
    bar = pb.Progbar(10, verbose=1, file=out, interval=0.05)
    clock.step = 0.02  # three updates per interval
    run(bar, 10, [("loss", 0.5)])
    text = out.getvalue()
    frames = text.split("\r")[1:]
    assert 3 <= len(frames) < 10  # throttled, but the last one is always drawn
    last = ANSI.sub("", frames[-1])
    assert last.startswith(f"10/10 {BAR} 0s 20ms/step - loss: 0.5000")
    assert last.endswith("\n")
    first = ANSI.sub("", frames[0])
    assert re.match(r" 1/10 ━{2}━{18} 0s 20ms/step - loss: 0.5000$", first)
    assert "\x1b[32m" in text  # coloured on a terminal


def test_eta_is_shown_before_the_end(clock):
    out = Terminal()
    bar = pb.Progbar(100, verbose=1, file=out, interval=0)
    clock.step = 2.0
    bar.update(1)
    bar.update(2)
    frame = ANSI.sub("", out.getvalue().split("\r")[-1])
    assert frame.startswith(f"  2/100 {BAR[:0]}") and " 3:16 2s/step" in frame


def test_verbose_2_one_line_at_the_end(clock):
    out = io.StringIO()
    bar = pb.Progbar(375, verbose=2, file=out, stateful_metrics=["loss"])
    run(bar, 375, [("loss", 0.40691)])
    assert out.getvalue() == "375/375 - 2s - 5ms/step - loss: 0.4069\n"


def test_stateless_metrics_are_averaged_and_small_values_use_exponents(clock):
    out = io.StringIO()
    bar = pb.Progbar(3, verbose=2, file=out)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 3.0)])
    bar.update(3, [("loss", 0.0002)])  # the final value is shown as given
    assert out.getvalue().endswith("- loss: 2.0000e-04\n")
    assert pb.format_value(2.0) == "2.0000" and pb.format_time(2e-5, "step") == " 20us/step"


def test_unknown_target(clock):
    out = Terminal()
    bar = pb.Progbar(None, verbose=1, file=out, interval=0)
    bar.update(5)
    assert ANSI.sub("", out.getvalue()).startswith("\r      5/Unknown")


def test_verbose_0_is_silent(clock, capsys):
    run(pb.Progbar(5, verbose=0), 5, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_progbar_logger_prints_epochs_and_validation_metrics(clock, capsys):
    logger = cbks.ProgbarLogger()
    cbl = cbks.CallbackList([logger], epochs=2, steps=3, verbose=1)
    cbl.on_train_begin()
    for epoch in range(2):
        cbl.on_epoch_begin(epoch)
        for batch in range(3):
            cbl.on_train_batch_end(batch, {"accuracy": 0.5, "loss": 1.0 / (batch + 1)})
        cbl.on_epoch_end(epoch, {"accuracy": 0.5, "loss": 0.3333, "val_accuracy": 0.25,
                                 "val_loss": 0.75})
    cbl.on_train_end()
    lines = normalise(capsys.readouterr().out).splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1] == (f"3/3 {BAR} Ts T/step - accuracy: 0.5000 - loss: 0.3333 - "
                        "val_accuracy: 0.2500 - val_loss: 0.7500")


def test_progbar_logger_verbose_2_and_evaluate(clock, capsys):
    cbl = cbks.CallbackList([], add_progbar=True, epochs=1, steps=2, verbose=2)
    cbl.on_train_begin()
    cbl.on_epoch_begin(0)
    for batch in range(2):
        cbl.on_train_batch_end(batch, {"loss": 0.5})
    cbl.on_epoch_end(0, {"loss": 0.5})
    assert normalise(capsys.readouterr().out) == "2/2 - Ts - T/step - loss: 0.5000\n"
    evaluate = cbks.CallbackList([], add_progbar=True, steps=4, verbose=1, epochs=1)
    evaluate.on_test_begin()
    for batch in range(4):
        evaluate.on_test_batch_end(batch, {"loss": 0.25})
    evaluate.on_test_end({"loss": 0.25})
    assert normalise(capsys.readouterr().out) == f"4/4 {BAR} Ts T/step - loss: 0.2500\n"
