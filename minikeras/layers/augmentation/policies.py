"""Augmentation policies built from the other layers: ``RandAugment`` and ``AugMix``.

Place in the stack: the top of the augmentation layers. A policy owns one
instance of each basic augmentation (shear, translation, rotation,
brightness...) configured from a single ``factor``, and decides at random
which of them to apply: ``RandAugment`` applies ``num_ops`` of them in a row
(Cubuk et al., 2019); ``AugMix`` runs a few short chains of them and blends
the chains' results with the original image (Hendrycks et al., 2019). All
draws come from the policy's own ``SeedGenerator``. Read next: the tests in
``tests/layers/augmentation/``.
"""

import numpy

from minikeras import ops
from minikeras import random
from minikeras.layers.augmentation.affine import RandomRotation
from minikeras.layers.augmentation.affine import RandomShear
from minikeras.layers.augmentation.affine import RandomTranslation
from minikeras.layers.augmentation.base import BaseImageAugmentation
from minikeras.layers.augmentation.base import check_factor
from minikeras.layers.augmentation.color import RandomBrightness
from minikeras.layers.augmentation.color import RandomContrast
from minikeras.layers.augmentation.colour_space import RandomColorDegeneration
from minikeras.layers.augmentation.filters import RandomSharpness
from minikeras.layers.augmentation.tone import AutoContrast
from minikeras.layers.augmentation.tone import Equalization
from minikeras.layers.augmentation.tone import RandomPosterization
from minikeras.layers.augmentation.tone import Solarization

GEOMETRY_AND_TONE = ("random_shear", "random_translation", "random_rotation", "random_posterization",
                     "solarization", "auto_contrast", "equalization")
COLOUR = ("random_brightness", "random_color_degeneration", "random_contrast", "random_sharpness")


def make_operations(policy, names, factor, value_range, interpolation):
    """One configured layer per name, all drawing from ``policy``'s generator (Keras's settings)."""
    data_format = policy.data_format
    builders = {
        "random_shear": lambda: RandomShear(factor, factor, interpolation=interpolation, data_format=data_format),
        "random_translation": lambda: RandomTranslation(factor, factor, interpolation=interpolation,
                                                        data_format=data_format),
        "random_rotation": lambda: RandomRotation(factor, interpolation=interpolation, data_format=data_format),
        "random_brightness": lambda: RandomBrightness(factor, value_range, data_format=data_format),
        "random_color_degeneration": lambda: RandomColorDegeneration(factor, value_range, data_format=data_format),
        "random_contrast": lambda: RandomContrast(factor, value_range, data_format=data_format),
        "random_sharpness": lambda: RandomSharpness(factor, value_range, data_format=data_format),
        "random_posterization": lambda: RandomPosterization(max(1, int(8 * factor[1])), value_range,
                                                            data_format=data_format),
        "solarization": lambda: Solarization(factor, factor, value_range, data_format=data_format),
        "auto_contrast": lambda: AutoContrast(value_range, data_format=data_format),
        "equalization": lambda: Equalization(value_range, data_format=data_format),
    }
    operations = {name: builders[name]() for name in names}
    for operation in operations.values():
        operation.generator = policy.generator
    return operations


def apply_operation(operation, images):
    """Draws the operation's parameters for ``images`` and applies them."""
    return operation.transform_images(images, operation.get_random_transformation(images))


