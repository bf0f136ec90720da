"""Masks as Keras's masking guide shows them: ``x._keras_mask`` on symbolic and eager tensors.

A layer that defines ``compute_mask`` supports masking without saying so
(Keras's rule); a layer that does not define it drops the mask unless it sets
``supports_masking = True``; the symbolic mask has Keras's shape.
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.layers

import minikeras  # noqa: E402


def custom_layers(k):
    class ZeroMasking(k.layers.Layer):  # compute_mask only: supports masking by Keras's rule
        def call(self, inputs):
            return k.ops.cast(inputs, "float32")[..., None] * k.ops.ones((1, 1, 4))

        def compute_mask(self, inputs, mask=None):
            return k.ops.not_equal(inputs, 0)

    class PassThrough(k.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs):
            return k.ops.relu(inputs)

    class Drops(k.layers.Layer):  # neither: the mask stops here
        def call(self, inputs):
            return inputs * 2.0

    return ZeroMasking, PassThrough, Drops


def mask_shapes(k):
    ZeroMasking, PassThrough, Drops = custom_layers(k)
    inputs = k.Input((None,), dtype="int32")
    tensors = {"embedding": k.layers.Embedding(20, 4, mask_zero=True)(inputs)}
    tensors["pass_through"] = PassThrough()(tensors["embedding"])
    tensors["lstm_sequences"] = k.layers.LSTM(3, return_sequences=True)(tensors["pass_through"])
    tensors["lstm_last"] = k.layers.LSTM(3)(tensors["lstm_sequences"])
    tensors["drops"] = Drops(name="drops")(tensors["pass_through"])
    tensors["custom"] = ZeroMasking()(inputs)
    tensors["masking"] = k.layers.Masking()(k.Input((5, 2)))
    symbolic = {name: _shape(getattr(tensor, "_keras_mask", None)) for name, tensor in tensors.items()}
    ids = np.array([[3, 0, 5], [0, 0, 1]], dtype="int32")
    embedded = k.layers.Embedding(20, 4, mask_zero=True)(ids)
    custom = ZeroMasking()(ids)
    eager = {"embedding": np.asarray(embedded._keras_mask).tolist(), "custom": np.asarray(custom._keras_mask).tolist(),
             "pass_through": np.asarray(PassThrough()(embedded)._keras_mask).tolist(),
             "drops": getattr(Drops(name="drops_eager")(embedded), "_keras_mask", None)}
    return symbolic, eager


def _shape(mask):
    return None if mask is None else tuple(mask.shape)


def test_symbolic_and_eager_masks_match_keras():
    with pytest.warns(UserWarning, match="'drops' .* does not support masking") as ours:
        mine = mask_shapes(minikeras)
    with pytest.warns(UserWarning, match="does not support masking") as theirs:
        expected = mask_shapes(keras)
    assert mine == expected
    assert [str(w.message) for w in ours if "masking" in str(w.message)] == \
        [str(w.message) for w in theirs if "masking" in str(w.message)]
    ZeroMasking, _, Drops = custom_layers(minikeras)
    assert ZeroMasking().supports_masking and not Drops().supports_masking
