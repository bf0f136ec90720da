"""``pad_sequences``: a list of sequences of different lengths -> one rectangular array.

Place in the stack: the top (``keras.utils``, also
``keras.preprocessing.sequence``), used on token lists before an
``Embedding``. Read ``numerical_utils.py`` first.
"""

import numpy as np

PLACES = ("pre", "post")


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pads (and cuts) every sequence to the same length ``maxlen``.

    Args:
        sequences: a list of N sequences (lists or arrays), each of shape
            ``(length_i,)`` or ``(length_i, *S)`` with the same ``S``.
        maxlen: the output length; None means the longest sequence's length.
        dtype: the output dtype (``object`` for strings).
        padding: ``"pre"`` (values before each sequence) or ``"post"`` (after).
        truncating: ``"pre"`` (drop the start of longer sequences) or ``"post"``.
        value: the padding value.
    Returns:
        NumPy array of shape ``(N, maxlen, *S)``.
    Raises:
        ValueError: ``padding``/``truncating`` not ``"pre"``/``"post"``, an
            entry that is not a sequence, or a string ``value`` for a
            numeric dtype.

    Example:
        >>> pad_sequences([[1, 2, 3], [4, 5], [6]])
        array([[1, 2, 3], [0, 4, 5], [0, 0, 6]], dtype=int32)
    """
    # 1. Check the arguments before touching the data.
    if padding not in PLACES:
        raise ValueError(f'Padding type "{padding}" not understood: `padding` must be "pre" or "post". '
                         f"Received: padding={padding!r}")
    if truncating not in PLACES:
        raise ValueError(f'Truncating type "{truncating}" not understood: `truncating` must be "pre" or '
                         f'"post". Received: truncating={truncating!r}')
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be a list of iterables. "
                         f"Received: an object of type {type(sequences).__name__}")
    _check_value_fits_dtype(value, dtype)
    # 2. Lengths, and the shape S of one step (from the first non-empty sequence).
    lengths, sample_shape = [], ()
    for index, sequence in enumerate(sequences):
        if not hasattr(sequence, "__len__"):
            raise ValueError("`sequences` must be a list of iterables. "
                             f"Found non-iterable: {sequence!r} at index {index}")
        lengths.append(len(sequence))
        if len(sequence) and not sample_shape:
            sample_shape = np.asarray(sequence).shape[1:]
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    # 3. Fill a (N, maxlen, *S) array with `value`, then copy each kept part in.
    padded = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for index, sequence in enumerate(sequences):
        if not len(sequence) or not maxlen:
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {index} "
                             f"is different from expected shape {sample_shape}")
        if padding == "post":
            padded[index, :len(kept)] = kept
        else:
            padded[index, maxlen - len(kept):] = kept
    return padded


def _check_value_fits_dtype(value, dtype):
    """A string padding value needs a string or object dtype (Keras's check)."""
    is_text_dtype = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_text_dtype:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
                         "You should set `dtype=object` for variable length strings.")
