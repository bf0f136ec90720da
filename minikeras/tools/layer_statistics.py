"""Per-layer activation and gradient statistics: what to look at when a network will not train.

Place in the stack: part of ``minikeras.tools``, above the models and
callbacks it uses. ``layer_statistics(model, x, y)`` runs one batch through
the model on a ``GradientTape`` and reads, for every layer:

* its **activations** (the layer's output): their spread, and the fraction of
  *dead units*, units that output exactly 0 for every sample of the batch (a
  ReLU unit whose input is always negative never passes a gradient again);
* the **gradient of the loss with respect to those activations**, which shows
  whether the learning signal reaches the layer or vanishes on the way back;
* the **gradient of its weights** relative to the weights themselves (how big
  a step the optimizer is shown).

The layer outputs come from a second functional model over the same layers,
``Model(model.inputs, [layer.output ...])``: Keras's feature-extraction
idiom, so the numbers are those of the real layers and weights. That needs a
model with a graph (functional, or Sequential started with ``keras.Input``).

``LayerStatistics`` is the same reading as a callback, once before training
and after every ``every`` epochs; ``plot_layer_histograms`` and
``plot_layer_trends`` draw them, and ``dead_layers`` names the layers that
have died. Read next: ``notebooks/06_a_network_that_will_not_train.ipynb``.
"""

from dataclasses import dataclass

import numpy as np

from minikeras import losses
from minikeras import ops
from minikeras.autodiff import GradientTape
from minikeras.callbacks import Callback
from minikeras.layers import InputLayer

SAMPLE_SIZE = 2000  # values kept per layer for the histograms


@dataclass
class LayerSnapshot:
    """The statistics of one layer on one batch.

    Attributes:
        name: the layer's name.
        activations: up to ``SAMPLE_SIZE`` of the layer's output values (1-D).
        activation_gradients: as many values of d loss / d output.
        activation_mean, activation_std: over the whole output.
        dead_fraction: the fraction of units (last axis) that are 0 for every sample.
        gradient_rms: root mean square of d loss / d output.
        weight_update_ratio: ``|d loss / d weights| / |weights|`` over the
            layer's trainable weights (NaN for a layer without any).
    """

    name: str
    activations: np.ndarray
    activation_gradients: np.ndarray
    activation_mean: float
    activation_std: float
    dead_fraction: float
    gradient_rms: float
    weight_update_ratio: float


def _sample(values, rng):
    flat = np.asarray(values, dtype="float64").reshape(-1)
    return flat if flat.size <= SAMPLE_SIZE else rng.choice(flat, SAMPLE_SIZE, replace=False)


def _dead_fraction(output):
    units = np.asarray(output).reshape(-1, np.shape(output)[-1])  # (samples and positions, units)
    return float(np.mean(np.all(units == 0.0, axis=0)))


def layer_statistics(model, x, y, loss=None, training=False, seed=0):
    """Reads every layer's activations and gradients on one batch.

    Args:
        model: a functional or Sequential model with a graph (see the module docstring).
        x: one batch of inputs, shape ``(N, ...)``.
        y: its targets.
        loss: a loss name or function ``loss(y_true, y_pred)``; default the
            compiled loss (``model.loss``).
        training: the mode the layers run in (Dropout, BatchNormalization).
        seed: chooses the values kept for the histograms.
    Returns:
        ``{layer name: LayerSnapshot}``, in the model's layer order (inputs left out).
    """
    from minikeras.models import Model

    if getattr(model, "_graph", None) is None:
        raise ValueError(
            f"layer_statistics needs a model with a graph (functional, or Sequential starting with "
            f"keras.Input); model '{model.name}' has none. Call it on data first or give it an Input.")
    loss = losses.get(loss if loss is not None else getattr(model, "loss", None))
    if loss is None:
        raise ValueError("layer_statistics: pass loss=..., or compile the model first.")
    layers = [layer for layer in model.layers if not isinstance(layer, InputLayer)]
    probe = Model(model.inputs, [layer.output for layer in layers] + list(model.outputs))
    # 1. One forward pass, recorded, keeping every layer's output.
    with GradientTape() as tape:
        outputs = probe(x, training=training)
        activations, prediction = outputs[:len(layers)], outputs[len(layers):]
        total = ops.mean(loss(y, prediction[0] if len(prediction) == 1 else prediction))
    # 2. One backward pass to every output and every weight at once.
    weights = [weight for layer in layers for weight in layer.trainable_weights]
    gradients = tape.gradient(total, list(activations) + weights)
    by_weight = dict(zip([id(weight) for weight in weights], gradients[len(activations):]))
    rng = np.random.default_rng(seed)
    snapshots = {}
    for layer, output, gradient in zip(layers, activations, gradients[:len(activations)]):
        values = np.asarray(output)
        gradient = np.zeros_like(values) if gradient is None else np.asarray(gradient)
        snapshots[layer.name] = LayerSnapshot(
            layer.name, _sample(values, rng), _sample(gradient, rng), float(values.mean()), float(values.std()),
            _dead_fraction(values), float(np.sqrt(np.mean(gradient.astype("float64") ** 2))),
            _update_ratio(layer.trainable_weights, by_weight))
    return snapshots


