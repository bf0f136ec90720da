"""The data-source examples of the seed articles, run with ``import minikeras as keras``.

Seed 000 ("Training models on arbitrary data sources"): a torch DataLoader
and a tf.data pipeline. Seed 003 (tf.data with a Sequential model): image
arrays, text through TextVectorization, a CSV file through TextLineDataset.
Plus a pandas DataFrame and a multi-worker PyDataset. Each example keeps the
article's code (``tf.keras`` becomes ``keras``) on tiny synthetic data and
checks that training lowers the loss. Two seed-003 examples fail as written
even in TensorFlow; their tests are marked "adapted" and say why.
"""

import math

import numpy as np
import pytest

import minikeras as keras

pytestmark = pytest.mark.data

NUM_CLASSES = 10
RNG = np.random.default_rng(0)


def _digits(n):
    """Tiny MNIST-like data: (n, 28, 28, 1) float32 in [0, 1], labels from a fixed rule."""
    x = RNG.random((n, 28, 28, 1), dtype=np.float32)
    y = (x[:, :14].mean(axis=(1, 2, 3)) * 97).astype("int64") % NUM_CLASSES
    return x, y


def _falls(history):
    losses = history.history["loss"]
    return losses[-1] < losses[0]


class MyModel(keras.Model):
    """The guide's small subclassed classifier (its definition is not in the seed)."""

    def __init__(self, num_classes):
        super().__init__()
        self.flatten = keras.layers.Flatten()
        self.hidden = keras.layers.Dense(32, activation="relu")
        self.classifier = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.classifier(self.hidden(self.flatten(inputs)))


def _compile_seed_000(model):
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(),
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
    )


def test_seed_000_torch_dataloader():
    torch = pytest.importorskip("torch")
    (x_train, y_train), (x_test, y_test), batch_size = _digits(256), _digits(64), 32
    train_torch_dataset = torch.utils.data.TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))
    val_torch_dataset = torch.utils.data.TensorDataset(torch.from_numpy(x_test), torch.from_numpy(y_test))
    train_dataloader = torch.utils.data.DataLoader(train_torch_dataset, batch_size=batch_size, shuffle=True)
    val_dataloader = torch.utils.data.DataLoader(val_torch_dataset, batch_size=batch_size, shuffle=False)
    model = MyModel(num_classes=10)
    _compile_seed_000(model)
    history = model.fit(train_dataloader, epochs=4, validation_data=val_dataloader, verbose=0)
    assert _falls(history) and "val_acc" in history.history
    assert model.evaluate(val_dataloader, verbose=0)[0] > 0
    assert model.predict(val_dataloader, verbose=0).shape == (64, 10)


def test_seed_000_tf_data():
    tf = pytest.importorskip("tensorflow")
    (x_train, y_train), (x_test, y_test), batch_size = _digits(256), _digits(64), 32
    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(batch_size).prefetch(tf.data.AUTOTUNE)
    test_dataset = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size).prefetch(tf.data.AUTOTUNE)
    model = MyModel(num_classes=10)
    _compile_seed_000(model)
    history = model.fit(train_dataset, epochs=4, validation_data=test_dataset, verbose=0)
    assert _falls(history) and "val_loss" in history.history
    assert model.predict(test_dataset, verbose=0).shape == (64, 10)


