"""Writing by index: scatter, scatter_update, slice_update and the segment reductions.

Place in the stack: an op family of ``minikeras.autodiff``, the mirror of
``combine.py`` (``take``: reading by index). Reading and writing by index
are each other's gradient: the gradient of a gather is a scatter-add of dy,
and the gradient of a scatter is a gather of dy. ``indices`` are (K, D)
integer arrays, each row the first D coordinates of one position.

    y = scatter(indices, v, shape)       zeros, then y[idx_k] += v_k      dv_k = dy[idx_k]
    y = scatter_update(x, indices, u)    x, then y[idx_k] = u_k           dx = dy, 0 at the idx_k;  du_k = dy[idx_k]
    y = slice_update(x, start, u)        x with the block at start = u    dx = dy, 0 on the block;  du = dy[block]
    y = segment_sum(v, ids, S)           y[s] = sum of v_i with ids_i = s   dv_i = dy[ids_i]
    y = segment_max(v, ids, S)           y[s] = max of those v_i            dv_i = dy[ids_i] where v_i is the max
    y = segment_prod(v, ids, S)          y[s] = product of those v_i        dv_i = dy[ids_i] * (product of the others)

Read next: ``ctc.py``; the public functions are in ``minikeras/ops/indexing.py``.
"""

from minikeras.autodiff.op import Op
from minikeras.backend import get_xp


def _positions(indices):
    """(K, D) integer rows -> a tuple of D index arrays, NumPy's fancy-index form."""
    return tuple(indices[:, axis] for axis in range(indices.shape[1]))


class Scatter(Op):
    """y = zeros(shape) with y[indices[k]] += values[k] (duplicates add up);  dvalues = dy[indices]."""
    def __init__(self, indices, shape):
        self.positions, self.shape = _positions(indices), tuple(shape)

    def forward(self, values):
        xp = get_xp(values)
        y = xp.zeros(self.shape, dtype=values.dtype)
        xp.add.at(y, self.positions, values)
        return y

    def backward(self, dy):
        return dy[self.positions]


class ScatterUpdate(Op):
    """y = x with y[indices[k]] = updates[k];  dx = dy zeroed there, dupdates = dy[indices]."""
    def __init__(self, indices):
        self.positions = _positions(indices)

    def forward(self, x, updates):
        y = x.copy()
        y[self.positions] = updates
        return y

    def backward(self, dy):
        dx = dy.copy()
        dx[self.positions] = 0
        return dx, dy[self.positions]


class SliceUpdate(Op):
    """y = x with the block ``x[start : start + updates.shape]`` replaced by ``updates``."""
    def __init__(self, start_indices, block_shape):
        self.block = tuple(slice(start, start + size) for start, size in zip(start_indices, block_shape))

    def forward(self, x, updates):
        y = x.copy()
        y[self.block] = updates
        return y

    def backward(self, dy):
        dx = dy.copy()
        dx[self.block] = 0
        return dx, dy[self.block]


class SegmentSum(Op):
    """y[s] = sum of data[i] over ids[i] == s, (N, ...) -> (S, ...);  ddata[i] = dy[ids[i]]."""
    def __init__(self, segment_ids, num_segments):
        self.ids, self.num_segments = segment_ids, num_segments

    def forward(self, data):
        xp = get_xp(data)
        y = xp.zeros((self.num_segments,) + data.shape[1:], dtype=data.dtype)
        keep = (self.ids >= 0) & (self.ids < self.num_segments)  # out-of-range ids are dropped, as in JAX
        xp.add.at(y, self.ids[keep], data[keep])
        return y

    def backward(self, dy):
        xp = get_xp(dy)
        keep = (self.ids >= 0) & (self.ids < self.num_segments)
        dx = xp.zeros((len(self.ids),) + dy.shape[1:], dtype=dy.dtype)
        dx[keep] = dy[self.ids[keep]]
        return dx


class SegmentExtreme(Op):
    """y[s] = max (or min) of data[i] over ids[i] == s; an empty segment holds -inf (+inf for min).

    ddata[i] = dy[ids[i]] where data[i] is its segment's extreme (shared equally between ties).
    """
    def __init__(self, segment_ids, num_segments, kind):
        self.ids, self.num_segments, self.kind = segment_ids, num_segments, kind

    def forward(self, data):
        xp = get_xp(data)
        start = -xp.inf if self.kind == "max" else xp.inf
        y = xp.full((self.num_segments,) + data.shape[1:], start, dtype=data.dtype)
        self.keep = (self.ids >= 0) & (self.ids < self.num_segments)
        (xp.maximum if self.kind == "max" else xp.minimum).at(y, self.ids[self.keep], data[self.keep])
        self.data, self.y = data, y
        return y

    def backward(self, dy):
        xp = get_xp(dy)
        ids = self.ids[self.keep]
        is_extreme = (self.data[self.keep] == self.y[ids]).astype(dy.dtype)
        ties = xp.zeros_like(self.y)
        xp.add.at(ties, ids, is_extreme)
        dx = xp.zeros_like(self.data)
        dx[self.keep] = is_extreme * dy[ids] / xp.maximum(ties[ids], 1)
        return dx


class SegmentProd(Op):
    """y[s] = product of data[i] over ids[i] == s (1 for an empty segment);
    ddata[i] = dy[ids[i]] * (the product of the other rows of i's segment).

    The product of the others is computed directly (not y / data[i]), so a zero entry still
    gets its gradient: the product of the rest.
    """
    def __init__(self, segment_ids, num_segments):
        self.ids, self.num_segments = segment_ids, num_segments

    def forward(self, data):
        xp = get_xp(data)
        self.keep = (self.ids >= 0) & (self.ids < self.num_segments)
        y = xp.ones((self.num_segments,) + data.shape[1:], dtype=data.dtype)
        for segment in range(self.num_segments):  # a loop: CuPy has add.at and maximum.at, not multiply.at
            y[segment] = data[self.ids == segment].prod(axis=0)
        self.data = data
        return y

    def backward(self, dy):
        xp = get_xp(dy)
        dx = xp.zeros_like(self.data)
        for i in xp.nonzero(self.keep)[0].tolist():
            others = (self.ids == self.ids[i]) & self.keep
            others[i] = False
            dx[i] = dy[self.ids[i]] * self.data[others].prod(axis=0)
        return dx
