"""``Hashing`` and ``HashedCrossing``: categories to bins without a vocabulary.

Place in the stack: preprocessing layers over ``layer.py``, beside
``index_lookup.py``. When a feature has too many values to list (user ids,
words), hashing sends each value to ``hash(value) mod num_bins``: no
vocabulary to learn or save, at the price of collisions. ``HashedCrossing``
hashes the *pair* of two features (a feature cross: "city x weekday").

So that a model gives the same bins here and in Keras, the hash is Keras's:
TensorFlow's ``Fingerprint64`` of the value's text (integers are written in
decimal first), which is Google's FarmHash (``farmhashna::Hash64``). It is
written below in plain Python on 64-bit integers, short enough to read: the
bytes are read as little-endian 64-bit words, mixed by multiplications with
large odd constants and rotations, then folded together. Crossing chains
the two values through TensorFlow's ``FingerprintCat64``.
Nothing here is differentiable. Read next: ``preprocessing_image.py``.
"""

import numpy

from minikeras import ops
from minikeras.layers.layer import Layer
from minikeras.layers.preprocessing_numeric import encode_categories

MASK64 = (1 << 64) - 1
K0, K1, K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


def _word(data, offset, size=8):
    """``size`` bytes at ``offset`` as a little-endian unsigned integer."""
    return int.from_bytes(data[offset:offset + size], "little")


def _rotate(value, shift):
    """Rotates a 64-bit value right by ``shift`` bits."""
    return ((value >> shift) | (value << (64 - shift))) & MASK64


def _shift_mix(value):
    return value ^ (value >> 47)


def _hash_16(u, v, mul):
    """Mixes two 64-bit values into one (FarmHash's ``HashLen16``)."""
    a = ((u ^ v) * mul) & MASK64
    a ^= a >> 47
    b = ((v ^ a) * mul) & MASK64
    b ^= b >> 47
    return (b * mul) & MASK64


def _hash_0_to_16(data):
    length = len(data)
    if length >= 8:
        mul = K2 + length * 2
        a = (_word(data, 0) + K2) & MASK64
        b = _word(data, length - 8)
        c = (_rotate(b, 37) * mul + a) & MASK64
        d = ((_rotate(a, 25) + b) * mul) & MASK64
        return _hash_16(c, d, mul)
    if length >= 4:
        mul = K2 + length * 2
        return _hash_16((length + (_word(data, 0, 4) << 3)) & MASK64, _word(data, length - 4, 4), mul)
    if length > 0:
        y = data[0] + (data[length >> 1] << 8)
        z = length + (data[length - 1] << 2)
        return (_shift_mix((y * K2 ^ z * K0) & MASK64) * K2) & MASK64
    return K2


def _hash_17_to_32(data):
    length = len(data)
    mul = K2 + length * 2
    a = (_word(data, 0) * K1) & MASK64
    b = _word(data, 8)
    c = (_word(data, length - 8) * mul) & MASK64
    d = (_word(data, length - 16) * K2) & MASK64
    return _hash_16((_rotate((a + b) & MASK64, 43) + _rotate(c, 30) + d) & MASK64,
                    (a + _rotate((b + K2) & MASK64, 18) + c) & MASK64, mul)


def _hash_33_to_64(data):
    length = len(data)
    mul = K2 + length * 2
    a = (_word(data, 0) * K2) & MASK64
    b = _word(data, 8)
    c = (_word(data, length - 8) * mul) & MASK64
    d = (_word(data, length - 16) * K2) & MASK64
    y = (_rotate((a + b) & MASK64, 43) + _rotate(c, 30) + d) & MASK64
    z = _hash_16(y, (a + _rotate((b + K2) & MASK64, 18) + c) & MASK64, mul)
    e = (_word(data, 16) * mul) & MASK64
    f = _word(data, 24)
    g = ((y + _word(data, length - 32)) * mul) & MASK64
    h = ((z + _word(data, length - 24)) * mul) & MASK64
    return _hash_16((_rotate((e + f) & MASK64, 43) + _rotate(g, 30) + h) & MASK64,
                    (e + _rotate((f + a) & MASK64, 18) + g) & MASK64, mul)


