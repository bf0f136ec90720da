"""``Config``: a dict of named settings that reads like an object, and can be frozen.

Place in the stack: ``keras.utils``; it depends on nothing. A training
script collects its hyperparameters in one place, reads them as attributes,
and freezes them once set, so that a typo further down fails loudly instead
of silently adding a new setting::

    config = keras.utils.Config(learning_rate=0.1, momentum=0.9)
    config.seed = 123                  # a new setting
    config.freeze()
    config.learning_rate               # 0.1
    config.learnig_rate                # AttributeError: ... Did you mean 'learning_rate'?
    config.to_json()                   # '{"learning_rate": 0.1, "momentum": 0.9, "seed": 123}'

Attribute names of the class itself (``freeze``, ``items``...) stay methods;
every other attribute is a setting.
"""

import copy
import difflib
import json


class Config:
    """A dict-like container of named values, read and written as attributes or items.

    Args:
        **kwargs: the initial settings.
    """

    def __init__(self, **kwargs):
        object.__setattr__(self, "_config", kwargs)
        object.__setattr__(self, "_frozen", False)

    # ----- freezing -----
    @property
    def frozen(self):
        """True once ``freeze()`` was called (and not undone by ``unfreeze()``)."""
        return self._frozen

    def freeze(self):
        """Refuses every later change (``ValueError``)."""
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self):
        object.__setattr__(self, "_frozen", False)

    def _raise_if_frozen(self):
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    # ----- attributes are settings -----
    def __setattr__(self, name, value):
        if hasattr(type(self), name) or name in ("_config", "_frozen"):
            return object.__setattr__(self, name, value)
        self._raise_if_frozen()
        self._config[name] = value

    def __getattr__(self, name):
        # Only called when normal lookup fails: the name is not a method or property.
        config = object.__getattribute__(self, "_config")
        if name in config:
            return config[name]
        message = f"Unknown attribute: '{name}'."
        closest = difflib.get_close_matches(name, config.keys(), n=1, cutoff=0.7)
        if closest:
            message += f" Did you mean '{closest[0]}'?"
        raise AttributeError(message)

    # ----- the dict interface -----
    def as_dict(self):
        """A shallow copy of the settings as a plain dict."""
        return copy.copy(self._config)

    def to_json(self):
        return json.dumps(self._config)

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def pop(self, *args):
        self._raise_if_frozen()
        return self._config.pop(*args)

    def update(self, *args, **kwargs):
        self._raise_if_frozen()
        return self._config.update(*args, **kwargs)

    def get(self, keyname, value=None):
        return self._config.get(keyname, value)

    def __setitem__(self, key, item):
        self._raise_if_frozen()
        self._config[key] = item

    def __getitem__(self, key):
        return self._config[key]

    def __delitem__(self, key):
        self._raise_if_frozen()
        del self._config[key]

    def __contains__(self, item):
        return item in self._config

    def __iter__(self):
        return iter(sorted(self._config))  # Keras iterates the keys in sorted order

    def __len__(self):
        return len(self._config)

    def __repr__(self):
        return f"<Config {self._config}>"
