"""Numeric preprocessing layers: ``Normalization``, ``Discretization``, ``CategoryEncoding``.

Place in the stack: preprocessing layers over ``layer.py``, beside
``preprocessing.py`` (``Rescaling``). They put the preparation of
structured data inside the model, learned once from the training data by
``adapt`` and saved with the model:

* ``Normalization``: ``(x - mean) / sqrt(variance)`` per feature, with the
  statistics from ``adapt`` (arrays, or batches from a dataset, merged with
  the parallel-variance formula) or given; ``invert=True`` undoes it;
* ``Discretization``: a number -> the index of its bin (boundaries given, or
  quantiles found by ``adapt``);
* ``CategoryEncoding``: integer ids -> one-hot, multi-hot or count vectors.

Only ``Normalization`` is differentiable (a subtract and a divide);
the other two output indices or counts. Read next: ``index_lookup.py``.
"""

import math

import numpy

from minikeras import ops
from minikeras.layers.layer import Layer

EPSILON = 1e-7  # backend.epsilon(): the smallest standard deviation divided by


def _batches(data):
    """Yields float arrays from an array, a tensor, or an iterable of batches
    (a generator, a ``tf.data.Dataset``, a ``PyDataset``; ``(x, y)`` tuples give ``x``)."""
    if isinstance(data, numpy.ndarray) or hasattr(data, "numpy") and not hasattr(data, "__iter__"):
        yield numpy.asarray(data)
        return
    if hasattr(data, "shape") and hasattr(data, "dtype"):  # a minikeras or foreign tensor
        yield numpy.asarray(data)
        return
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and hasattr(data, "num_batches"):
        data = (data[index] for index in range(len(data)))  # a PyDataset
    for batch in data:
        batch = batch[0] if isinstance(batch, tuple) else batch
        yield numpy.asarray(batch)


