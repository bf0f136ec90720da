"""Image augmentation layers: random only while training (issue 17).

Read ``base.py`` first (the training switch, the seeded draws, factor
parsing), then ``flip_and_crop.py``, ``affine.py``, ``color.py``,
``colour_space.py``, ``tone.py``, ``filters.py``, ``mixing.py``,
``warps.py`` and ``policies.py``; ``bounding_boxes.py`` (``MaxNumBoundingBoxes``)
stands apart: it fits the boxes of detection data, and changes no pixel.
"""

from minikeras.layers.augmentation.affine import RandomRotation
from minikeras.layers.augmentation.affine import RandomShear
from minikeras.layers.augmentation.affine import RandomTranslation
from minikeras.layers.augmentation.affine import RandomZoom
from minikeras.layers.augmentation.color import RandomBrightness
from minikeras.layers.augmentation.color import RandomContrast
from minikeras.layers.augmentation.bounding_boxes import MaxNumBoundingBoxes
from minikeras.layers.augmentation.colour_space import RandomColorDegeneration
from minikeras.layers.augmentation.colour_space import RandomColorJitter
from minikeras.layers.augmentation.colour_space import RandomGrayscale
from minikeras.layers.augmentation.colour_space import RandomHue
from minikeras.layers.augmentation.colour_space import RandomSaturation
from minikeras.layers.augmentation.filters import RandomGaussianBlur
from minikeras.layers.augmentation.filters import RandomSharpness
from minikeras.layers.augmentation.flip_and_crop import RandomCrop
from minikeras.layers.augmentation.flip_and_crop import RandomFlip
from minikeras.layers.augmentation.mixing import CutMix
from minikeras.layers.augmentation.mixing import MixUp
from minikeras.layers.augmentation.mixing import RandomErasing
from minikeras.layers.augmentation.policies import AugMix
from minikeras.layers.augmentation.policies import RandAugment
from minikeras.layers.augmentation.tone import AutoContrast
from minikeras.layers.augmentation.tone import ContrastLimitedAdaptiveHistogramEqualization
from minikeras.layers.augmentation.tone import Equalization
from minikeras.layers.augmentation.tone import RandomInvert
from minikeras.layers.augmentation.tone import RandomPosterization
from minikeras.layers.augmentation.tone import Solarization
from minikeras.layers.augmentation.warps import RandomElasticTransform
from minikeras.layers.augmentation.warps import RandomPerspective
