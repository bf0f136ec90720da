"""Image augmentation layers: random only while training (issue 17).

Read ``base.py`` first (the training switch, the seeded draws, factor
parsing), then ``flip_and_crop.py``, ``affine.py`` and ``color.py``.
"""

from minikeras.layers.augmentation.affine import RandomRotation
from minikeras.layers.augmentation.affine import RandomShear
from minikeras.layers.augmentation.affine import RandomTranslation
from minikeras.layers.augmentation.affine import RandomZoom
from minikeras.layers.augmentation.color import RandomBrightness
from minikeras.layers.augmentation.color import RandomContrast
from minikeras.layers.augmentation.flip_and_crop import RandomCrop
from minikeras.layers.augmentation.flip_and_crop import RandomFlip
