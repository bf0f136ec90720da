"""The sequence and vision models of ``bench/compare.py``, built the same way for all three engines.

The layer issues added recurrent layers (``bench/sequence.py``) and vision
layers (``bench/train_vision.py``); issue 20's table takes one of each
family too, beside the guide convnet and the MLP:

* ``lstm``, ``gru``: LSTM(128) or GRU(128) over 64 sequences of 100 steps of
  32 features, the last output into Dense(10), mean squared error;
* ``autoencoder``: the convolutional denoising autoencoder of Keras's example
  (``minikeras/examples/denoising_autoencoder.py``), batch 128, binary
  crossentropy;
* ``separable``: SeparableConv2D(64, 3, "same", ReLU) on 32x32x64 feature
  maps, GlobalAveragePooling2D, Dense(10), batch 64, sparse categorical
  crossentropy from logits.

:func:`keras_model` builds them from whichever ``keras`` module it is given
(``minikeras`` or Keras 3: the same code, which is the point of minikeras);
:func:`torch_model` gives PyTorch's equivalents, reusing the two benchmark
scripts' definitions. The data are random with a fixed seed (the timing does
not depend on them).
"""

import numpy as np
import sequence
import train_vision

KINDS = ("lstm", "gru", "autoencoder", "separable")
LABELS = {"lstm": f"LSTM({sequence.UNITS}), {sequence.BATCH} x {sequence.STEPS} x {sequence.FEATURES}",
          "gru": f"GRU({sequence.UNITS}), {sequence.BATCH} x {sequence.STEPS} x {sequence.FEATURES}",
          "autoencoder": "denoising autoencoder, 28 x 28 x 1",
          "separable": "SeparableConv2D block, 32 x 32 x 64"}
BATCH = {"lstm": sequence.BATCH, "gru": sequence.BATCH, "autoencoder": train_vision.SHAPES["autoencoder"][0],
         "separable": train_vision.SHAPES["separable"][0]}


def batches(kind, count):
    """``count`` batches ``[(x, y), ...]`` of random data for ``kind`` (channels-last images)."""
    if kind in ("lstm", "gru"):
        x, y = sequence.data(count)
    else:
        x, y = train_vision.data(kind, count)
    size = BATCH[kind]
    return [(x[i:i + size], y[i:i + size]) for i in range(0, len(x), size)]


def keras_model(keras, kind):
    """``(model, loss)`` for ``kind``, built with the layers of ``keras`` (minikeras or Keras 3)."""
    layers = keras.layers
    if kind in ("lstm", "gru"):
        recurrent = layers.LSTM if kind == "lstm" else layers.GRU
        model = keras.Sequential([layers.Input((sequence.STEPS, sequence.FEATURES)), recurrent(sequence.UNITS),
                                  layers.Dense(sequence.OUTPUTS)])
        return model, "mse"
    if kind == "autoencoder":
        inputs = layers.Input(shape=(28, 28, 1))
        x = layers.Conv2D(32, 3, activation="relu", padding="same")(inputs)
        x = layers.MaxPooling2D(2, padding="same")(x)
        x = layers.Conv2D(32, 3, activation="relu", padding="same")(x)
        x = layers.MaxPooling2D(2, padding="same")(x)
        x = layers.Conv2DTranspose(32, 3, strides=2, activation="relu", padding="same")(x)
        x = layers.Conv2DTranspose(32, 3, strides=2, activation="relu", padding="same")(x)
        outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
        return keras.Model(inputs, outputs), "binary_crossentropy"
    model = keras.Sequential([layers.Input(train_vision.SHAPES["separable"][1:]),
                              layers.SeparableConv2D(64, 3, padding="same", activation="relu"),
                              layers.GlobalAveragePooling2D(), layers.Dense(10)])
    return model, keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def torch_model(kind):
    """``(model, loss function)`` in PyTorch; the model takes NCHW images, or (N, T, features) sequences."""
    from torch import nn

    if kind not in ("lstm", "gru"):
        return train_vision.torch_model(kind)

    class LastStep(nn.Module):
        """The recurrent layer, its last output into a Linear layer, as the Keras model."""

        def __init__(self):
            super().__init__()
            recurrent = nn.LSTM if kind == "lstm" else nn.GRU
            self.recurrent = recurrent(sequence.FEATURES, sequence.UNITS, batch_first=True)
            self.head = nn.Linear(sequence.UNITS, sequence.OUTPUTS)

        def forward(self, x):
            outputs, _ = self.recurrent(x)
            return self.head(outputs[:, -1])

    return LastStep(), nn.MSELoss()


def torch_batches(kind, count):
    """:func:`batches` as torch tensors, images in NCHW."""
    import torch

    def tensor(array):
        if array.ndim == 4:  # NHWC -> NCHW
            array = array.transpose(0, 3, 1, 2)
        return torch.from_numpy(np.ascontiguousarray(array))

    return [(tensor(x), tensor(y)) for x, y in batches(kind, count)]
