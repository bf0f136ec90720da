"""Lookup layers: ``StringLookup`` and ``IntegerLookup``, a vocabulary as a layer.

Place in the stack: preprocessing layers over ``layer.py``, beside
``text_vectorization.py`` (whose last step is such a lookup). A lookup turns
each categorical value (``"cat"``, or a zip code ``75001``) into its index
in a vocabulary, learned by ``adapt`` (most frequent first) or given:

* index 0 is the mask token's, when there is one (``"int"`` output only);
* the next ``num_oov_indices`` indices are for values outside the
  vocabulary ("out of vocabulary", OOV): with one, every unknown value gets
  it; with several, unknown values are spread by ``value mod
  num_oov_indices`` (integers) or by their FarmHash fingerprint (strings);
* then the vocabulary, in order.

``invert=True`` maps indices back to values. The other output modes pack
the indices of a row into one vector (``CategoryEncoding``'s rules), with
``"tf_idf"`` weighting counts by inverse document frequency. The
vocabulary is saved in ``assets/vocabulary.txt`` of the ``.keras`` file, as
Keras does. Nothing here is differentiable. Read next: ``hashing.py``.
"""

import collections
import math
import os

import numpy

from minikeras import ops
from minikeras.layers.hashing import _as_bytes
from minikeras.layers.hashing import fingerprint64
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.layer import Layer
from minikeras.layers.preprocessing_numeric import encode_categories

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _read_vocabulary_file(path, layer_name, encoding):
    """The file's lines; refused inside a safe-mode load (``saving/config_files.py`` decides)."""
    from minikeras.saving import config_files  # saving sits above layers: asked on use only
    return config_files.read_vocabulary_file(path, layer_name, encoding)


