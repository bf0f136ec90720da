"""``summary()`` prints exactly Keras 3.15's tables (pinned below, captured
once from real Keras with the same models and ``line_length``)."""

import pytest

import minikeras as keras
from minikeras.models import summary as summary_module

L = keras.layers

CONVNET_76 = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ conv2d (Conv2D)                 │ (None, 26, 26, 64)     │           640 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d_1 (Conv2D)               │ (None, 24, 24, 64)     │        36,928 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ max_pooling2d (MaxPooling2D)    │ (None, 12, 12, 64)     │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d_2 (Conv2D)               │ (None, 10, 10, 128)    │        73,856 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ conv2d_3 (Conv2D)               │ (None, 8, 8, 128)      │       147,584 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ global_average_pooling2d        │ (None, 128)            │             0 │
│ (GlobalAveragePooling2D)        │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 128)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 10)             │         1,290 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 260,298 (1016.79 KB)
 Trainable params: 260,298 (1016.79 KB)
 Non-trainable params: 0 (0.00 B)
"""

FUNCTIONAL_90 = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)             ┃ Output Shape         ┃      Param # ┃ Connected to          ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)           │ (None, 8)            │            0 │ -                     │
├──────────────────────────┼──────────────────────┼──────────────┼───────────────────────┤
│ b (InputLayer)           │ (None, 4)            │            0 │ -                     │
├──────────────────────────┼──────────────────────┼──────────────┼───────────────────────┤
│ dense (Dense)            │ (None, 16)           │          144 │ a[0][0]               │
├──────────────────────────┼──────────────────────┼──────────────┼───────────────────────┤
│ dense_1 (Dense)          │ (None, 16)           │           80 │ b[0][0]               │
├──────────────────────────┼──────────────────────┼──────────────┼───────────────────────┤
│ concatenate              │ (None, 32)           │            0 │ dense[0][0],          │
│ (Concatenate)            │                      │              │ dense_1[0][0]         │
├──────────────────────────┼──────────────────────┼──────────────┼───────────────────────┤
│ score (Dense)            │ (None, 1)            │           33 │ concatenate[0][0]     │
├──────────────────────────┼──────────────────────┼──────────────┼───────────────────────┤
│ cls (Dense)              │ (None, 3)            │           99 │ concatenate[0][0]     │
└──────────────────────────┴──────────────────────┴──────────────┴───────────────────────┘
 Total params: 356 (1.39 KB)
 Trainable params: 356 (1.39 KB)
 Non-trainable params: 0 (0.00 B)
"""

FUNCTIONAL_60_TRAINABLE = """\
Model: "functional"
┏━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━┓
┃               ┃ Output      ┃  Param ┃ Connected   ┃     ┃
┃ Layer (type)  ┃ Shape       ┃      # ┃ to          ┃ Tr… ┃
┡━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━┩
│ a             │ (None, 8)   │      0 │ -           │  -  │
│ (InputLayer)  │             │        │             │     │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ b             │ (None, 4)   │      0 │ -           │  -  │
│ (InputLayer)  │             │        │             │     │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ dense (Dense) │ (None, 16)  │    144 │ a[0][0]     │  Y  │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ dense_1       │ (None, 16)  │     80 │ b[0][0]     │  Y  │
│ (Dense)       │             │        │             │     │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ concatenate   │ (None, 32)  │      0 │ dense[0][0… │  -  │
│ (Concatenate) │             │        │ dense_1[0]… │     │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ score (Dense) │ (None, 1)   │     33 │ concatenat… │  Y  │
├───────────────┼─────────────┼────────┼─────────────┼─────┤
│ cls (Dense)   │ (None, 3)   │     99 │ concatenat… │  Y  │
└───────────────┴─────────────┴────────┴─────────────┴─────┘
 Total params: 356 (1.39 KB)
 Trainable params: 356 (1.39 KB)
 Non-trainable params: 0 (0.00 B)
"""

NESTED_EXPAND_TRAINABLE_76 = """\
Model: "outer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ inner (Sequential)          │ (None, 4)             │         32 │   N   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│    └ inner_dense (Dense)    │ (None, 4)             │         16 │   N   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│    └ batch_normalization    │ (None, 4)             │         16 │   N   │
│ (BatchNormalization)        │                       │            │       │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ head (Dense)                │ (None, 2)             │         10 │   Y   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 42 (168.00 B)
 Trainable params: 10 (40.00 B)
 Non-trainable params: 32 (128.00 B)
"""

