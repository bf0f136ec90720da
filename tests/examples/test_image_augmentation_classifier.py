"""Keras's "small image classifier with an augmentation stack", unchanged, on tiny synthetic images.

The code between the markers is the pattern of the Keras guides
(``image_classification_from_scratch``, "Working with preprocessing
layers"): a ``Sequential`` of ``RandomFlip`` / ``RandomRotation`` /
``RandomZoom`` in front of a small convnet, trained with ``fit``. Only the
data is ours: 32 random 12x12 RGB images whose label is "is the left half
brighter".
"""

import numpy as np

import minikeras as keras
from minikeras import layers


def test_augmentation_stack_classifier_trains_and_is_off_in_predict(tmp_path):
    rng = np.random.default_rng(0)
    x_train = rng.uniform(0, 255, size=(32, 12, 12, 3)).astype("float32")
    y_train = (x_train[:, :, :6].mean(axis=(1, 2, 3)) > x_train[:, :, 6:].mean(axis=(1, 2, 3))).astype("int32")
    input_shape, num_classes = (12, 12, 3), 2
    keras.utils.set_random_seed(1)
    # ----- the Keras example, unchanged -----
    data_augmentation = keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.1),
            layers.RandomZoom(0.1),
        ]
    )
    inputs = keras.Input(shape=input_shape)
    x = data_augmentation(inputs)
    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0)
    # ----- end of the example -----
    assert len(history.history["loss"]) == 2 and np.all(np.isfinite(history.history["loss"]))
    predictions = model.predict(x_train[:4], verbose=0)
    np.testing.assert_array_equal(predictions, model.predict(x_train[:4], verbose=0))  # no augmentation
    model.save(tmp_path / "classifier.keras")
    reloaded = keras.saving.load_model(tmp_path / "classifier.keras")
    np.testing.assert_allclose(reloaded.predict(x_train[:4], verbose=0), predictions, rtol=1e-5, atol=1e-6)
