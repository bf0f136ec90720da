"""``FeatureSpace``: a table of named columns (structured data) -> one encoded vector per row.

Place in the stack: a layer over the preprocessing layers (``index_lookup.py``,
``preprocessing_numeric.py``, ``hashing.py``: read those first), published
as ``keras.utils.FeatureSpace`` as Keras does. Each column gets the layer its
type asks for, then the results are one-hot encoded and joined::

    "age"  1.0 ---- Discretization ---- bin 2 ---- one-hot ---.
    "city" "Oslo" - StringLookup ------ id 3 ----- one-hot ---+-- concat --> (N, D)
    "sex" x "age" - HashedCrossing ---- bin 17 --- one-hot ---'

    feature_space = keras.utils.FeatureSpace(
        features={"age": "float_discretized", "city": "string_categorical", "sex": "integer_categorical"},
        crosses=[("sex", "age")], output_mode="concat")
    feature_space.adapt(columns)             # a dict of columns (or a tf.data.Dataset of dicts)
    vectors = feature_space(columns)         # (N, D) float32
    model = keras.Model(feature_space.get_inputs(), layers.Dense(1)(feature_space.get_encoded_features()))

The columns are encoded in sorted name order, then the crosses (sorted by
name, ``"sex_X_age"``), as in Keras, so both give the same vector. The
difference from Keras: Keras runs the layers in TensorFlow so that a
FeatureSpace also works inside ``tf.data.Dataset.map``; minikeras runs them
in NumPy, and inside a ``tf.data`` map (symbolic TensorFlow tensors) it
wraps the same NumPy computation in ``tf.numpy_function``.
"""

import numpy as np

from minikeras import ops
from minikeras.backend import context
from minikeras.backend import standardize_dtype
from minikeras.layers import feature_space_data
from minikeras.layers.core import Identity
from minikeras.layers.hashing import HashedCrossing
from minikeras.layers.hashing import Hashing
from minikeras.layers.index_lookup import IntegerLookup
from minikeras.layers.index_lookup import StringLookup
from minikeras.layers.input_layer import Input
from minikeras.layers.layer import Layer
from minikeras.layers.merging import Concatenate
from minikeras.layers.preprocessing import Rescaling
from minikeras.layers.preprocessing_numeric import CategoryEncoding
from minikeras.layers.preprocessing_numeric import Discretization
from minikeras.layers.preprocessing_numeric import Normalization
from minikeras.layers.text_vectorization import TextVectorization