SHARED_70 = """\
Model: "shared_model"
┏━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)       ┃ Output Shape    ┃  Param # ┃ Connected to     ┃
┡━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━┩
│ x (InputLayer)     │ (None, 3)       │        0 │ -                │
├────────────────────┼─────────────────┼──────────┼──────────────────┤
│ a_really_long_lay… │ (None, 4)       │       16 │ x[0][0]          │
│ (Dense)            │                 │          │                  │
├────────────────────┼─────────────────┼──────────┼──────────────────┤
│ shared (Dense)     │ (None, 4)       │       20 │ a_really_long_l… │
│                    │                 │          │ shared[0][0]     │
└────────────────────┴─────────────────┴──────────┴──────────────────┘
 Total params: 36 (144.00 B)
 Trainable params: 36 (144.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def capture(model, **kwargs):
    texts = []
    model.summary(print_fn=texts.append, **kwargs)
    assert len(texts) == 1  # one call with the whole text, as Keras
    return texts[0]


@pytest.fixture(autouse=True)
def fresh_names():
    keras.utils.clear_session()


def guide_convnet():
    """The MNIST convnet of the "Getting started with Keras" guide."""
    return keras.Sequential([
        L.Input(shape=(28, 28, 1)),
        L.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        L.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        L.MaxPooling2D(pool_size=(2, 2)),
        L.Conv2D(128, kernel_size=(3, 3), activation="relu"),
        L.Conv2D(128, kernel_size=(3, 3), activation="relu"),
        L.GlobalAveragePooling2D(),
        L.Dropout(0.5),
        L.Dense(10, activation="softmax"),
    ])


def multi_io_model():
    a = keras.Input((8,), name="a")
    b = keras.Input((4,), name="b")
    x = L.Dense(16, activation="relu", name="dense")(a)
    y = L.Dense(16, name="dense_1")(b)
    c = L.Concatenate(name="concatenate")([x, y])
    return keras.Model([a, b], [L.Dense(1, name="score")(c), L.Dense(3, name="cls")(c)])


def test_guide_convnet():
    model = guide_convnet()
    assert capture(model, line_length=76) == CONVNET_76
    assert model.count_params() == 260_298


def test_functional_with_connected_to():
    assert capture(multi_io_model(), line_length=90) == FUNCTIONAL_90


def test_narrow_table_wraps_and_cuts_with_ellipsis():
    assert capture(multi_io_model(), line_length=60, show_trainable=True) == FUNCTIONAL_60_TRAINABLE


def test_nested_expanded_and_frozen():
    inner = keras.Sequential([L.Dense(4, name="inner_dense"),
                              L.BatchNormalization(name="batch_normalization")], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, L.Dense(2, name="head")], name="outer")
    inner.trainable = False
    assert capture(outer, line_length=76, expand_nested=True, show_trainable=True) == \
        NESTED_EXPAND_TRAINABLE_76


def test_shared_layer_and_long_names():
    inputs = keras.Input((3,), name="x")
    hidden = L.Dense(4, name="a_really_long_layer_name_for_wrapping_tests")(inputs)
    shared = L.Dense(4, name="shared")
    model = keras.Model(inputs, shared(shared(hidden)), name="shared_model")
    assert capture(model, line_length=70) == SHARED_70


def test_unbuilt_layers_show_question_marks():
    text = capture(keras.Sequential([L.Dense(4, name="d")]), line_length=60)
    assert "│ d (Dense)                │ ?                 │         0 │\n" \
           "│                          │                   │ (unbuilt) │" in text
    assert " Total params: 0 (0.00 B)" in text


def test_layer_range_and_errors():
    text = capture(guide_convnet(), line_length=76, layer_range=["conv2d_2", "dropout"])
    assert "conv2d_1 (Conv2D)" not in text and "conv2d_2 (Conv2D)" in text and "dense (Dense)" not in text
    with pytest.raises(ValueError, match="do not match the layer names"):
        capture(guide_convnet(), layer_range=["zzz", "dense"])
    with pytest.raises(ValueError, match="Insufficient console width"):
        capture(guide_convnet(), line_length=10)


def test_memory_sizes():
    assert summary_module.readable_memory_size(260_298 * 4) == "1016.79 KB"
    assert summary_module.readable_memory_size(0) == "0.00 B"
    assert summary_module.readable_memory_size(3 * 1024 ** 2) == "3.00 MB"


def test_prints_plain_text_to_stdout(capsys):
    model = guide_convnet()
    model.summary(line_length=76)
    out = capsys.readouterr().out
    assert out == CONVNET_76 and "\x1b" not in out
