"""``minikeras.random``: Keras 3's ``keras.random``, reproducible random tensors.

Place in the stack: above ``minikeras.autodiff``, beside ``minikeras.ops``;
initializers and the ``Dropout`` layer use it. Read ``seed_generator.py``
(where seeds come from) and then ``random.py`` (the draws).
"""

from minikeras.random.random import beta
from minikeras.random.random import binomial
from minikeras.random.random import categorical
from minikeras.random.random import dropout
from minikeras.random.random import gamma
from minikeras.random.random import normal
from minikeras.random.random import randint
from minikeras.random.random import shuffle
from minikeras.random.random import truncated_normal
from minikeras.random.random import uniform
from minikeras.random.seed_generator import SeedGenerator
from minikeras.random.seed_generator import draw_seed