class IndexLookup(Layer):
    """What ``StringLookup`` and ``IntegerLookup`` share (Keras's ``IndexLookup``).

    Args:
        max_tokens: largest vocabulary size, special indices included (None: no limit).
        num_oov_indices: how many indices unknown values share (0: unknown values are an error).
        mask_token: the value that means "padding" (index 0 in ``"int"`` mode), or None.
        oov_token: what ``invert`` returns for OOV indices (``get_vocabulary`` shows it).
        vocabulary_dtype: ``"string"`` or ``"int64"``.
        vocabulary: optional list of values, or a text file with one per line.
        idf_weights: ``"tf_idf"`` with ``vocabulary``: one weight per value.
        invert: map indices back to values.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        pad_to_max_tokens: non-int modes: vectors of ``max_tokens`` entries.
        oov_method: how several OOV indices share unknown integers:
            ``"floormod"`` (``value mod num_oov_indices``) or ``"farmhash"``
            (strings always use it: the value's FarmHash fingerprint, as ``Hashing``).
        salt: must be None (Keras's keyed SipHash is not implemented).
        **kwargs: ``name``; ``trainable``/``dtype``/``vocabulary_size`` of saved configs are accepted.
    """

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", name=None, salt=None, **kwargs):
        # 1. Keras's argument checks.
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        layer_name = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"{layer_name}: `output_mode` must be one of {_OUTPUT_MODES}. "
                             f"Received: output_mode={output_mode}")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: output_mode={output_mode}")
        if sparse:
            raise ValueError(f"{layer_name}: minikeras has no sparse tensors. Received: sparse=True")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                             f"Received: idf_weights={idf_weights} and output_mode={output_mode}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"{layer_name}: `oov_method` must be 'floormod' or 'farmhash'. "
                             f"Received: oov_method={oov_method!r}")
        if salt is not None:
            raise ValueError(f"{layer_name}: the salted (SipHash) OOV hash of Keras is not implemented in "
                             f"minikeras. Received: salt={salt}")
        kwargs.pop("vocabulary_size", None)  # saved configs: derived from the vocabulary
        kwargs.pop("has_input_vocabulary", None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        # 2. State: the learned tokens (without special ones) and the index of each value.
        self.invert, self.max_tokens, self.num_oov_indices = invert, max_tokens, num_oov_indices
        self.mask_token, self.oov_token, self.output_mode = mask_token, oov_token, output_mode
        self.pad_to_max_tokens, self.vocabulary_dtype = pad_to_max_tokens, vocabulary_dtype
        self.oov_method, self.salt = oov_method, salt
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._tokens = None  # None until adapt or set_vocabulary
        self._idf = None
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, the "
                             "`idf_weights` argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # ----- indices -----
    def _oov_start_index(self):
        """Index of the first OOV slot: 1 after a mask token in ``"int"`` mode, else 0."""
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _standardize_token(self, value):
        """One vocabulary entry in the layer's type (str, or int)."""
        if self.vocabulary_dtype == "string":
            return value.decode(getattr(self, "encoding", "utf-8")) if isinstance(value, bytes) else str(value)
        return int(value)

    # ----- the vocabulary -----
    def vocabulary_size(self):
        """The number of indices, special ones included."""
        return self._token_start_index() + len(self._tokens or [])

    def get_vocabulary(self, include_special_tokens=True):
        """Values in index order: mask (``"int"`` mode), OOV tokens, then the vocabulary."""
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        return (special if include_special_tokens else []) + list(self._tokens or [])

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replaces the vocabulary.

        Args:
            vocabulary: values in index order (may start with the special
                tokens, in order), or the path of a text file, one per line.
            idf_weights: ``"tf_idf"`` mode: one float per value.
        """
        # 1. A file: read it (never inside a safe-mode load, where the path came from a config).
        if isinstance(vocabulary, str):
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary from file.")
            vocabulary = _read_vocabulary_file(vocabulary, self.name, getattr(self, "encoding", "utf-8"))
        # 2. Values in the layer's type; drop the special tokens when they lead.
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        values = [self._standardize_token(value) for value in numpy.asarray(vocabulary, dtype=object).ravel()]
        if not values:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        special = self.get_vocabulary()[:self._token_start_index()]
        found_special = values[:len(special)] == special
        tokens = values[len(special):] if found_special else values
        self._check_tokens(tokens, special)
        # 3. Store; tf_idf weights get the special indices in front (their mean).
        self._tokens = tokens
        self._index = {token: index for index, token in enumerate(tokens, start=self._token_start_index())}
        if self.output_mode == "tf_idf":
            weights = numpy.asarray(idf_weights, dtype="float32").ravel()
            if len(weights) != len(values):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{len(weights)}; len(vocabulary) is {len(values)}")
            front = 0 if found_special else self._token_start_index()
            self._idf = numpy.concatenate([numpy.full(front, weights.mean()), weights]).astype("float32")

    def _check_tokens(self, tokens, special):
        repeated = sorted(str(token) for token, count in collections.Counter(tokens).items() if count > 1)
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError("Found reserved mask token at unexpected location in `vocabulary`. Either remove all "
                             "mask and OOV tokens, or include them only at the start of the vocabulary in "
                             f"precisely this order: {special}. Received: mask_token={self.mask_token}")
        if self.invert and self.oov_token is not None and self.oov_token in tokens:
            raise ValueError("Found reserved OOV token at unexpected location in `vocabulary`. Either remove all "
                             "mask and OOV tokens, or include them only at the start of the vocabulary in "
                             f"precisely this order: {special}. Received: oov_token={self.oov_token}")
        if self.max_tokens is not None and len(special) + len(tokens) > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. Received "
                             f"vocabulary size is {len(special) + len(tokens)}; `max_tokens` is {self.max_tokens}.")

    def adapt(self, data, steps=None):
        """Learns the vocabulary: most frequent values first (ties: the larger value first, as Keras).

        Args:
            data: an array or list (each row one document), or an iterable of
                batches (a generator, a ``tf.data.Dataset``).
            steps: at most this many batches of an iterable.
        """
        if self.input_vocabulary is not None:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via "
                             "`vocabulary` argument or `set_vocabulary()` method.")
        counts, document_counts, documents = collections.Counter(), collections.Counter(), 0
        for batch in self._adapt_batches(data, steps):
            values = [self._standardize_token(value) for value in batch.ravel()]
            counts.update(values)
            rows = batch.reshape(batch.shape[0], -1) if batch.ndim > 1 else batch.reshape(1, -1)
            for row in rows:
                document_counts.update({self._standardize_token(value) for value in row})
            documents += len(rows)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ranked = sorted(counts, key=lambda token: (counts[token], token), reverse=True)
        if self.max_tokens:
            ranked = ranked[:self.max_tokens - self._token_start_index()]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + documents / (1 + document_counts[token])) for token in ranked]
        self._tokens = None
        if ranked:
            self.set_vocabulary(ranked, idf)

    def _adapt_batches(self, data, steps):
        """Arrays from ``data``: one batch for an array or list, else one per item."""
        if isinstance(data, (list, tuple, numpy.ndarray)) or hasattr(data, "shape"):
            data = numpy.asarray(ops.convert_to_numpy(data) if hasattr(data, "numpy") else data, dtype=object)
            yield data[:, None] if data.ndim == 1 else data.reshape(1) if data.ndim == 0 else data
            return
        for step, batch in enumerate(data):
            if steps is not None and step >= steps:
                return
            batch = batch.numpy() if hasattr(batch, "numpy") else batch
            yield numpy.asarray(batch, dtype=object).reshape(1) if numpy.ndim(batch) == 0 else numpy.asarray(
                batch, dtype=object)

    # ----- call -----
    def call(self, inputs):
        if self._tokens is None:
            raise ValueError(f"{type(self).__name__} ('{self.name}') was called before its vocabulary was set. "
                             "Pass `vocabulary=...` to the constructor, or call `adapt(data)` or "
                             "`set_vocabulary(...)` first.")
        values = numpy.asarray(ops.convert_to_numpy(inputs) if hasattr(inputs, "numpy") else inputs, dtype=object)
        if self.invert:
            return self._invert(values)
        indices = numpy.vectorize(self._lookup, otypes=["int64"])(values) if values.size else values.astype("int64")
        if self.output_mode == "int":
            return ops.convert_to_tensor(indices)
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        outputs = encode_categories(indices, mode, depth, "float32")
        if self.output_mode == "tf_idf":
            weights = numpy.zeros(depth, dtype="float32")
            weights[:len(self._idf)] = self._idf
            outputs = outputs * weights
        return ops.convert_to_tensor(outputs)

    def _lookup(self, value):
        """One value -> its index (the mask, a vocabulary index, or an OOV index)."""
        value = self._standardize_token(value)
        if self.mask_token is not None and value == self.mask_token:
            return 0 if self.output_mode == "int" else numpy.iinfo("int64").max
        index = self._index.get(value)
        if index is not None:
            return index
        if self.num_oov_indices == 0:
            raise ValueError("When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                             f"[{value!r}], consider setting `num_oov_indices=1`.")
        if self.num_oov_indices == 1:
            return self._oov_start_index()
        if self.vocabulary_dtype == "string" or self.oov_method == "farmhash":
            # Keras's to_hash_bucket_fast: the FarmHash fingerprint of the value's text
            return self._oov_start_index() + fingerprint64(_as_bytes(value)) % self.num_oov_indices
        return self._oov_start_index() + value % self.num_oov_indices  # floormod: Python's % is floored

    def _invert(self, indices):
        """Indices -> values; OOV indices give ``oov_token``, 0 the mask token (if any)."""
        vocabulary = self.get_vocabulary()
        if self.mask_token is not None:
            vocabulary[0] = self.mask_token

        def value_of(index):
            index = int(index)
            return vocabulary[index] if 0 <= index < len(vocabulary) else self.oov_token
        dtype = object if self.vocabulary_dtype == "string" else "int64"
        values = numpy.vectorize(value_of, otypes=[dtype])(indices) if indices.size else indices.astype(dtype)
        return values if self.vocabulary_dtype == "string" else ops.convert_to_tensor(values)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else (self.vocabulary_size() if self._tokens else None)
        if self.output_mode == "one_hot" and not (len(input_shape) > 1 and input_shape[-1] == 1):
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def compute_output_spec(self, inputs, **kwargs):
        if self.invert:
            dtype = "string" if self.vocabulary_dtype == "string" else "int64"
        else:
            dtype = "int64" if self.output_mode == "int" else "float32"
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)), dtype=dtype)

    # ----- saving -----
    def save_assets(self, dir_path):
        """Writes ``vocabulary.txt`` (special tokens included), unless the vocabulary is in the config."""
        if self.input_vocabulary is not None or self._tokens is None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as file:
            file.write("\n".join(str(token) for token in self.get_vocabulary()))

    def load_assets(self, dir_path):
        """Reads back ``vocabulary.txt`` (from this archive's own assets folder)."""
        path = os.path.join(dir_path, "vocabulary.txt")
        if self.input_vocabulary is not None or not os.path.isfile(path):
            return
        with open(path, encoding="utf-8") as file:
            lines = file.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        if self.output_mode == "tf_idf":
            raise ValueError(f"{type(self).__name__} ('{self.name}'): restoring an adapted 'tf_idf' vocabulary "
                             "from a file is not implemented in minikeras (its idf weights are not saved).")
        self.set_vocabulary(lines)

    def get_config(self):
        return {
            **super().get_config(),
            "invert": self.invert, "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token, "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": False, "pad_to_max_tokens": self.pad_to_max_tokens, "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights), "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self.vocabulary_size() if self._tokens is not None else None,
            "oov_method": self.oov_method, "salt": self.salt,
        }


def _listify(value):
    return value.tolist() if isinstance(value, numpy.ndarray) else (list(value) if isinstance(value, tuple) else value)


class StringLookup(IndexLookup):
    """Strings -> indices in a vocabulary (``invert=True``: indices -> strings).

    Args:
        max_tokens, num_oov_indices, mask_token, vocabulary, idf_weights,
        invert, output_mode, pad_to_max_tokens: see ``IndexLookup``.
        oov_token: ``"[UNK]"`` by default.
        encoding: of byte strings and vocabulary files (``"utf-8"``).
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``"int"``: output shape = input shape, int64; other modes add (or
        replace a size-1 last axis with) the vocabulary axis, float32.
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", name=None, salt=None, **kwargs):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}


class IntegerLookup(IndexLookup):
    """Integers (ids, codes) -> indices in a vocabulary (``invert=True``: back).

    Args:
        max_tokens, num_oov_indices, mask_token, vocabulary, idf_weights,
        invert, output_mode, pad_to_max_tokens: see ``IndexLookup``.
        oov_token: ``-1`` by default.
        vocabulary_dtype: only ``"int64"``.
        oov_method: ``"floormod"``: with several OOV indices, value ``v``
            takes OOV index ``v mod num_oov_indices``.
        **kwargs: ``Layer`` arguments.
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="floormod", salt=None, name=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError("Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, vocabulary_dtype=vocabulary_dtype,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method, salt=salt, name=name,
                         **kwargs)

    def get_config(self):
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(value) for value in config["vocabulary"]]
        return config
