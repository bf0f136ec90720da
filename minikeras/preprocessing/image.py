"""``keras.preprocessing.image``: the picture helpers under their Keras 2 path.

Older example code imports ``keras.preprocessing.image.load_img``; these are
the functions of ``minikeras/utils/image_utils.py`` (read them there).
"""

from minikeras.utils.image_utils import array_to_img
from minikeras.utils.image_utils import img_to_array
from minikeras.utils.image_utils import load_img
from minikeras.utils.image_utils import save_img
from minikeras.utils.image_utils import smart_resize

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]
