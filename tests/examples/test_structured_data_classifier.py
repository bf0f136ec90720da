"""Keras's structured-data classifier ("structured data classification from scratch"), on a tiny table.

The pattern of the Keras example, with its helper functions: one ``Input``
per column, numerical columns through an adapted ``Normalization``, string
and integer categories through ``StringLookup`` / ``IntegerLookup`` (adapted
vocabularies, one-hot output), an ``IntegerLookup`` in ``int`` mode followed by
``CategoryEncoding``, everything concatenated into a small dense network
trained with ``fit`` on a dict of columns. Only the data is ours: 64 rows of
a made-up heart-disease-like table whose label depends on two columns. The
saved ``.keras`` file must carry the vocabularies (``assets/``) and the
normalization statistics, so that the reloaded model predicts the same.
"""

import numpy as np

import minikeras as keras
from minikeras import layers


def _table(rows, rng):
    thal = rng.choice(["normal", "fixed", "reversible"], size=rows)
    cp = rng.integers(0, 4, size=rows)
    age = rng.uniform(30, 75, size=rows).astype("float32")
    chol = rng.uniform(150, 350, size=rows).astype("float32")
    ca = rng.integers(0, 3, size=rows)
    target = ((thal == "reversible") | (age > 60)).astype("int32")
    return {"thal": thal, "cp": cp, "age": age, "chol": chol, "ca": ca}, target


# ----- the Keras example's helpers -----
def encode_numerical_feature(feature, name, dataset):
    normalizer = layers.Normalization(name=f"norm_{name}")
    normalizer.adapt(dataset[name].reshape(-1, 1))
    return normalizer(feature)


def encode_categorical_feature(feature, name, dataset, is_string):
    lookup_class = layers.StringLookup if is_string else layers.IntegerLookup
    lookup = lookup_class(output_mode="one_hot", name=f"lookup_{name}")
    lookup.adapt(dataset[name])
    return lookup(feature)


def test_structured_data_classifier_trains_saves_and_reloads(tmp_path):
    rng = np.random.default_rng(0)
    train, y_train = _table(64, rng)
    columns = {name: values.reshape(-1, 1) for name, values in train.items()}
    keras.utils.set_random_seed(2)

    thal = keras.Input(shape=(1,), name="thal", dtype="string")
    cp = keras.Input(shape=(1,), name="cp", dtype="int64")
    age = keras.Input(shape=(1,), name="age")
    chol = keras.Input(shape=(1,), name="chol")
    ca = keras.Input(shape=(1,), name="ca", dtype="int64")
    ca_index = layers.IntegerLookup(name="lookup_ca_int")
    ca_index.adapt(train["ca"])
    ca_encoded = layers.CategoryEncoding(num_tokens=ca_index.vocabulary_size(), output_mode="one_hot",
                                         name="encode_ca")(ca_index(ca))
    all_features = layers.concatenate([
        encode_categorical_feature(thal, "thal", train, True),
        encode_categorical_feature(cp, "cp", train, False),
        encode_numerical_feature(age, "age", train),
        encode_numerical_feature(chol, "chol", train),
        ca_encoded,
    ])
    x = layers.Dense(16, activation="relu")(all_features)
    x = layers.Dropout(0.5)(x)
    output = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model([thal, cp, age, chol, ca], output)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    # 4 one-hot thal columns (OOV + 3), 5 cp (OOV + 4), 1 + 1 numerical, 4 ca (OOV + 3).
    assert all_features.shape == (None, 4 + 5 + 1 + 1 + 4)
    history = model.fit(columns, y_train, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]

    sample = {"thal": np.array([["reversible"], ["normal"]]), "cp": np.array([[1], [3]]),
              "age": np.array([[66.0], [40.0]], "float32"), "chol": np.array([[200.0], [300.0]], "float32"),
              "ca": np.array([[0], [2]])}
    before = np.asarray(model.predict(sample, verbose=0))
    assert before.shape == (2, 1) and np.all((before > 0) & (before < 1))

    model.save(tmp_path / "structured.keras")
    reloaded = keras.saving.load_model(tmp_path / "structured.keras")
    np.testing.assert_allclose(np.asarray(reloaded.predict(sample, verbose=0)), before, rtol=1e-6, atol=1e-6)
    assert reloaded.get_layer("lookup_thal").get_vocabulary() == model.get_layer("lookup_thal").get_vocabulary()
    np.testing.assert_allclose(np.asarray(reloaded.get_layer("norm_age").mean), np.asarray(model.get_layer("norm_age").mean))
