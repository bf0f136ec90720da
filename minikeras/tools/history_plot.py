"""``plot_history``: the training curves of a ``fit``, one panel per metric.

Place in the stack: part of ``minikeras.tools``. ``model.fit`` returns a
``History`` callback whose ``.history`` maps each logged name to one value
per epoch: ``{"loss": [...], "val_loss": [...], "accuracy": [...]}``. This
file draws it with matplotlib, a training name and its ``val_`` twin in the
same panel, so that over-fitting shows as the two curves parting.

Read next: ``layer_statistics.py`` (what happens inside the layers while the
curves move).
"""


def history_curves(history):
    """Groups a history's names by metric: ``{"loss": ["loss", "val_loss"], ...}``.

    Args:
        history: a ``History`` (what ``fit`` returns) or its ``.history`` dict.
    Returns:
        A dict from each metric (without ``val_``) to the names logged for it,
        the training name first, in the order ``fit`` logged them.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict):
        raise TypeError(f"plot_history expects a History or a dict of lists, received {type(history).__name__}")
    curves = {}
    for name in logs:
        metric = name[len("val_"):] if name.startswith("val_") else name
        curves.setdefault(metric, []).append(name)
    for names in curves.values():
        names.sort(key=lambda name: name.startswith("val_"))
    return curves


def plot_history(history, metrics=None, figsize=None):
    """Draws each metric's value per epoch, training and validation together.

    Args:
        history: a ``History`` (what ``fit`` returns) or its ``.history`` dict.
        metrics: the metrics to draw (``["loss"]``); default all of them.
        figsize: the figure's ``(width, height)`` in inches; default 4 by 3
            per panel.
    Returns:
        The ``matplotlib.figure.Figure`` (one panel per metric, x axis the
        epoch counted from 1). In a notebook it shows once at the end of the
        cell; assign it (``figure = plot_history(h)``) to avoid a second copy.
    """
    import matplotlib.pyplot as plt

    logs = getattr(history, "history", history)
    curves = history_curves(history)
    metrics = list(curves) if metrics is None else list(metrics)
    unknown = [metric for metric in metrics if metric not in curves]
    if not metrics or unknown:
        raise ValueError(f"plot_history: unknown metrics {unknown}; the history holds {sorted(curves)}")
    figure, axes = plt.subplots(1, len(metrics), figsize=figsize or (4 * len(metrics), 3), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for name in curves[metric]:
            values = [float(value) for value in logs[name]]
            ax.plot(range(1, len(values) + 1), values, marker="o", label=name)
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.legend()
    figure.tight_layout()
    return figure