def _weak_hash_32(data, offset, a, b):
    """FarmHash's ``WeakHashLen32WithSeeds``: 32 bytes and two seeds -> a pair."""
    w, x, y, z = (_word(data, offset + 8 * i) for i in range(4))
    a = (a + w) & MASK64
    b = _rotate((b + a + z) & MASK64, 21)
    c = a
    a = (a + x + y) & MASK64
    b = (b + _rotate(a, 44)) & MASK64
    return (a + z) & MASK64, (b + c) & MASK64


def _hash_long(data):
    """More than 64 bytes: a state of seven words absorbs 64 bytes per round."""
    length = len(data)
    # 1. The initial state (seed 81).
    x, y = 81, (81 * K1 + 113) & MASK64
    z = (_shift_mix((y * K2 + 113) & MASK64) * K2) & MASK64
    v, w = (0, 0), (0, 0)
    x = (x * K2 + _word(data, 0)) & MASK64
    # 2. Every full 64-byte block but the last.
    end = ((length - 1) // 64) * 64
    last64 = end + ((length - 1) & 63) - 63
    for offset in range(0, end, 64):
        x = (_rotate((x + y + v[0] + _word(data, offset + 8)) & MASK64, 37) * K1) & MASK64
        y = (_rotate((y + v[1] + _word(data, offset + 48)) & MASK64, 42) * K1) & MASK64
        x ^= w[1]
        y = (y + v[0] + _word(data, offset + 40)) & MASK64
        z = (_rotate((z + w[0]) & MASK64, 33) * K1) & MASK64
        v = _weak_hash_32(data, offset, (v[1] * K1) & MASK64, (x + w[0]) & MASK64)
        w = _weak_hash_32(data, offset + 32, (z + w[1]) & MASK64, (y + _word(data, offset + 16)) & MASK64)
        z, x = x, z
    # 3. The last 64 bytes (overlapping the previous block), with a length-dependent multiplier.
    mul = K1 + ((z & 0xFF) << 1)
    w = ((w[0] + ((length - 1) & 63)) & MASK64, w[1])
    v = ((v[0] + w[0]) & MASK64, v[1])
    w = ((w[0] + v[0]) & MASK64, w[1])
    x = (_rotate((x + y + v[0] + _word(data, last64 + 8)) & MASK64, 37) * mul) & MASK64
    y = (_rotate((y + v[1] + _word(data, last64 + 48)) & MASK64, 42) * mul) & MASK64
    x ^= (w[1] * 9) & MASK64
    y = (y + v[0] * 9 + _word(data, last64 + 40)) & MASK64
    z = (_rotate((z + w[0]) & MASK64, 33) * mul) & MASK64
    v = _weak_hash_32(data, last64, (v[1] * mul) & MASK64, (x + w[0]) & MASK64)
    w = _weak_hash_32(data, last64 + 32, (z + w[1]) & MASK64, (y + _word(data, last64 + 16)) & MASK64)
    z, x = x, z
    # 4. Fold the state into one word.
    return _hash_16((_hash_16(v[0], w[0], mul) + _shift_mix(y) * K0 + z) & MASK64,
                    (_hash_16(v[1], w[1], mul) + x) & MASK64, mul)


def fingerprint64(data):
    """TensorFlow's ``Fingerprint64`` (FarmHash ``Hash64``) of a bytes string, as a Python int."""
    if len(data) <= 16:
        return _hash_0_to_16(data)
    if len(data) <= 32:
        return _hash_17_to_32(data)
    if len(data) <= 64:
        return _hash_33_to_64(data)
    return _hash_long(data)


def fingerprint_cat64(first, second):
    """TensorFlow's ``FingerprintCat64``: one fingerprint from two (order matters)."""
    mul = 0xC6A4A7935BD1E995
    result = first ^ mul
    result ^= (_shift_mix((second * mul) & MASK64) * mul) & MASK64
    result = (result * mul) & MASK64
    result = (_shift_mix(result) * mul) & MASK64
    return _shift_mix(result)


# TensorFlow's default key of sparse_cross_hashed: the first value of the chain.
CROSS_HASH_KEY = 0xDECAFCAFFE


def _cross_feature(value):
    """A crossed feature's 64-bit value: a string's fingerprint, an integer itself (two's complement)."""
    if isinstance(value, (str, bytes)):
        return fingerprint64(_as_bytes(value))
    return int(value) & MASK64


def _as_bytes(value):
    """Keras hashes text: strings as UTF-8, integers (and floats, truncated) in decimal."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (float, numpy.floating)):
        value = int(value)
    return str(int(value)).encode("ascii")


def _values(inputs):
    values = ops.convert_to_numpy(inputs) if hasattr(inputs, "numpy") else inputs
    return numpy.asarray(values, dtype=object)


class Hashing(Layer):
    """Each value -> ``fingerprint64(text of value) mod num_bins``.

    Args:
        num_bins: the number of bins (with ``mask_value``, bin 0 is the mask's).
        mask_value: optional value sent to bin 0; the others share ``num_bins - 1``.
        salt: Keras's keyed SipHash; not implemented in minikeras (must be None).
        output_mode: ``"int"`` (default), ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
        sparse: must be False.
        **kwargs: ``Layer`` arguments (``dtype``: int64 for ``"int"``, else float32).
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                             f"Received: num_bins={num_bins}.")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of ('int', 'one_hot', "
                             f"'multi_hot', 'count'). Received: output_mode={output_mode}")
        if salt is not None:
            raise ValueError("Hashing: the salted (SipHash) hash of Keras is not implemented in minikeras. "
                             f"Received: salt={salt}")
        if sparse:
            raise ValueError("Hashing: minikeras has no sparse tensors. Received: sparse=True")
        self.num_bins, self.mask_value, self.salt, self.output_mode = num_bins, mask_value, None, output_mode
        self.built = True

    def _bin(self, value):
        if self.mask_value is not None and self.num_bins > 1:
            if value == self.mask_value:
                return 0
            return fingerprint64(_as_bytes(value)) % (self.num_bins - 1) + 1
        return fingerprint64(_as_bytes(value)) % self.num_bins

    def call(self, inputs):
        values = _values(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values[..., 0]
        bins = numpy.vectorize(self._bin, otypes=["int64"])(values) if values.size else values.astype("int64")
        if self.output_mode == "int":
            return ops.convert_to_tensor(bins.astype(self.dtype))
        return ops.convert_to_tensor(encode_categories(bins, self.output_mode, self.num_bins, self.dtype))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        return input_shape[:-1] + (self.num_bins,) if input_shape else (self.num_bins,)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": None, "mask_value": self.mask_value,
                "output_mode": self.output_mode, "sparse": False}


class HashedCrossing(Layer):
    """The pair of two categorical features -> one of ``num_bins`` bins.

    The bin chains ``FingerprintCat64`` from a fixed key through both values
    (a string by its fingerprint, an integer as itself), ``mod num_bins``, as
    TensorFlow's ``sparse_cross_hashed`` computes it for Keras.

    Args:
        num_bins: the number of bins.
        output_mode: ``"int"`` (default) or ``"one_hot"``.
        sparse: must be False.
        **kwargs: ``Layer`` arguments.

    Call arguments:
        inputs: a pair ``(a, b)`` of same-shape arrays of strings or integers
            (scalars, ``(N,)`` or ``(N, 1)``).
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if dtype is None:
            dtype = "int64" if output_mode == "int" else "float32"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if output_mode not in ("int", "one_hot"):
            raise ValueError("HashedCrossing: `output_mode` must be 'int' or 'one_hot'. "
                             f"Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("HashedCrossing: minikeras has no sparse tensors. Received: sparse=True")
        self.num_bins, self.output_mode = num_bins, output_mode
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError("`HashedCrossing` should be called on a list or tuple of two tensors. "
                             f"Received: inputs={inputs}")
        first, second = _values(inputs[0]), _values(inputs[1])
        if first.shape != second.shape:
            raise ValueError("Input shapes must match. Received: "
                             f"inputs[0].shape={first.shape}, inputs[1].shape={second.shape}")

        def cross(a, b):
            chained = fingerprint_cat64(CROSS_HASH_KEY, _cross_feature(a))
            return fingerprint_cat64(chained, _cross_feature(b)) % self.num_bins
        bins = numpy.vectorize(cross, otypes=["int64"])(first, second) if first.size else first.astype("int64")
        if self.output_mode == "int":
            return ops.convert_to_tensor(bins.astype(self.dtype))
        return ops.convert_to_tensor(encode_categories(bins, "one_hot", self.num_bins, self.dtype))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        if self.output_mode == "int":
            return shape
        if shape and shape[-1] == 1:
            shape = shape[:-1]
        return shape + (self.num_bins,)

    def get_config(self):
        # Keras's key order, with the dtype as a plain name
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": False, "name": self.name,
                "dtype": self.dtype}
