"""``TextVectorization``: raw strings in, integer ids or bag-of-words vectors out.

Place in the stack: a preprocessing layer over ``layer.py``. Unlike every
other layer, it works on Python strings with plain NumPy and the standard
library: text carries no gradient, so nothing here is an op. Read
``preprocessing.py`` first.

Each input string goes through four steps:

1. standardize: ``"The cat sat."`` -> ``"the cat sat"`` (lower case, no
   punctuation);
2. split: ``"the cat sat"`` -> ``["the", "cat", "sat"]``;
3. n-grams (optional): add ``"the cat"``, ``"cat sat"``...;
4. index: each token -> its position in the vocabulary, learned by
   ``adapt`` (most frequent first). In ``"int"`` mode, id 0 is the padding
   (mask) token ``""`` and id 1 the out-of-vocabulary token ``"[UNK]"``; the
   other modes have no padding, so ``"[UNK]"`` is id 0.

Then the ids are packed: a padded ``(N, T)`` matrix of ids (``"int"``), or one
row of vocabulary size per string counting tokens (``"count"``), marking
them (``"multi_hot"``) or weighting counts by the inverse document frequency
(``"tf_idf"``). Unlike Keras 3 (which needs TensorFlow for strings), this
layer runs on NumPy ``str`` and ``object`` arrays and Python lists.
"""

import collections
import math
import os
import re

import numpy

from minikeras import ops
from minikeras.layers.keras_tensor import KerasTensor
from minikeras.layers.layer import Layer

# Keras's punctuation set for "strip_punctuation".
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_MASK_TOKEN = ""
_OOV_TOKEN = "[UNK]"
_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")