def test_seed_003_image_arrays():
    tf = pytest.importorskip("tensorflow")
    height, width, channels = 12, 12, 1
    images = RNG.random((96, height, width, channels), dtype=np.float32)
    labels = np.eye(10, dtype="float32")[(images.mean(axis=(1, 2, 3)) * 40).astype(int) % 10]  # one-hot
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    dataset = dataset.shuffle(buffer_size=len(images)).batch(32).prefetch(tf.data.AUTOTUNE)
    model = keras.Sequential([
        keras.layers.Conv2D(32, (3, 3), activation="relu", input_shape=(height, width, channels)),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    assert _falls(model.fit(dataset, epochs=4, verbose=0))


def test_seed_003_text_through_text_vectorization_adapted():
    """Adapted: the article calls ``fit`` with a ``TextVectorization`` that was
    never adapted, which fails in TensorFlow too (an empty vocabulary). The
    correction, as the Keras docs do it: ``adapt`` the layer on the text of
    the dataset before ``fit``."""
    tf = pytest.importorskip("tensorflow")
    words = ["good", "great", "fine", "bad", "awful", "poor", "the", "movie", "was", "plot"]
    labels = RNG.integers(0, 2, size=128)
    text_data = [
        " ".join(RNG.choice(words[:3] if label else words[3:6], 2).tolist() + ["The", "Movie!"])
        for label in labels
    ]

    def preprocess_text(text):
        text = tf.strings.lower(text)
        text = tf.strings.regex_replace(text, "[^a-zA-Z0-9 ]", "")
        return text

    dataset = tf.data.Dataset.from_tensor_slices((text_data, labels))
    dataset = dataset.map(lambda text, label: (preprocess_text(text), label)).batch(64).prefetch(tf.data.AUTOTUNE)
    vectorize = keras.layers.TextVectorization(max_tokens=10000, output_sequence_length=50)
    vectorize.adapt(dataset.map(lambda text, label: text))  # the correction
    model = keras.Sequential([
        vectorize,
        keras.layers.Embedding(10000, 128),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    assert _falls(model.fit(dataset, epochs=10, verbose=0))


def test_seed_003_csv_through_text_line_dataset_adapted(tmp_path):
    """Adapted: the article's ``parse_csv`` reads every field as a string and
    then calls ``tf.cast(strings, tf.int32)``, which TensorFlow refuses
    (strings cannot be cast); its features are strings stacked, which no
    Dense layer takes. The correction: ``tf.strings.to_number`` turns the
    fields into numbers (float32 features, int32 label)."""
    tf = pytest.importorskip("tensorflow")
    N = 3
    rows = RNG.normal(size=(200, N + 1))
    target = (rows.sum(axis=1) > 0).astype(int)
    path = tmp_path / "data.csv"
    lines = [",".join(f"f{i}" for i in range(N + 1)) + ",label"]
    lines += [",".join(f"{v:.5f}" for v in row) + f",{t}" for row, t in zip(rows, target)]
    path.write_text("\n".join(lines) + "\n")

    def parse_csv(line):
        fields = tf.io.decode_csv(line, record_defaults=[tf.constant("") for _ in range(N + 2)])
        features = tf.strings.to_number(tf.stack(fields[:N + 1]), tf.float32)  # corrected
        label = tf.strings.to_number(tf.stack(fields[N + 1:]), tf.int32)      # corrected (was tf.cast)
        return features, label

    dataset = tf.data.TextLineDataset(str(path)).skip(1)
    dataset = dataset.map(parse_csv).shuffle(buffer_size=10000).batch(128).prefetch(tf.data.AUTOTUNE)
    model = keras.Sequential([
        keras.layers.Dense(64, activation="relu", input_shape=(N + 1,)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    assert _falls(model.fit(dataset, epochs=10, verbose=0))


def test_pandas_dataframe_single_and_multi_input():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(RNG.normal(size=(160, 4)), columns=["age", "income", "height", "weight"])
    frame["target"] = (frame["age"] + frame["income"] > 0).astype("int64")
    features = ["age", "income", "height", "weight"]
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    assert _falls(model.fit(frame[features], frame["target"], epochs=5, batch_size=32, verbose=0))
    # A multi-input model takes a dict of column lists, keyed by Input name.
    money = keras.Input((2,), name="money")
    body = keras.Input((2,), name="body")
    merged = keras.layers.Concatenate()([money, body])
    output = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dense(16, activation="relu")(merged))
    multi = keras.Model(inputs=[money, body], outputs=output)
    multi.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    x = {"money": frame[["age", "income"]], "body": frame[["height", "weight"]]}
    assert _falls(multi.fit(x, frame["target"], epochs=5, batch_size=32, verbose=0))


class CIFAR10PyDataset(keras.utils.PyDataset):
    """The Keras docs' PyDataset example, with arrays standing in for image files."""

    def __init__(self, x_set, y_set, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x_set, y_set
        self.batch_size = batch_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        low = idx * self.batch_size
        high = min(low + self.batch_size, len(self.x))
        return np.array(self.x[low:high]) / 255.0, np.array(self.y[low:high])


@pytest.mark.parametrize("use_multiprocessing", [False, True])
def test_multi_worker_py_dataset(use_multiprocessing):
    x = RNG.integers(0, 256, size=(192, 8, 8, 3)).astype("uint8")
    y = (x[..., 0].mean(axis=(1, 2)) > 127).astype("int64")
    train = CIFAR10PyDataset(x, y, batch_size=32, workers=2, use_multiprocessing=use_multiprocessing)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(16, activation="relu"), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(train, epochs=5, validation_data=CIFAR10PyDataset(x[:64], y[:64], batch_size=32), verbose=0)
    assert _falls(history) and "val_accuracy" in history.history
    assert model.predict(train, verbose=0).shape == (192, 2)
