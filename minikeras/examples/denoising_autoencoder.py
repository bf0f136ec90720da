"""Keras's example "Convolutional autoencoder for image denoising", with ``import minikeras as keras``.

Place in the stack: above everything; public API only. The model code is
the keras.io example's (vision/autoencoder): an encoder of two
``Conv2D`` + ``MaxPooling2D`` halves each side of the image (28 -> 14 -> 7),
a decoder of two ``Conv2DTranspose(strides=2)`` doubles it back
(7 -> 14 -> 28), and a last ``Conv2D`` with a sigmoid gives one value in
``[0, 1]`` per pixel. It is trained twice, as in the example: first to
reproduce clean digits, then to turn noisy digits into clean ones.

Run it::

    python -m minikeras.examples.denoising_autoencoder              # bundled MNIST sample, offline
    python -m minikeras.examples.denoising_autoencoder --full --epochs 50
    python -m minikeras.examples.denoising_autoencoder --samples 256 --epochs 1

The example shows pictures with matplotlib; this script prints the losses
instead (``display`` draws them when asked, ``--show``).
"""

import argparse

import numpy as np

import minikeras as keras
from minikeras import layers
from minikeras.datasets import mnist
from minikeras.models import Model


def preprocess(array):
    """Normalizes the supplied array and reshapes it into the appropriate format."""
    array = array.astype("float32") / 255.0
    array = np.reshape(array, (len(array), 28, 28, 1))  # (N, 28, 28) -> (N, 28, 28, 1)
    return array


def noise(array):
    """Adds random noise to each image in the supplied array."""
    noise_factor = 0.4
    noisy_array = array + noise_factor * np.random.normal(loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy_array, 0.0, 1.0)


def display(array1, array2):
    """Displays ten random images from each one of the supplied arrays (matplotlib)."""
    import matplotlib.pyplot as plt

    n = 10
    indices = np.random.randint(len(array1), size=n)
    images1 = array1[indices, :]
    images2 = array2[indices, :]
    plt.figure(figsize=(20, 4))
    for i, (image1, image2) in enumerate(zip(images1, images2)):
        ax = plt.subplot(2, n, i + 1)
        plt.imshow(image1.reshape(28, 28))
        plt.gray()
        ax.get_xaxis().set_visible(False)
        ax.get_yaxis().set_visible(False)
        ax = plt.subplot(2, n, i + 1 + n)
        plt.imshow(image2.reshape(28, 28))
        plt.gray()
        ax.get_xaxis().set_visible(False)
        ax.get_yaxis().set_visible(False)
    plt.show()


def build_autoencoder():
    """The example's model: (N, 28, 28, 1) -> (N, 28, 28, 1), compiled with Adam and binary crossentropy."""
    input = layers.Input(shape=(28, 28, 1))

    # Encoder
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)  # (28, 28) -> (14, 14)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)  # (14, 14) -> (7, 7)

    # Decoder
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)  # -> (14, 14)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)  # -> (28, 28)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

    # Autoencoder
    autoencoder = Model(input, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return autoencoder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the whole MNIST (downloads 11 MB)")
    parser.add_argument("--samples", type=int, default=None, help="keep this many training digits")
    parser.add_argument("--epochs", type=int, default=2, help="epochs of each of the two trainings")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--show", action="store_true", help="draw the images (matplotlib)")
    args = parser.parse_args(argv)
    show = display if args.show else (lambda array1, array2: None)

    # Since we only need images from the dataset to encode and decode, we won't use the labels.
    (train_data, _), (test_data, _) = keras.datasets.mnist.load_data() if args.full else mnist.load_sample()
    if args.samples is not None:
        train_data, test_data = train_data[:args.samples], test_data[:max(args.samples // 4, 1)]

    # Normalize and reshape the data
    train_data = preprocess(train_data)
    test_data = preprocess(test_data)

    # Create a copy of the data with added noise
    noisy_train_data = noise(train_data)
    noisy_test_data = noise(test_data)

    # Display the train data and a version of it with added noise
    show(train_data, noisy_train_data)

    autoencoder = build_autoencoder()
    autoencoder.summary()

    # First, the autoencoder learns to reproduce the clean digits.
    first = autoencoder.fit(x=train_data, y=train_data, epochs=args.epochs, batch_size=args.batch_size,
                            shuffle=True, validation_data=(test_data, test_data), verbose=2)
    predictions = autoencoder.predict(test_data, verbose=0)
    show(test_data, predictions)

    # Then it learns to map the noisy digits to the clean ones.
    second = autoencoder.fit(x=noisy_train_data, y=train_data, epochs=args.epochs, batch_size=args.batch_size,
                             shuffle=True, validation_data=(noisy_test_data, test_data), verbose=2)
    predictions = autoencoder.predict(noisy_test_data, verbose=0)
    show(noisy_test_data, predictions)
    print(f"reconstruction loss {first.history['val_loss'][-1]:.4f}, "
          f"denoising loss {second.history['val_loss'][-1]:.4f}")
    return autoencoder, first, second


if __name__ == "__main__":
    main()
