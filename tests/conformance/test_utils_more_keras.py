"""keras.utils.Config, keras.utils.legacy (and bounding_boxes, model_to_dot) against Keras 3."""

import numpy as np
import pytest

import minikeras
from minikeras import utils

keras = pytest.importorskip("keras")

pytestmark = pytest.mark.training


def test_config_behaves_like_keras():
    ours, theirs = utils.Config(b=1, a=2), keras.utils.Config(b=1, a=2)
    for config in (ours, theirs):
        config.c = 3
        config["d"] = 4
    assert list(ours) == list(theirs) and ours.as_dict() == theirs.as_dict() and ours.to_json() == theirs.to_json()
    assert repr(ours) == repr(theirs)
    for config in (ours, theirs):
        config.freeze()
    for config in (ours, theirs):
        with pytest.raises(ValueError, match="frozen"):
            config.e = 5
        with pytest.raises(AttributeError) as error:
            config.aa
        assert "Unknown attribute: 'aa'." in str(error.value)


def test_legacy_dicts_are_the_same_and_read_by_the_other_library():
    ours = utils.legacy.serialize_keras_object(minikeras.layers.Dense(2, activation="relu", name="d"))
    theirs = keras.utils.legacy.serialize_keras_object(keras.layers.Dense(2, activation="relu", name="d"))
    assert ours["class_name"] == theirs["class_name"] == "Dense"
    for key in ("units", "activation", "use_bias", "name"):
        assert ours["config"][key] == theirs["config"][key]
    rebuilt = utils.legacy.deserialize_keras_object(theirs, module_objects={"Dense": minikeras.layers.Dense})
    assert rebuilt.units == 2 and rebuilt.name == "d"
    rebuilt = keras.utils.legacy.deserialize_keras_object(ours, module_objects={"Dense": keras.layers.Dense})
    assert rebuilt.units == 2


BOXES = np.array([[[10.0, 20.0, 50.0, 60.0], [70.0, 80.0, 100.0, 120.0], [-1.0, -1.0, -1.0, -1.0]],
                  [[0.0, 0.0, 30.0, 40.0], [5.0, 5.0, 25.0, 45.0], [60.0, 10.0, 90.0, 70.0]]], "float32")  # (2, 3, 4)


def _close(ours, theirs):
    if isinstance(theirs, dict):
        assert sorted(ours) == sorted(theirs)
        for key in theirs:
            _close(ours[key], theirs[key])
        return
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("source, target", [("xyxy", "center_yxhw"), ("xyxy", "rel_xywh"), ("rel_xyxy", "rel_yxyx"),
                                            ("center_xywh", "rel_center_xywh"), ("yxyx", "xywh")])
def test_convert_format_matches_keras(source, target):
    boxes = BOXES / 200.0 if source.startswith("rel_") else BOXES
    kwargs = dict(source=source, target=target, height=200, width=150)
    _close(utils.bounding_boxes.convert_format(boxes, **kwargs), keras.utils.bounding_boxes.convert_format(boxes, **kwargs))


def test_box_geometry_matches_keras():
    ours, theirs = utils.bounding_boxes, keras.utils.bounding_boxes
    labelled = {"boxes": BOXES * 2, "labels": np.array([[1, 2, 3], [4, 5, 6]])}
    _close(ours.clip_to_image_size(dict(labelled), height=100, width=120),
           theirs.clip_to_image_size(dict(labelled), height=100, width=120))
    _close(ours.crop(BOXES, top=10, left=20, height=40, width=30), theirs.crop(BOXES, top=10, left=20, height=40, width=30))
    _close(ours.pad(BOXES, top=3, left=4), theirs.pad(BOXES, top=3, left=4))
    angles = dict(angle=np.array([30.0, -10.0], "float32"), translate_x=np.array([0.1, 0.0], "float32"),
                  translate_y=np.array([0.0, -0.2], "float32"), scale=np.array([1.0, 1.5], "float32"),
                  shear_x=np.array([0.0, 5.0], "float32"), shear_y=np.array([10.0, 0.0], "float32"), height=128, width=96)
    _close(ours.affine_transform(BOXES, **angles), theirs.affine_transform(BOXES, **angles))


def test_overlaps_and_deltas_match_keras():
    ours, theirs = utils.bounding_boxes, keras.utils.bounding_boxes
    for kwargs in (dict(bounding_box_format="xyxy"), dict(bounding_box_format="xyxy", use_masking=True),
                   dict(bounding_box_format="rel_xyxy", image_shape=(200, 150, 3))):
        _close(ours.compute_iou(BOXES, BOXES[:, ::-1], **kwargs), theirs.compute_iou(BOXES, BOXES[:, ::-1], **kwargs))
    _close(ours.compute_iou(BOXES, BOXES[0], "xyxy"), theirs.compute_iou(BOXES, BOXES[0], "xyxy"))  # (B,N,4) x (M,4)
    _close(ours.compute_ciou(BOXES[1], BOXES[1, ::-1], "xyxy"), theirs.compute_ciou(BOXES[1], BOXES[1, ::-1], "xyxy"))
    anchors = BOXES[1]
    kwargs = dict(anchor_format="xyxy", box_format="xywh", variance=[0.1, 0.1, 0.2, 0.2])
    deltas = ours.encode_box_to_deltas(anchors, BOXES[1] + 2.0, **kwargs)
    _close(deltas, theirs.encode_box_to_deltas(anchors, BOXES[1] + 2.0, **kwargs))
    _close(ours.decode_deltas_to_boxes({"p3": anchors}, {"p3": deltas}, **kwargs),
           theirs.decode_deltas_to_boxes({"p3": anchors}, {"p3": deltas}, **kwargs))


def _two_input_model(library):
    layers = library.layers
    inner = library.Sequential([library.Input((4,), name="in_inner"), layers.Dense(4, name="inner_dense"),
                                layers.ReLU(name="inner_relu")], name="inner")
    a, b = library.Input((3,), name="a"), library.Input((4,), name="b")
    joined = layers.Concatenate(name="cat")([layers.Dense(4, activation="relu", name="dense_a")(a), inner(b)])
    return library.Model([a, b], layers.Dense(1, name="out")(joined), name="two_inputs")


def _labels_and_edges(dot):
    labels = {}

    def walk(graph):
        labels.update({node.get_name(): node.get("label") for node in graph.get_nodes() if node.get("label")})
        for sub in graph.get_subgraphs():
            walk(sub)

    walk(dot)
    name = {key: label.split("<b>")[1].split("</b>")[0] for key, label in labels.items()}
    edges = []

    def walk_edges(graph):
        edges.extend((name[edge.get_source()], name[edge.get_destination()]) for edge in graph.get_edges())
        for sub in graph.get_subgraphs():
            walk_edges(sub)

    walk_edges(dot)
    return sorted(labels.values()), sorted(edges), [sub.get_name() for sub in dot.get_subgraphs()]


@pytest.mark.parametrize("expand_nested", [False, True])
def test_model_to_dot_gives_keras_boxes_labels_and_edges(expand_nested):
    pytest.importorskip("pydot")
    options = dict(show_shapes=True, show_dtype=True, show_layer_activations=True, show_trainable=True,
                   expand_nested=expand_nested)
    assert (_labels_and_edges(utils.model_to_dot(_two_input_model(minikeras), **options))
            == _labels_and_edges(keras.utils.model_to_dot(_two_input_model(keras), **options)))