class Normalization(Layer):
    """Shifts and scales each feature to mean 0 and variance 1.

    Args:
        axis: int, tuple of ints or None: the axes that keep one mean each
            (-1: one per feature of the last axis; None: one for everything).
        mean, variance: optional fixed statistics (then ``adapt`` is not needed).
        invert: if True, apply ``mean + x * sqrt(variance)`` instead.
        **kwargs: ``Layer`` arguments.

    Shapes:
        output shape = input shape; the statistics have the sizes of the kept axes.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. "
                             f"Received: mean={mean} and variance={variance}")
        if mean is not None and numpy.shape(mean) != numpy.shape(variance):
            raise ValueError("When setting values directly, `mean` and `variance` must have the same shape. "
                             f"Received: mean shape {numpy.shape(mean)} and variance shape {numpy.shape(variance)}")
        if mean is not None and numpy.ndim(mean) > len(self.axis):
            raise ValueError(f"The rank of `mean` must be less than or equal to the number of axes "
                             f"({len(self.axis)}). Received: mean shape {numpy.shape(mean)} for axis {self.axis}")

    def build(self, input_shape):
        # 1. Which axes keep their own statistics, which are averaged over.
        ndim = len(input_shape)
        if any(axis < -ndim or axis >= ndim for axis in self.axis):
            raise ValueError(f"Normalization ('{self.name}'): all `axis` values must be in the range "
                             f"[-ndim, ndim). Received inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(axis % ndim for axis in self.axis))
        if any(input_shape[axis] is None for axis in self._keep_axis):
            raise ValueError(f"Normalization ('{self.name}'): all `axis` values to be kept must have a "
                             f"known shape. Received axis={self.axis}, inputs.shape={tuple(input_shape)}")
        self._reduce_axis = tuple(axis for axis in range(ndim) if axis not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[axis] if axis in self._keep_axis else 1 for axis in range(ndim))
        statistics_shape = tuple(input_shape[axis] for axis in self._keep_axis)
        # 2. Fixed statistics are constants; adapted ones are (saved) non-trainable weights.
        if self.input_mean is not None:
            self._fixed = [self._fixed_statistic(value, statistics_shape) for value in
                           (self.input_mean, self.input_variance)]
        else:
            self._fixed = None
            self.adapt_mean = self.add_weight(name="mean", shape=statistics_shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=statistics_shape, initializer="ones",
                                                  trainable=False)
            # Keras 3 saves a `count` but never updates it (it stays 0); kept for the file layout.
            self.count = self.add_weight(name="count", shape=(), dtype="int32", initializer="zeros",
                                         trainable=False)
        self._build_input_shape = tuple(input_shape)
        self.built = True

    def _fixed_statistic(self, value, statistics_shape):
        """A given mean or variance, its trailing axes matched to the kept axes, broadcast."""
        value = numpy.asarray(value, dtype=self.compute_dtype)
        value = numpy.broadcast_to(value, statistics_shape)
        return value.reshape(self._broadcast_shape)

    def adapt(self, data):
        """Computes the mean and variance of ``data`` over the non-kept axes.

        Args:
            data: an array or tensor, or an iterable of batches (a generator,
                a ``tf.data.Dataset`` or ``PyDataset``; ``(x, y)`` batches use ``x``).
        """
        total_mean = total_variance = None
        total_count = 0
        for batch in _batches(data):
            batch = batch.astype(self.compute_dtype)
            if not self.built:
                self.build(batch.shape)
            for axis in self._keep_axis:
                if batch.shape[axis] != self._build_input_shape[axis]:
                    raise ValueError(f"Normalization ('{self.name}'): the layer was built with input_shape="
                                     f"{self._build_input_shape}, but adapt() received data with an "
                                     f"incompatible shape, data.shape={batch.shape}")
            batch_mean = batch.mean(axis=self._reduce_axis)
            batch_variance = batch.var(axis=self._reduce_axis)
            batch_count = math.prod(batch.shape[axis] for axis in self._reduce_axis)
            if total_mean is None:
                total_mean, total_variance, total_count = batch_mean, batch_variance, batch_count
                continue
            # Merge two groups: the new variance adds each group's spread
            # around the merged mean (Chan et al.'s parallel algorithm).
            total_count += batch_count
            weight = batch_count / total_count
            merged_mean = total_mean * (1 - weight) + batch_mean * weight
            total_variance = ((total_variance + (total_mean - merged_mean) ** 2) * (1 - weight)
                              + (batch_variance + (batch_mean - merged_mean) ** 2) * weight)
            total_mean = merged_mean
        if total_mean is None:
            raise ValueError(f"Normalization ('{self.name}'): adapt() received no data.")
        if self._fixed is not None:
            raise ValueError(f"Normalization ('{self.name}'): `mean` and `variance` were given; "
                             "there is nothing to adapt.")
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_variance)

    def call(self, inputs):
        inputs = ops.cast(inputs, self.compute_dtype)
        if self._fixed is not None:
            mean, variance = self._fixed
        else:
            mean = ops.reshape(self.adapt_mean, self._broadcast_shape)  # (C,) -> (1, ..., C)
            variance = ops.reshape(self.adapt_variance, self._broadcast_shape)
        # a constant feature (variance 0) is divided by EPSILON, not by 0
        scale = ops.maximum(ops.sqrt(variance), EPSILON)
        if self.invert:
            return ops.add(mean, ops.multiply(inputs, scale))
        return ops.divide(ops.subtract(inputs, mean), scale)

    @property
    def mean(self):
        """The statistics in the input's broadcast shape (None before the build)."""
        if not self.built:
            return None
        return self._fixed[0] if self._fixed is not None else self.adapt_mean.numpy().reshape(self._broadcast_shape)

    @property
    def variance(self):
        if not self.built:
            return None
        return self._fixed[1] if self._fixed is not None else self.adapt_variance.numpy().reshape(
            self._broadcast_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": numpy.array(self.input_mean).tolist(), "variance": numpy.array(self.input_variance).tolist()}


def encode_categories(ids, output_mode, depth, dtype, count_weights=None):
    """Integer ids -> Keras's ``"one_hot"``, ``"multi_hot"`` or ``"count"`` vectors (NumPy).

    Args:
        ids: int array ``(N, k)``, ``(N,)`` or a scalar; ids in ``[0, depth)``.
        output_mode: ``"one_hot"`` (an ``(N, 1)`` input drops its last axis
            first), ``"multi_hot"`` or ``"count"`` (both reduce the last axis
            of a rank-2 input; a rank-1 input is one sample).
        depth: the vector length.
        dtype: the output dtype.
        count_weights: optional weights, shaped like ``ids``, summed instead of 1.
    Returns:
        ``ids.shape + (depth,)`` for one_hot, ``ids.shape[:-1] + (depth,)`` otherwise.
    """
    ids = numpy.asarray(ids)
    if ids.ndim == 0:
        ids = ids[None]
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(f"Category ids must be in the range [0, {depth}). Received values from "
                         f"{ids.min()} to {ids.max()}.")
    if output_mode == "one_hot":
        if ids.ndim > 1 and ids.shape[-1] == 1:
            ids = ids[..., 0]
        return numpy.eye(depth, dtype=dtype)[ids]
    one_hot = numpy.eye(depth, dtype="float64")[ids]  # (..., k, depth)
    if count_weights is not None:
        one_hot = one_hot * numpy.asarray(count_weights, dtype="float64")[..., None]
    axis = 1 if ids.ndim > 1 else 0
    if output_mode == "multi_hot":
        return one_hot.max(axis=axis).astype(dtype)
    return one_hot.sum(axis=axis).astype(dtype)


class CategoryEncoding(Layer):
    """Integer ids in ``[0, num_tokens)`` -> fixed-length vectors.

    Args:
        num_tokens: the vector length.
        output_mode: ``"multi_hot"`` (default; ``"binary"`` is an alias),
            ``"one_hot"`` or ``"count"``.
        sparse: must be False (minikeras has no sparse tensors).
        **kwargs: ``Layer`` arguments.

    Call arguments:
        inputs: ``(N, k)`` or ``(N,)`` integer ids.
        count_weights: ``"count"`` mode: a weight per id, summed instead of 1.
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        output_mode = "multi_hot" if output_mode == "binary" else output_mode
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("CategoryEncoding: minikeras has no sparse tensors. Received: sparse=True")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.built = True

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. "
                             f"Received `count_weights={count_weights}`.")
        weights = None if count_weights is None else ops.convert_to_numpy(count_weights)
        outputs = encode_categories(ops.convert_to_numpy(inputs), self.output_mode, self.num_tokens,
                                    self.compute_dtype, weights)
        return ops.convert_to_tensor(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}


def _summarize(values, epsilon):
    """A weighted summary of one batch: every ``step``-th sorted value, weight ``step``.

    ``step = len(values) * epsilon`` (at least 1) keeps about ``1 / epsilon``
    points per batch, so memory does not grow with the dataset.
    Returns a ``(2, points)`` array: values, then weights.
    """
    values = numpy.sort(numpy.asarray(values, dtype="float32").ravel())
    step = max(values.size * epsilon, 1)
    kept = values[int(step - 1)::int(step)]
    return numpy.stack([kept, numpy.full_like(kept, step)])


def _compress(summary, epsilon):
    """Re-samples a summary at the quantiles ``epsilon, 2 epsilon, ..., 1`` of its
    cumulative weight (unchanged if it has fewer than ``1 / epsilon`` points)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + numpy.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    values = numpy.interp(percents, cumulative / cumulative[-1], summary[0])
    cumulative = numpy.interp(percents, cumulative / cumulative[-1], cumulative)
    weights = cumulative - numpy.concatenate([[0.0], cumulative[:-1]])
    return numpy.stack([values, weights]).astype("float32")


def _merge(summary, other, epsilon):
    """Two summaries -> one, sorted by value, compressed again."""
    merged = numpy.concatenate([summary, other], axis=1)
    return _compress(merged[:, numpy.argsort(merged[0])], epsilon)


class Discretization(Layer):
    """A number -> the index of its bin: ``i`` for ``boundaries[i-1] <= x < boundaries[i]``.

    Args:
        bin_boundaries: sorted list of boundaries (``n`` boundaries, ``n + 1`` bins).
        num_bins: instead of boundaries: ``adapt`` chooses them at quantiles.
        epsilon: Keras's summary precision (kept in the config).
        output_mode: ``"int"`` (default), ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
        sparse: must be False.
        dtype, name: ``Layer`` arguments.
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False,
                 dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError("Discretization: `output_mode` must be one of 'int', 'one_hot', 'multi_hot', "
                             f"'count'. Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("Discretization: minikeras has no sparse tensors. Received: sparse=True")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.built = True

    def adapt(self, data, steps=None):
        """Sets ``num_bins - 1`` boundaries at the quantiles of ``data`` (an array or batches)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with "
                             "`bin_boundaries`, use `num_bins` instead.")
        # Keras's streaming quantiles: a small summary per batch, merged;
        # the boundaries are the summary's quantiles 1/num_bins, 2/num_bins...
        summary = numpy.zeros((2, 0), dtype="float32")
        for step, batch in enumerate(_batches(data)):
            if steps is not None and step >= steps:
                break
            summary = _merge(_summarize(batch, self.epsilon), summary, self.epsilon)
        self.bin_boundaries = _compress(summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or "
                             "call `adapt(dataset)` before you can start using the `Discretization` layer.")
        indices = numpy.digitize(ops.convert_to_numpy(inputs), self.bin_boundaries)
        if self.output_mode == "int":
            return ops.convert_to_tensor(indices.astype("int32"))
        return ops.convert_to_tensor(encode_categories(indices, self.output_mode, len(self.bin_boundaries) + 1,
                                                       self.compute_dtype))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def compute_output_spec(self, inputs, **kwargs):
        from minikeras.layers.keras_tensor import KerasTensor
        dtype = "int32" if self.output_mode == "int" else self.compute_dtype
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)), dtype=dtype)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": False, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            # an adapted layer: both are saved; the constructor accepts only one
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)

