"""Custom objects, as ``minikeras.saving`` sees them: the registry of ``minikeras/utils/object_registration.py``.

Place in the stack: the bottom of ``minikeras/saving/``. The registry itself
lives lower, in ``utils``, because Keras also exports these names from
``keras.utils``; read that file. ``serialization_lib.py`` asks it "what name
do I write for this class?" and "which user object does this name mean?".
"""

from minikeras.utils.object_registration import CustomObjectScope
from minikeras.utils.object_registration import active_custom_objects
from minikeras.utils.object_registration import custom_object_scope
from minikeras.utils.object_registration import get_custom_objects
from minikeras.utils.object_registration import get_registered_name
from minikeras.utils.object_registration import get_registered_object
from minikeras.utils.object_registration import register_keras_serializable

__all__ = ["CustomObjectScope", "active_custom_objects", "custom_object_scope", "get_custom_objects",
           "get_registered_name", "get_registered_object", "register_keras_serializable"]
