"""Muon, ScheduleFreeAdamW and MultiOptimizer (issue 18) take Keras 3's steps: five steps from the same
weights give the same weights and state, configs match and round-trip, and the state is saved in `.keras`
files as Keras lays it out."""

import h5py
import numpy as np
import pytest

import minikeras
from tests.conformance.test_optimizers_keras import _name

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.training

STEPS = 5
rng = np.random.default_rng(11)
# A tall matrix (Muon transposes it), a vector, and a wide "embedding" matrix (AdamW unless
# exclude_embeddings=False). Few shapes: each new shape costs Keras a compilation.
SHAPES = {"kernel": (3, 2), "bias": (2,), "embedding": (2, 4)}
INITIAL = {name: rng.standard_normal(shape).astype("float32") for name, shape in SHAPES.items()}
GRADIENTS = [{name: rng.standard_normal(shape).astype("float32") for name, shape in SHAPES.items()}
             for _ in range(STEPS)]


def _multi(library):
    optimizers = library.optimizers
    mapping = optimizers.OptimizerMap(optimizers.SGD(0.1, momentum=0.5, name="sgd"),
                                      {"kernel": optimizers.Adam(0.01, name="adam"),
                                       "emb.*": optimizers.Muon(0.02, name="muon", exclude_embeddings=False)})
    return optimizers.MultiOptimizer(mapping, name="multi_optimizer")


CASES = {
    "muon": lambda library: library.optimizers.Muon(0.01),
    "muon_options": lambda library: library.optimizers.Muon(
        0.05, nesterov=False, rms_rate=None, exclude_layers=["ker"], exclude_embeddings=False, ns_steps=3,
        adam_lr_ratio=0.5, weight_decay=0.01, adam_weight_decay=None, momentum=0.9),
    "schedule_free": lambda library: library.optimizers.ScheduleFreeAdamW(0.01),
    "schedule_free_warmup": lambda library: library.optimizers.ScheduleFreeAdamW(
        0.05, beta_1=0.8, warmup_steps=3, weight_decay=0.01, clipnorm=1.0),
    "multi": _multi,
}


def _train(library, case):
    variables = [library.Variable(INITIAL[name].copy(), name=name) for name in SHAPES]
    optimizer = CASES[case](library)
    for grads in GRADIENTS:
        optimizer.apply([grads[name].copy() for name in SHAPES], variables)
    return optimizer, variables


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_weights_and_state_after_five_steps(case):
    ours, our_weights = _train(minikeras, case)
    theirs, their_weights = _train(keras, case)
    for mine, reference in zip(our_weights, their_weights):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(reference), rtol=1e-4, atol=1e-5)
    assert [(_name(v), tuple(v.shape)) for v in ours.variables] == [
        (_name(v), tuple(v.shape)) for v in theirs.variables]
    for mine, reference in zip(ours.variables, theirs.variables):
        np.testing.assert_allclose(mine.numpy(), keras.ops.convert_to_numpy(reference), rtol=1e-4, atol=1e-5)


def _keras_serialized(optimizer):
    """Keras's ``optimizers.serialize(optimizer)``, assembled from ``get_config`` in the layout Keras 3.15.1
    writes (checked by running it): its first ``serialize`` call in a process takes seconds (imports)."""
    def plain(inner):
        return {"module": "keras.optimizers", "class_name": type(inner).__name__, "config": inner.get_config(),
                "registered_name": None}
    if not isinstance(optimizer, keras.optimizers.MultiOptimizer):
        return plain(optimizer)
    mapping = optimizer._optimizer_map
    map_config = {"default_optimizer": plain(mapping.default_optimizer),
                  "optimizer_map": {key: plain(value) for key, value in mapping.items()}}
    return {"module": "keras.optimizers", "class_name": "MultiOptimizer", "registered_name": None,
            "config": {"optimizer_map": {"module": "keras.optimizers", "class_name": "OptimizerMap",
                                         "config": map_config, "registered_name": None},
                       "loss_scale_factor": optimizer.loss_scale_factor, "name": optimizer.name}}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_config_and_round_trip(case):
    ours, theirs = CASES[case](minikeras), CASES[case](keras)
    our_config, their_config = minikeras.optimizers.serialize(ours), _keras_serialized(theirs)
    if case != "multi":  # the multi case names its optimizers; the others get auto-numbered names
        our_config["config"].pop("name"), their_config["config"].pop("name")
    assert our_config == their_config  # float32 learning rates read back the same in both
    rebuilt = minikeras.optimizers.deserialize(minikeras.optimizers.serialize(ours))
    assert type(rebuilt) is type(ours)
    assert minikeras.optimizers.serialize(rebuilt)["config"] == minikeras.optimizers.serialize(ours)["config"]