def _update_ratio(weights, by_weight):
    if not weights:
        return float("nan")
    gradient = np.sqrt(sum(float(np.sum(np.asarray(by_weight[id(w)]) ** 2)) for w in weights
                           if by_weight[id(w)] is not None))
    size = np.sqrt(sum(float(np.sum(np.asarray(w) ** 2)) for w in weights))
    return float(gradient / size) if size > 0 else float("inf")


def dead_layers(snapshots, threshold=0.9):
    """The names of the layers whose fraction of dead units is at least ``threshold``."""
    return [name for name, snapshot in snapshots.items() if snapshot.dead_fraction >= threshold]


class LayerStatistics(Callback):
    """Records ``layer_statistics`` on a fixed batch before training and every ``every`` epochs.

    Args:
        x, y: the batch to read the layers on (keep it small: 32-256 samples).
        every: read after every ``every``-th epoch.
        loss, training: as in ``layer_statistics``.

    Attributes:
        history: a list of ``(epoch, {layer name: LayerSnapshot})``; epoch 0
            is before training, epoch ``k`` after the ``k``-th.
    """

    def __init__(self, x, y, every=1, loss=None, training=False):
        super().__init__()
        self.x, self.y, self.every, self.loss, self.training = x, y, every, loss, training
        self.history = []

    def _read(self, epoch):
        self.history.append((epoch, layer_statistics(self.model, self.x, self.y, self.loss, self.training)))

    def on_train_begin(self, logs=None):
        self._read(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._read(epoch + 1)


def plot_layer_histograms(snapshots, layers=None):
    """Histograms of each layer's activations (top row) and their gradients (bottom row).

    Args:
        snapshots: what ``layer_statistics`` returns (or one entry of ``LayerStatistics.history``).
        layers: the layer names to draw; default all.
    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    names = list(snapshots) if layers is None else list(layers)
    figure, axes = plt.subplots(2, len(names), figsize=(2.4 * len(names), 4.2), squeeze=False)
    for column, name in enumerate(names):
        snapshot = snapshots[name]
        axes[0, column].hist(snapshot.activations, bins=30, histtype="stepfilled", color="#4a6fa5")
        axes[0, column].set_title(f"{name}\ndead {snapshot.dead_fraction:.0%}", fontsize=9)
        axes[1, column].hist(snapshot.activation_gradients, bins=30, histtype="stepfilled", color="#c0504d")
        axes[1, column].set_title(f"grad rms {snapshot.gradient_rms:.1e}", fontsize=9)
    axes[0, 0].set_ylabel("activations")
    axes[1, 0].set_ylabel("d loss / d activations")
    figure.subplots_adjust(hspace=0.55, wspace=0.35)
    return figure


def plot_layer_trends(history, statistic="dead_fraction"):
    """One line per layer: ``statistic`` (a ``LayerSnapshot`` field) against the epoch.

    Args:
        history: ``LayerStatistics.history``.
        statistic: ``"dead_fraction"``, ``"gradient_rms"``, ``"activation_std"``,
            ``"weight_update_ratio"``...
    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(5, 3))
    epochs = [epoch for epoch, _ in history]
    for name in history[0][1]:
        ax.plot(epochs, [getattr(snapshots[name], statistic) for _, snapshots in history], marker="o", label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(statistic)
    ax.legend(fontsize=8)
    figure.tight_layout()
    return figure
