"""``DTypePolicyMap``: different policies for different layers of one model, keyed by path.

Place in the stack: after ``dtype_policy.py``. A map is itself a policy (its
``default_policy`` answers ``compute_dtype`` / ``variable_dtype``) and a dict
from layer paths to policies. A layer given a map asks it with its own path,
so ``{"encoder/.*": "float16"}`` makes every sublayer of ``encoder`` compute
in float16. Read next: ``__init__.py`` (``get`` / ``serialize``).
"""

import re
from collections.abc import MutableMapping

from minikeras.dtype_policies.dtype_policy import DTypePolicy


class DTypePolicyMap(DTypePolicy, MutableMapping):
    """A dict ``{layer path or regex: DTypePolicy}`` with a default.

    Args:
        default_policy: the policy of paths no key matches (a name or a
            policy); None: the global policy (``config.dtype_policy()``).
        policy_map: an optional starting dict ``{key: DTypePolicy}``.

    Lookup (``policy_map[path]``): the exact key first, else the one key whose
    regular expression matches the whole path (``re.fullmatch``); two
    matching keys are an error, none gives the default.
    """

    def __init__(self, default_policy=None, policy_map=None):
        from minikeras.dtype_policies import get  # the package imports this module
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError("If specified, `policy_map` must be a dict. "
                            f"Received: policy_map={policy_map} of type {type(policy_map)}")
        self._default_policy_arg = default_policy
        self._default_policy = get(default_policy) if default_policy is not None else None
        self._policy_map = dict(policy_map or {})

    @property
    def default_policy(self):
        from minikeras.dtype_policies import get
        return self._default_policy if self._default_policy is not None else get(None)

    @property
    def name(self):
        return f"map_{self.default_policy.name}"

    @property
    def compute_dtype(self):
        return self.default_policy.compute_dtype

    @property
    def variable_dtype(self):
        return self.default_policy.variable_dtype

    def __getitem__(self, key):
        if key in self._policy_map:
            return self._policy_map[key]
        matching = [pattern for pattern in self._policy_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Path '{key}' matches multiple dtype policy specification keys: {matching}. "
                             "Please make sure each path only matches at most one dtype policy "
                             "specification key in the DTypePolicyMap.")
        return self._policy_map[matching[0]] if matching else self.default_policy

    def __setitem__(self, key, policy):
        from minikeras.dtype_policies import get
        if key in self._policy_map:
            raise ValueError(f"{key} already exist in the DTypePolicyMap with value {self._policy_map[key]}. "
                             "Please make sure to not use duplicated keys.")
        try:
            policy = get(policy)
        except Exception:
            raise ValueError("Cannot interpret the assigned value by `keras.dtype_policies.get`. "
                             f"Received: {policy} of type {type(policy)}") from None
        self._policy_map[key] = policy

    def __delitem__(self, key):
        return self._policy_map.pop(key)

    def __contains__(self, key):
        return key in self._policy_map

    def __len__(self):
        return len(self._policy_map)

    def __iter__(self):
        return iter(self._policy_map)

    # MutableMapping would compare as dicts; a map equals only itself, as in Keras.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def get_config(self):
        from minikeras.dtype_policies import serialize
        return {"default_policy": self._default_policy_arg,
                "policy_map": {key: serialize(policy) for key, policy in self._policy_map.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from minikeras.dtype_policies import deserialize
        config = dict(config)
        config["policy_map"] = {key: deserialize(value, custom_objects)
                                for key, value in (config.get("policy_map") or {}).items()}
        return cls(**config)

    def __repr__(self):
        default = self._default_policy.name if self._default_policy is not None else None
        mapping = [(key, policy.name) for key, policy in self._policy_map.items()]
        return f"<DTypePolicyMap at {hex(id(self))} default_policy={default}, mapping={mapping}>"