class TextVectorization(Layer):
    """Maps strings to token ids or to bag-of-words vectors.

    Args:
        max_tokens: largest vocabulary size, special tokens included (None:
            no limit).
        standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
            ``"strip_punctuation"``, None, or a callable ``str -> str``.
        split: ``"whitespace"`` (default), ``"character"``, None (the whole
            string is one token), or a callable ``str -> list of str``.
        ngrams: None, an int n (all 1..n-grams), or a tuple of sizes.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or
            ``"tf_idf"``.
        output_sequence_length: ``"int"`` mode only: pad with 0 or cut every
            row to this length (default: the longest row of the batch).
        pad_to_max_tokens: non-int modes: rows have ``max_tokens`` entries
            even when the vocabulary is smaller.
        vocabulary: optional list of tokens (or a path to a file of one
            token per line) instead of ``adapt``. A path in a config is
            refused while a model is loaded in safe mode.
        idf_weights: ``"tf_idf"`` with ``vocabulary``: one weight per token.
        **kwargs: ``Layer`` arguments.

    Shapes:
        ``(N,)`` or ``(N, 1)`` strings -> ``(N, T)`` int64 ids in ``"int"`` mode,
        ``(N, vocabulary_size)`` float32 otherwise.
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        kwargs.pop("vocabulary_size", None)  # in saved configs; derived from the vocabulary
        super().__init__(name=name, **kwargs)
        self._check_arguments(max_tokens, standardize, split, output_mode, output_sequence_length,
                              sparse, ragged)
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.ngrams = (tuple(range(1, ngrams + 1)) if isinstance(ngrams, int)
                       else tuple(ngrams) if ngrams is not None else None)
        self._ngrams_argument = ngrams
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = pad_to_max_tokens
        self.encoding = encoding
        self._input_vocabulary = vocabulary
        self._input_idf_weights = idf_weights
        self._vocabulary = []  # the learned tokens, without the special ones
        self._index = {token: position for position, token in enumerate(self._special_tokens)}
        # tf_idf: (vocabulary_size,) weights, the OOV token's first.
        self._idf = numpy.zeros(1, dtype="float32") if output_mode == "tf_idf" else None
        if vocabulary is not None:
            if output_mode == "tf_idf" and idf_weights is None:
                raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output "
                                 "mode, the `idf_weights` argument must also be provided.")
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True  # no weights: nothing to build

    @staticmethod
    def _check_arguments(max_tokens, standardize, split, output_mode, output_sequence_length,
                         sparse, ragged):
        """Keras's argument checks, with Keras's messages."""
        if output_mode not in _OUTPUT_MODES:
            raise ValueError("Unknown value for `output_mode` argument of TextVectorization. "
                             f"Allowed values are: {_OUTPUT_MODES}. Received: output_mode={output_mode}")
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError("Unknown value for `standardize` argument of TextVectorization. "
                             f"Allowed values are: {_STANDARDIZE}. Received: standardize={standardize}")
        if not (split is None or callable(split) or split in ("whitespace", "character")):
            raise ValueError("Unknown value for `split` argument of TextVectorization. Allowed "
                             "values are: ('whitespace', 'character'). Received: split=" + str(split))
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is not "
                             f"'int'. Received output_sequence_length={output_sequence_length}.")
        if max_tokens is not None and max_tokens < 1:
            raise ValueError(f"`max_tokens` must be greater than or equal to 1. Received: "
                             f"max_tokens={max_tokens}")
        if sparse or ragged:
            raise ValueError("TextVectorization: minikeras has no sparse or ragged tensors.")

    # ----- the vocabulary -----
    @property
    def _special_tokens(self):
        return [_MASK_TOKEN, _OOV_TOKEN] if self.output_mode == "int" else [_OOV_TOKEN]

    def get_vocabulary(self, include_special_tokens=True):
        """The tokens in id order (id i is entry i), special tokens first."""
        special = self._special_tokens if include_special_tokens else []
        return special + list(self._vocabulary)

    def vocabulary_size(self):
        """The number of ids, special tokens included."""
        return len(self._special_tokens) + len(self._vocabulary)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replaces the vocabulary (and, for ``"tf_idf"``, the idf weights).

        Args:
            vocabulary: tokens in id order; may start with the special tokens,
                or be the path of a text file with one token per line.
            idf_weights: one float per token (``"tf_idf"`` mode only).
        """
        # 1. Read a file (unless a safe-mode load is running), accept arrays,
        #    drop leading special tokens.
        vocabulary_file = vocabulary if isinstance(vocabulary, str) else None
        if vocabulary_file is not None:
            from minikeras.saving.config_files import read_vocabulary_file  # saving sits above layers
            vocabulary = read_vocabulary_file(vocabulary_file, self.name, self.encoding)
        tokens = [self._decode(token) for token in numpy.asarray(vocabulary, dtype=object).ravel()]
        special = self._special_tokens
        if tokens[:len(special)] == special:
            tokens = tokens[len(special):]
            if idf_weights is not None and len(idf_weights) == len(tokens) + len(special):
                idf_weights = list(idf_weights)[len(special):]
        # 2. Keras's checks.
        repeated = sorted(token for token, count in collections.Counter(tokens).items() if count > 1)
        if repeated and vocabulary_file is not None:  # never quote a file's lines
            raise ValueError(f"Layer '{self.name}': the vocabulary file {vocabulary_file!r} has "
                             f"{len(repeated)} repeated terms. Please uniquify it.")
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {repeated}")
        if self.max_tokens is not None and len(tokens) + len(special) > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. "
                             f"Received vocabulary size is {len(tokens) + len(special)}; "
                             f"`max_tokens` is {self.max_tokens}.")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
            if len(idf_weights) != len(tokens):
                raise ValueError("`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(idf_weights)}; len(vocabulary) is "
                                 f"{len(tokens)}")
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is 'tf_idf'. "
                             f"Received: output_mode={self.output_mode} and idf_weights={idf_weights}")
        # 3. Store; the OOV token's idf is the mean of the others (as in Keras).
        self._vocabulary = tokens
        self._index = {token: position for position, token in enumerate(self.get_vocabulary())}
        if self.output_mode == "tf_idf":
            weights = numpy.asarray(idf_weights, dtype="float32")
            oov_weight = weights.mean() if weights.size else 0.0
            self._idf = numpy.concatenate([[oov_weight], weights]).astype("float32")

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and idf weights) from a corpus.

        Args:
            data: strings as a list, a NumPy array (any shape), or any iterable
                of strings or of batches of strings (a generator, a
                ``tf.data.Dataset``...). Each string is one document.
            batch_size, steps: accepted for Keras compatibility; ``steps``
                limits how many items of an iterable are read.
        """
        # 1. Count tokens, and the documents each token appears in.
        counts, document_counts, documents = collections.Counter(), collections.Counter(), 0
        for document in self._documents(data, steps):
            tokens = self._tokens(document)
            counts.update(tokens)
            document_counts.update(set(tokens))
            documents += 1
        # 2. Most frequent first; ties in reverse alphabetical order, as Keras.
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        ranked = [token for token, _ in ranked if token not in self._special_tokens]
        if self.max_tokens is not None:
            ranked = ranked[:self.max_tokens - len(self._special_tokens)]
        # 3. idf = log(1 + documents / (1 + documents containing the token)).
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1.0 + documents / (1.0 + document_counts[token])) for token in ranked]
        self.set_vocabulary(ranked, idf)

    def _documents(self, data, steps):
        """Yields every string of ``data``, however it is nested."""
        if isinstance(data, (str, bytes)):
            yield self._decode(data)
            return
        if hasattr(data, "numpy") and not isinstance(data, numpy.ndarray):
            data = data.numpy()  # a TensorFlow or minikeras tensor
        if isinstance(data, numpy.ndarray):
            for item in data.ravel():
                yield self._decode(item)
            return
        for step, item in enumerate(data):
            if steps is not None and step >= steps:
                return
            yield from self._documents(item, None)

    def _decode(self, item):
        """bytes -> str with ``encoding``; other items via ``str``."""
        return item.decode(self.encoding) if isinstance(item, bytes) else str(item)

    # ----- from a string to tokens -----
    def _tokens(self, text):
        """Steps 1-3 of the module doc: standardize, split, n-grams."""
        if callable(self.standardize):
            text = self.standardize(text)
        elif self.standardize is not None:
            if self.standardize in ("lower", "lower_and_strip_punctuation"):
                text = text.lower()
            if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
                text = _PUNCTUATION.sub("", text)
        if callable(self.split):
            tokens = list(self.split(text))
        elif self.split == "whitespace":
            tokens = text.split()
        elif self.split == "character":
            tokens = list(text)
        else:
            tokens = [text]
        if self.ngrams is None:
            return tokens
        return [" ".join(tokens[start:start + size]) for size in self.ngrams
                for start in range(len(tokens) - size + 1)]

    # ----- call -----
    def call(self, inputs):
        # 1. Strings as a NumPy array; (N, 1) and scalars are read as (N,).
        strings = numpy.asarray(inputs, dtype=object)
        scalar = strings.ndim == 0
        if scalar:
            strings = strings.reshape(1)
        if strings.ndim == 2 and strings.shape[-1] == 1:
            strings = strings[:, 0]
        if strings.ndim != 1:
            raise ValueError(f"TextVectorization '{self.name}' expects a batch of strings of shape "
                             f"(N,) or (N, 1). Received shape {strings.shape}.")
        # 2. Ids per string, then packed rows.
        ids = [[self._index.get(token, self._index[_OOV_TOKEN]) for token in
                self._tokens(self._decode(text))] for text in strings]
        if self.output_mode == "int":
            outputs = self._pack_ids(ids)
        else:
            outputs = self._pack_counts(ids)
        outputs = outputs[0] if scalar else outputs
        return ops.convert_to_tensor(outputs)

    def _pack_ids(self, ids):
        """Rows of ids -> an int64 ``(N, T)`` matrix padded with 0 (the mask id)."""
        length = self.output_sequence_length
        if length is None:
            length = max((len(row) for row in ids), default=0)
        matrix = numpy.zeros((len(ids), length), dtype="int64")
        for row, row_ids in enumerate(ids):
            row_ids = row_ids[:length]
            matrix[row, :len(row_ids)] = row_ids
        return matrix

    def _pack_counts(self, ids):
        """Rows of ids -> a float32 ``(N, width)`` of counts, marks or tf-idf."""
        width = self._output_width()
        matrix = numpy.zeros((len(ids), width), dtype="float32")
        for row, row_ids in enumerate(ids):
            if self.output_mode == "one_hot" and len(row_ids) != 1:
                raise ValueError(f"TextVectorization '{self.name}' in 'one_hot' mode needs exactly "
                                 f"one token per string; got {len(row_ids)}. Use 'multi_hot'.")
            numpy.add.at(matrix[row], numpy.asarray(row_ids, dtype="int64"), 1.0)
        if self.output_mode in ("multi_hot", "one_hot"):
            matrix = numpy.minimum(matrix, 1.0)
        elif self.output_mode == "tf_idf":
            matrix[:, :self._idf.size] *= self._idf
        return matrix

    def _output_width(self):
        if self.pad_to_max_tokens and self.max_tokens is not None:
            return self.max_tokens
        return self.vocabulary_size()

    def compute_output_shape(self, input_shape):
        batch = input_shape[0] if len(input_shape) else None
        if self.output_mode == "int":
            return (batch, self.output_sequence_length)
        return (batch, self._output_width())

    def compute_output_spec(self, inputs, **kwargs):
        dtype = "int64" if self.output_mode == "int" else "float32"
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)), dtype=dtype)

    # ----- saving -----
    def save_assets(self, dir_path):
        """Writes the vocabulary (and idf weights) as files, as Keras does."""
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as file:
            file.write("\n".join(self.get_vocabulary()))
        if self._idf is not None:
            numpy.savetxt(os.path.join(dir_path, "idf_weights.txt"), self._idf[1:])

    def load_assets(self, dir_path):
        """Reads back what ``save_assets`` wrote."""
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as file:
            tokens = file.read().split("\n")
        idf_path = os.path.join(dir_path, "idf_weights.txt")
        idf = numpy.loadtxt(idf_path, ndmin=1) if os.path.exists(idf_path) else None
        self.set_vocabulary(tokens, idf)

    def get_config(self):
        return {
            **super().get_config(),
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "ngrams": self._ngrams_argument,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "sparse": False,
            "ragged": False,
            # A path is not kept (as in Keras): the tokens travel as an asset.
            "vocabulary": None if isinstance(self._input_vocabulary, str) else _listify(self._input_vocabulary),
            "idf_weights": _listify(self._input_idf_weights),
            "encoding": self.encoding,
            "vocabulary_size": self.vocabulary_size(),
        }


def _listify(value):
    """Arrays in configs become lists (JSON has no arrays)."""
    return value.tolist() if isinstance(value, numpy.ndarray) else value