class RandAugment(BaseImageAugmentation):
    """Applies ``num_ops`` augmentations picked at random (the same for the whole batch) during training.

    The candidates: shear, translation, rotation, brightness, colour
    degeneration, contrast, sharpness, posterization, solarization,
    auto-contrast and equalization, each with ``factor`` as its strength.

    Args:
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        num_ops: how many augmentations in a row (2).
        factor: the strength, a number in [0, 1] (``(0, f)``) or a pair; 0.5 by default.
        interpolation: for the geometric ones, ``"bilinear"`` (default) or ``"nearest"``.
        seed, data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    OPERATIONS = ("random_shear", "random_translation", "random_rotation", "random_brightness",
                  "random_color_degeneration", "random_contrast", "random_sharpness", "random_posterization",
                  "solarization", "auto_contrast", "equalization")

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range, self.num_ops, self.interpolation = value_range, num_ops, interpolation
        self.factor = check_factor(factor, bounds=(0, 1))
        self.operations = make_operations(self, self.OPERATIONS, self.factor, value_range, interpolation)

    def get_random_transformation(self, images):
        picks = ops.convert_to_numpy(random.randint((self.num_ops,), 0, len(self.OPERATIONS), seed=self.generator))
        return {"layer_idxes": picks}

    def transform_images(self, images, transformation):
        for pick in numpy.asarray(transformation["layer_idxes"]):
            images = apply_operation(self.operations[self.OPERATIONS[int(pick)]], images)
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range, "num_ops": self.num_ops,
                "factor": self.factor, "interpolation": self.interpolation}


class AugMix(BaseImageAugmentation):
    """Blends the image with ``num_chains`` randomly augmented copies of itself during training.

    Each chain applies up to ``chain_depth`` random augmentations (each step
    may also be skipped). The chains are averaged with Dirichlet(``alpha``)
    weights, and the result is blended with the original by a
    Beta(``alpha``, ``alpha``) weight, then clipped to ``value_range``.

    Args:
        value_range: ``(low, high)`` of the pixels, ``(0, 255)`` by default.
        num_chains: how many augmented copies (3).
        chain_depth: the most augmentations per copy (3).
        factor: the strength, a number in [0, 1] (``(0, f)``) or a pair; 0.3 by default.
        alpha: the Dirichlet and Beta parameter (1.0).
        all_ops: also use the colour augmentations (brightness, colour degeneration,
            contrast, sharpness), which the AugMix paper leaves out to keep test-set
            corruptions unseen (True, as in Keras).
        interpolation: for the geometric ones, ``"bilinear"`` (default) or ``"nearest"``.
        seed, data_format, **kwargs: see ``BaseImageAugmentation``.
    """

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0, all_ops=True,
                 interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range, self.num_chains, self.chain_depth = value_range, num_chains, chain_depth
        self.factor = check_factor(factor, bounds=(0, 1))
        self.alpha, self.all_ops, self.interpolation = alpha, all_ops, interpolation
        self.names = GEOMETRY_AND_TONE + (COLOUR if all_ops else ())
        self.operations = make_operations(self, self.names, self.factor, value_range, interpolation)

    def get_random_transformation(self, images):
        gamma = ops.convert_to_numpy(random.gamma((self.num_chains,), self.alpha, seed=self.generator))
        weight = ops.convert_to_numpy(random.beta((), self.alpha, self.alpha, seed=self.generator))
        # One pick per step among the operations and "skip" (the last index).
        picks = ops.convert_to_numpy(random.randint((self.num_chains, self.chain_depth), 0, len(self.names) + 1,
                                                    seed=self.generator))
        chains = [[self.names[pick] for pick in chain if pick < len(self.names)] for chain in picks]
        return {"chain_mixing_weights": gamma / gamma.sum(), "weight_sample": float(weight), "chains": chains}

    def transform_images(self, images, transformation):
        mixed = None
        for chain, chain_weight in zip(transformation["chains"], transformation["chain_mixing_weights"]):
            copy = images
            for name in chain:
                copy = apply_operation(self.operations[name], copy)
            term = ops.multiply(copy, numpy.asarray(chain_weight, dtype=images.dtype))
            mixed = term if mixed is None else ops.add(mixed, term)
        weight = transformation["weight_sample"]
        outputs = ops.add(ops.multiply(images, weight), ops.multiply(mixed, 1.0 - weight))
        return ops.clip(outputs, self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range, "num_chains": self.num_chains,
                "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha,
                "all_ops": self.all_ops, "interpolation": self.interpolation}