class Cross:
    """A feature cross: the hashed combination of several columns (``"a_X_b"``)."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in {"int", "one_hot"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot'}. "
                             f"Received: output_mode={output_mode}")
        self.feature_names, self.crossing_dim, self.output_mode = tuple(feature_names), crossing_dim, output_mode

    @property
    def name(self):
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Feature:
    """One column: its input dtype, its preprocessing layer, and how the result is encoded."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in {"int", "one_hot", "float"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot', "
                             f"'float'}}. Received: output_mode={output_mode}")
        if isinstance(preprocessor, dict):
            from minikeras.saving import serialization_lib  # a saved config names its layer
            preprocessor = serialization_lib.deserialize_keras_object(preprocessor)
        self.dtype, self.preprocessor, self.output_mode = dtype, preprocessor, output_mode

    def get_config(self):
        from minikeras.saving import serialization_lib
        return {"dtype": self.dtype, "preprocessor": serialization_lib.serialize_keras_object(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class TFDIdentity(Identity):
    """The preprocessor of a plain ``"float"`` column (Keras's class name, so that files match)."""


def _cardinality(preprocessor):
    """The one-hot size of a preprocessor's integer output; ``"unknown"`` for a layer of another kind."""
    if isinstance(preprocessor, (IntegerLookup, StringLookup)):
        return preprocessor.vocabulary_size()
    if isinstance(preprocessor, CategoryEncoding):
        return preprocessor.num_tokens
    if isinstance(preprocessor, (Discretization, HashedCrossing, Hashing)):
        return preprocessor.num_bins  # None for a Discretization given its bin_boundaries (as in Keras)
    return "unknown"


class FeatureSpace(Layer):
    """Preprocesses and encodes a dict of columns.

    Args:
        features: ``{name: type}``, a type being a string (``"float"``,
            ``"float_normalized"``, ``"float_rescaled"``, ``"float_discretized"``,
            ``"integer_categorical"``, ``"string_categorical"``,
            ``"integer_hashed"``, ``"string_hashed"``) or a ``Feature`` made by
            ``FeatureSpace.float_normalized()`` and its siblings.
        output_mode: ``"concat"`` (one float32 (N, D) array) or ``"dict"`` (one
            encoded array per column and cross).
        crosses: list of tuples of column names, or ``FeatureSpace.cross(...)``.
        crossing_dim: number of hash bins of a cross given as a tuple.
        hashing_dim: number of hash bins of ``"*_hashed"`` columns given by name.
        num_discretization_bins: bins of ``"float_discretized"`` columns given by name.
        name: the layer's name.
    """

    # ----- the feature types -----
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):  # noqa: A003  (Keras's name)
        name = name or context.unique_name("float")
        return Feature("float32", TFDIdentity(dtype="float32", name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        name = name or context.unique_name("float_rescaled")
        return Feature("float32", Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_normalized(cls, name=None):
        name = name or context.unique_name("float_normalized")
        return Feature("float32", Normalization(axis=-1, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        name = name or context.unique_name("float_discretized")
        preprocessor = Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries, name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        name = name or context.unique_name("integer_categorical")
        preprocessor = IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                     num_oov_indices=num_oov_indices)
        return Feature("int32", preprocessor, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        name = name or context.unique_name("string_categorical")
        preprocessor = StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                    num_oov_indices=num_oov_indices)
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or context.unique_name("string_hashed")
        return Feature("string", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or context.unique_name("integer_hashed")
        return Feature("int32", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    # ----- construction -----
    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32, hashing_dim=32,
                 num_discretization_bins=32, name=None):
        super().__init__(name=name)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        self.crossing_dim, self.hashing_dim = crossing_dim, hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {name: self._standardize_feature(name, value) for name, value in features.items()}
        self.crosses = [self._standardize_cross(cross, features) for cross in crosses or []]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. "
                             f"Received: output_mode={output_mode}")
        self.output_mode = output_mode
        self.inputs = {name: Input(shape=(1,), dtype=feature.dtype, name=name)
                       for name, feature in self.features.items()}
        self.preprocessors = {name: feature.preprocessor for name, feature in self.features.items()}
        self.crossers = {cross.name: HashedCrossing(cross.crossing_dim, name=cross.name) for cross in self.crosses}
        self.encoded_features = None
        self.one_hot_encoders = {}
        self.concat = None
        self._is_adapted = False
        self._sublayers_built = False

    def _standardize_feature(self, name, feature):
        """A type name (or a saved config) -> a ``Feature`` with default arguments."""
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            from minikeras.saving import serialization_lib  # a config saved in a .keras file
            return serialization_lib.deserialize_keras_object(feature)
        makers = {
            "float": lambda: self.float(name=name),
            "float_normalized": lambda: self.float_normalized(name=name),
            "float_rescaled": lambda: self.float_rescaled(name=name),
            "float_discretized": lambda: self.float_discretized(name=name, num_bins=self.num_discretization_bins),
            "integer_categorical": lambda: self.integer_categorical(name=name),
            "string_categorical": lambda: self.string_categorical(name=name),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name),
        }
        if not isinstance(feature, str) or feature not in makers:
            raise ValueError(f"Invalid feature type: {feature} (feature '{name}' of the `features` argument; "
                             f"expected one of {sorted(makers)} or a `FeatureSpace.feature(...)`)")
        return makers[feature]()

    def _standardize_cross(self, cross, features):
        """A tuple of names (or a saved config) -> a ``Cross``."""
        if isinstance(cross, dict):
            from minikeras.saving import serialization_lib
            cross = serialization_lib.deserialize_keras_object(cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError("When specifying `crosses`, the argument `crossing_dim` (dimensionality of the "
                             "crossing space) should be specified as well.")
        if any(key not in features for key in cross):
            raise ValueError("All features referenced in the `crosses` argument should be present in the "
                             f"`features` dict. Received unknown features: {cross}")
        return Cross(cross, crossing_dim=self.crossing_dim)

    # ----- adapt -----
    def _list_adaptable_preprocessors(self):
        """Names of the columns whose layer learns from data (preset statistics or vocabularies do not)."""
        names = []
        for name, preprocessor in self.preprocessors.items():
            if isinstance(preprocessor, Normalization) and preprocessor.input_mean is not None:
                continue
            if isinstance(preprocessor, TextVectorization) and preprocessor._input_vocabulary is not None:
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Learns vocabularies, statistics and bin boundaries from the data.

        Args:
            dataset: a dict ``{name: column}`` (arrays or lists, (N,) or (N, 1)),
                or a ``tf.data.Dataset`` yielding such dicts (batched or not).
        """
        columns = feature_space_data.columns_of(dataset, self._list_adaptable_preprocessors())
        for name, column in columns.items():
            self.preprocessors[name].adapt(column)  # (N, 1): each layer reduces over the rows
        self._is_adapted = True
        self.get_encoded_features()  # builds the one-hot encoders and the concatenation
        self.built = True
        self._sublayers_built = True

    # ----- the symbolic graph -----
    def get_inputs(self):
        """``{name: Input(shape=(1,), dtype=...)}``, the inputs of a functional model."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded features as KerasTensors: (None, D) in concat mode, else a dict of them."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess_features(self.inputs)
            self.encoded_features = self._merge_features(preprocessed, self._cross_features(preprocessed))
        return self.encoded_features

    def _preprocess_features(self, features):
        return {name: self.preprocessors[name](features[name]) for name in features}

    def _cross_features(self, features):
        return {cross.name: self.crossers[cross.name]([features[name] for name in cross.feature_names])
                for cross in self.crosses}

    def _merge_features(self, preprocessed, crossed):
        """Columns (sorted names), then crosses (sorted names): one-hot encoded, then joined or kept apart."""
        names = sorted(preprocessed) + sorted(crossed)
        values = {**preprocessed, **crossed}
        if not self._sublayers_built and not self.one_hot_encoders and self.concat is None:
            self._make_encoders(names, values)
        encoded = {}
        for name in names:
            encoder = self.one_hot_encoders.get(name)
            encoded[name] = encoder(values[name]) if encoder else values[name]
        if self.output_mode == "dict":
            return encoded
        return self.concat([encoded[name] for name in names])  # each (N, d_i) -> (N, sum d_i)

    def _make_encoders(self, names, values):
        """Creates a multi-hot ``CategoryEncoding`` per one-hot column, and checks that concat is possible."""
        for name in names:
            spec = self.features.get(name) or self.crosses_by_name[name]
            dtype = standardize_dtype(values[name].dtype)
            if spec.output_mode == "one_hot":
                preprocessor = self.preprocessors.get(name) or self.crossers.get(name)
                if not dtype.startswith("int"):
                    raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. Thus its preprocessor should "
                                     f"return an integer dtype. Instead it returns a {dtype} dtype.")
                cardinality = _cardinality(preprocessor)
                if cardinality == "unknown":
                    raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard "
                                     "feature and the dimensionality of its output space is not known, thus it "
                                     "cannot be one-hot encoded. Try using `output_mode='int'`.")
                if cardinality is not None:  # Keras leaves the ids as they are when the size is unknown
                    self.one_hot_encoders[name] = CategoryEncoding(num_tokens=cardinality, output_mode="multi_hot")
                    dtype = "float32"
            if self.output_mode == "concat" and (dtype.startswith("int") or dtype == "string"):
                raise ValueError(f"Cannot concatenate features because feature '{name}' has not been encoded (it "
                                 f"has dtype {dtype}). Consider using `output_mode='dict'`.")
        if self.output_mode == "concat":
            self.concat = Concatenate(axis=-1)

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace before you can start "
                                 "using it.")
            self._is_adapted = True

    def _check_if_built(self):
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # ----- calling it on data -----
    def __call__(self, data):
        """Encodes a dict of columns (or of single values).

        Args:
            data: ``{name: column}``: (N,) or (N, 1) arrays or lists (a batch), or
                scalars (one row).

        Returns:
            Concat mode: float32 (N, D), or (D,) for one row of scalars. Dict
            mode: ``{name: (N, d_name)}``.
        """
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(f"A FeatureSpace can only be called with a dict. Received: data={data} (of type "
                             f"{type(data)}")
        if set(data) != set(self.features):
            raise ValueError(f"A FeatureSpace must be called with exactly its features' columns {sorted(self.features)}."
                             f" Missing: {sorted(set(self.features) - set(data))}, unknown: "
                             f"{sorted(set(data) - set(self.features))}")
        if feature_space_data.holds_symbolic_tf_tensors(data):
            return feature_space_data.call_in_tf_graph(self, data)
        columns, rebatched = feature_space_data.as_columns(data, self.features)
        preprocessed = self._preprocess_features(columns)
        merged = self._merge_features(preprocessed, self._cross_features(preprocessed))
        if rebatched:  # one row of scalars in, one vector out
            if self.output_mode == "concat":
                return ops.squeeze(merged, axis=0)  # (1, D) -> (D,)
            return {name: ops.squeeze(x, axis=0) if len(x.shape) == 2 and x.shape[0] == 1 else x
                    for name, x in merged.items()}
        return merged

    def compute_encoded_numpy(self, data):
        """``self(data)`` as NumPy arrays (used inside ``tf.numpy_function``)."""
        result = self(data)
        if isinstance(result, dict):
            return {name: np.asarray(ops.convert_to_numpy(value)) for name, value in result.items()}
        return np.asarray(ops.convert_to_numpy(result))

    # ----- saving -----
    def get_config(self):
        from minikeras.saving import serialization_lib
        return {"features": serialization_lib.serialize_keras_object(self.features), "output_mode": self.output_mode,
                "crosses": serialization_lib.serialize_keras_object(self.crosses),
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        return {name: feature.preprocessor.get_build_config() for name, feature in self.features.items()}

    def build_from_config(self, config):
        for name, build_config in config.items():
            preprocessor = self.features[name].preprocessor
            if not preprocessor.built:
                preprocessor.build_from_config(build_config)
        self._is_adapted = True
        self.built = True

    def save(self, filepath):
        """Saves the FeatureSpace to a ``.keras`` file; ``keras.models.load_model`` reads it back."""
        from minikeras.saving import saving_lib
        saving_lib.save_model(self, filepath)
