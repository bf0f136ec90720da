"""Small self-made objects shared by the saving tests (no model classes needed)."""

import io
import json
import zipfile

import numpy as np

from minikeras import ops
from minikeras import saving
from minikeras.layers import Layer


@saving.register_keras_serializable(package="SavingTests")
class Linear(Layer):
    """y = x @ w + b, with a config, for tests that need a small saveable layer."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units)
        return config


@saving.register_keras_serializable(package="SavingTests")
class TwoBlocks(Layer):
    """A layer holding sublayers in an attribute and in a list (object-graph paths)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.head = Linear(2)
        self.blocks = [Linear(3), Linear(3)]

    def build(self, input_shape):
        # Sublayers are built by running them once on zeros of the input's shape.
        self.call(np.zeros([1 if size is None else size for size in input_shape], "float32"))

    def call(self, inputs):
        return self.head(self.blocks[1](self.blocks[0](inputs)))


def built(layer, features=3):
    layer(np.ones((2, features), "float32"))
    return layer


def rewrite_member(path, member, transform):
    """Rewrites one member of a .keras archive with ``transform(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as archive:
        contents = {info.filename: archive.read(info) for info in archive.infolist()}
    contents[member] = transform(contents[member])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


def rewrite_config(path, edit):
    """Applies ``edit(config_dict)`` (in place) to the archive's config.json."""
    def transform(data):
        config = json.loads(data)
        edit(config)
        return json.dumps(config).encode()
    rewrite_member(path, "config.json", transform)


def h5_bytes(writer_function):
    import h5py
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        writer_function(file)
    return buffer.getvalue()