def test_multi_optimizer_routes_by_path_and_refuses_bad_maps():
    mapping = minikeras.optimizers.OptimizerMap(minikeras.optimizers.RMSprop(name="rmsprop"))
    mapping["encoder/.*"] = minikeras.optimizers.SGD(name="sgd")
    mapping["encoder/dense/kernel"] = minikeras.optimizers.Adam(name="adam")
    assert mapping["encoder/dense/kernel"].name == "adam"  # an exact key wins over a pattern
    assert mapping["encoder/attention/query"].name == "sgd"
    assert mapping["decoder/dense/kernel"].name == "rmsprop"
    with pytest.raises(ValueError, match="already exists"):
        mapping["encoder/.*"] = minikeras.optimizers.SGD()
    with pytest.raises(ValueError, match="LossScaleOptimizer"):
        mapping["x"] = minikeras.optimizers.LossScaleOptimizer(minikeras.optimizers.SGD())
    multi = minikeras.optimizers.MultiOptimizer(mapping)
    with pytest.raises(AttributeError, match="sub-optimizers"):
        multi.learning_rate


def _model_and_data(library, optimizer):
    model = library.Sequential([library.Input((3,)), library.layers.Dense(4, name="enc"),
                                library.layers.Dense(2, name="head")])
    model.compile(optimizer=optimizer, loss="mse")
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(4, 3)
    return model, x, np.ones((4, 2), "float32")


@pytest.mark.parametrize("make", [
    lambda library: library.optimizers.Muon(0.01),
    lambda library: library.optimizers.ScheduleFreeAdamW(0.01),
    lambda library: library.optimizers.MultiOptimizer(library.optimizers.OptimizerMap(
        library.optimizers.SGD(0.1, name="sgd"), {".*head.*": library.optimizers.Adam(0.01, name="adam")})),
], ids=["muon", "schedule_free", "multi"])
def test_fit_then_save_lays_state_out_as_keras(make, tmp_path):
    """``fit`` lowers the loss; the saved optimizer groups and arrays are Keras's; Keras loads the file."""
    model, x, y = _model_and_data(minikeras, make(minikeras))
    losses = model.fit(x, y, epochs=3, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    model.save(tmp_path / "m.keras")
    reference, _, _ = _model_and_data(keras, make(keras))
    reference.optimizer.build(reference.trainable_variables)  # its slots, without compiling a fit
    reference.save(tmp_path / "k.keras")
    ours, theirs = _optimizer_layout(tmp_path / "m.keras"), _optimizer_layout(tmp_path / "k.keras")
    assert ours == theirs
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    for mine, theirs in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    loaded_variables = [keras.ops.convert_to_numpy(v) for v in loaded.optimizer.variables]
    for mine, theirs in zip(model.optimizer.variables, loaded_variables):
        np.testing.assert_allclose(mine.numpy(), theirs, atol=1e-6)


def _optimizer_layout(path):
    """``{h5 path of each optimizer array: its shape}`` inside a ``.keras`` archive."""
    import io
    import zipfile
    with zipfile.ZipFile(path) as archive:
        data = archive.read("model.weights.h5")
    layout = {}
    with h5py.File(io.BytesIO(data), "r") as weights:
        weights["optimizer"].visititems(
            lambda name, item: layout.__setitem__(name, item.shape) if isinstance(item, h5py.Dataset) else None)
    return layout
