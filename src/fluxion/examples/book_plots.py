"""The book's chapter-1 figures drawn from `fluxion.examples.book` results, with matplotlib.

Figures 21 and 23 (accuracy and loss per epoch, train vs validation) become one
`<experiment>_curves.png` per single-model experiment; Figure 25 (accuracy of the five MNIST
variants) `mnist_models.png`; Figures 24, 26, 27-29 and 30 (the dropout, learning-rate,
hidden-size and batch-size studies) one `sweep_<name>.png` each.
"""

SWEEP_AXES = {
    "dropout": ("dropout rate", "linear"),
    "learning_rate": ("Adam learning rate", "log"),
    "n_hidden": ("hidden units per layer", "log"),
    "batch_size": ("batch size", "log"),
}


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _curves(plt, result, path):
    from matplotlib import ticker

    """Accuracy and loss per epoch, train vs validation (the book's Figures 21 and 23)."""
    history = result.history
    epochs = range(1, len(history["loss"]) + 1)
    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    for axis, metric in zip(axes, ("accuracy", "loss")):
        axis.plot(epochs, history[metric], label="train", marker=".")
        axis.plot(epochs, history["val_" + metric], label="validation", marker=".")
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        axis.set_ylabel(metric)
        axis.set_title(f"{result.label}: {metric}")
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _models(plt, results, path):
    """Train / validation / test accuracy of the MNIST variants side by side (Figure 25)."""
    figure, axis = plt.subplots(figsize=(9, 4))
    width = 0.27
    positions = range(len(results))
    for offset, (key, name) in enumerate((("train", "train"), ("val", "validation"),
                                          ("test", "test"))):
        axis.bar([p + (offset - 1) * width for p in positions],
                 [100 * getattr(r, key) for r in results], width, label=name)
    axis.set_xticks(list(positions))
    axis.set_xticklabels([f"{r.label}\n({r.epochs} epochs)" for r in results], fontsize=8)
    low = min(100 * min(r.train, r.val, r.test) for r in results)
    axis.set_ylim(max(0.0, low - 5), 100)
    axis.set_ylabel("accuracy (%)")
    axis.set_title("MNIST: accuracy of the five variants")
    axis.grid(axis="y", alpha=0.3)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    figure.tight_layout()
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)


def _sweep(plt, results, param, path):
    """Accuracy against one hyperparameter (Figures 24, 26, 30); for hidden units also the
    parameter count and the seconds of training (Figures 27-29)."""
    label, scale = SWEEP_AXES.get(param, (param, "linear"))
    values = [r.value for r in results]
    panels = 3 if param == "n_hidden" else 1
    figure, axes = plt.subplots(1, panels, figsize=(5 * panels, 4), squeeze=False)
    axis = axes[0][-1]
    for key, name in (("train", "train"), ("val", "validation"), ("test", "test")):
        axis.plot(values, [100 * getattr(r, key) for r in results], marker="o", label=name)
    axis.set_ylabel("accuracy (%)")
    axis.set_title(f"accuracy vs {label} ({results[0].epochs} epochs)")
    axis.legend()
    if panels == 3:
        axes[0][0].plot(values, [r.params for r in results], marker="o")
        axes[0][0].set_ylabel("parameters")
        axes[0][0].set_title("number of parameters")
        axes[0][1].plot(values, [r.seconds for r in results], marker="o")
        axes[0][1].set_ylabel("seconds")
        axes[0][1].set_title("training time")
    for axis in axes[0]:
        axis.set_xscale(scale)
        axis.set_xticks(values)
        axis.set_xticklabels([str(v) for v in values])
        axis.minorticks_off()
        axis.set_xlabel(label)
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_plots(results, out):
    """Writes the PNG files for `results` into the folder `out`.

    Args:
        results: `fluxion.examples.book.Result` objects, in run order.
        out: a `pathlib.Path` folder that exists.

    Returns:
        The names of the files written, or None when matplotlib is not installed.

    Example:
    >>> write_plots(results, Path("book_results"))  # doctest: +SKIP
    ['v4_rmsprop_curves.png', 'v5_adam_curves.png', 'mnist_models.png']
    """
    plt = _pyplot()
    if plt is None:
        return None
    written = []
    singles = [r for r in results if r.value is None]
    for result in singles:
        name = f"{result.experiment}_curves.png"
        _curves(plt, result, out / name)
        written.append(name)
    mnist = [r for r in singles if r.experiment.startswith("v")]
    if len(mnist) > 1:
        _models(plt, mnist, out / "mnist_models.png")
        written.append("mnist_models.png")
    sweeps = {}
    for result in results:
        if result.value is not None:
            sweeps.setdefault(result.experiment, []).append(result)
    for experiment, runs in sweeps.items():
        param = runs[0].label.split("=")[0]
        _sweep(plt, runs, param, out / f"{experiment}.png")
        written.append(f"{experiment}.png")
    return written
