"""Moving pixels between space and channels: ``depth_to_space``, ``space_to_depth``, ``unfold``, ``fold``.

Place in the stack: in ``minikeras.ops`` beside ``nn.py``. All four only move
(and, for ``fold``, add up) entries, so they are written with ``reshape``,
``transpose``, ``take`` and the segment sum of ``autodiff/scatter.py``, and
their gradients are those ops' gradients:

    depth_to_space   (N, H, W, C) -> (N, H*b, W*b, C/b**2)   each pixel's channels become a b x b block
    space_to_depth   (N, H, W, C) -> (N, H/b, W/b, C*b**2)   the inverse
    unfold           (N, C, H, W) -> (N, C*KH*KW, L)         every KH x KW patch as a column (im2col)
    fold             (N, C*KH*KW, L) -> (N, C, H, W)         the columns added back in place (col2im)

``unfold`` and ``fold`` are channels-first, as in Keras (and PyTorch). ``fold``
is the transpose of ``unfold``: where patches overlap, their entries add up.
"""

from minikeras.autodiff import combine
from minikeras.autodiff import shape
from minikeras.autodiff.scatter import SegmentSum
from minikeras.autodiff.tensor import as_tensor
from minikeras.backend import get_xp
from minikeras.ops.symbolic import functional_aware


def _check_block(x, block_size, data_format, function_name):
    x = as_tensor(x)
    if x.ndim != 4 or data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"`{function_name}` takes a 4-D tensor and data_format 'channels_last' or "
                         f"'channels_first'. Received: x.shape={x.shape}, data_format={data_format!r}")
    return x if data_format == "channels_last" else shape.transpose(x, (0, 2, 3, 1))  # NCHW -> NHWC


def _back_to(x, data_format):
    return x if data_format == "channels_last" else shape.transpose(x, (0, 3, 1, 2))  # NHWC -> NCHW


@functional_aware
def depth_to_space(x, block_size, data_format="channels_last"):
    """(N, H, W, C) -> (N, H*b, W*b, C/b**2) (pixel shuffle); ``"channels_first"``: (N, C, H, W) in and out."""
    x = _check_block(x, block_size, data_format, "depth_to_space")
    n, h, w, c = x.shape
    if c % (block_size ** 2):
        raise ValueError(f"`depth_to_space`: the channels ({c}) must divide by block_size**2 ({block_size ** 2}).")
    new_c = c // block_size ** 2
    if data_format == "channels_first":  # Keras reads NCHW channels as (new_C, b, b)
        x = shape.reshape(x, (n, h, w, new_c, block_size, block_size))
        x = shape.transpose(x, (0, 1, 4, 2, 5, 3))  # -> (N, H, bH, W, bW, new_C)
    else:
        x = shape.reshape(x, (n, h, w, block_size, block_size, new_c))
        x = shape.transpose(x, (0, 1, 3, 2, 4, 5))  # -> (N, H, bH, W, bW, new_C)
    return _back_to(shape.reshape(x, (n, h * block_size, w * block_size, new_c)), data_format)


@functional_aware
def space_to_depth(x, block_size, data_format="channels_last"):
    """(N, H, W, C) -> (N, H/b, W/b, C*b**2): each b x b block becomes channels (inverse of depth_to_space)."""
    x = _check_block(x, block_size, data_format, "space_to_depth")
    n, h, w, c = x.shape
    if h % block_size or w % block_size:
        raise ValueError(f"`space_to_depth`: height and width ({h}, {w}) must divide by block_size={block_size}.")
    x = shape.reshape(x, (n, h // block_size, block_size, w // block_size, block_size, c))
    if data_format == "channels_first":  # channels ordered (C, bH, bW)
        x = shape.transpose(x, (0, 1, 3, 5, 2, 4))
    else:  # channels ordered (bH, bW, C)
        x = shape.transpose(x, (0, 1, 3, 2, 4, 5))
    return _back_to(shape.reshape(x, (n, h // block_size, w // block_size, c * block_size ** 2)), data_format)


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _patch_positions(height, width, kernel_size, dilation, padding, stride):
    """Flat positions in the padded (H + 2PH) x (W + 2PW) image of every patch entry: (KH*KW, L)."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = map(_pair, (kernel_size, dilation, padding, stride))
    padded_w = width + 2 * pw
    out_h = (height + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    xp = get_xp()
    rows = (xp.arange(kh) * dh)[:, None, None, None] + (xp.arange(out_h) * sh)[None, None, :, None]
    columns = (xp.arange(kw) * dw)[None, :, None, None] + (xp.arange(out_w) * sw)[None, None, None, :]
    return (rows * padded_w + columns).reshape(kh * kw, out_h * out_w)  # (KH, KW, OH, OW) -> (KH*KW, L)


@functional_aware
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Every sliding KH x KW patch of (N, C, H, W) as a column: (N, C*KH*KW, L), L the number of patches."""
    x = as_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"`unfold` takes a 4-D (N, C, H, W) tensor. Received: x.shape={x.shape}")
    n, c, h, w = x.shape
    ph, pw = _pair(padding)
    positions = _patch_positions(h, w, kernel_size, dilation, padding, stride)
    padded = combine.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    flat = shape.reshape(padded, (n, c, -1))  # (N, C, Hp, Wp) -> (N, C, Hp*Wp)
    patches = combine.take(flat, positions, axis=2)  # -> (N, C, KH*KW, L)
    return shape.reshape(patches, (n, c * positions.shape[0], positions.shape[1]))


@functional_aware
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The columns of ``unfold`` added back into an image: (N, C*KH*KW, L) -> (N, C, OH, OW) (overlaps add up)."""
    x = as_tensor(x)
    height, width = _pair(output_size)
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)
    positions = _patch_positions(height, width, kernel_size, dilation, padding, stride)
    n, ckk, length = x.shape
    if x.ndim != 3 or ckk % (kh * kw) or length != positions.shape[1]:
        raise ValueError(f"`fold`: expected (N, C*{kh * kw}, {positions.shape[1]}) for output_size="
                         f"{(height, width)}, kernel_size={(kh, kw)}. Received: x.shape={x.shape}")
    c = ckk // (kh * kw)
    columns = shape.reshape(x, (n, c, kh * kw * length))  # (N, C*KH*KW, L) -> (N, C, KH*KW*L)
    columns = shape.transpose(columns, (2, 0, 1))  # -> (KH*KW*L, N, C): the segment sum adds rows
    image = SegmentSum(positions.reshape(-1), (height + 2 * ph) * (width + 2 * pw))(columns)
    image = shape.reshape(shape.transpose(image, (1, 2, 0)), (n, c, height + 2 * ph, width + 2 * pw))
    return image[:, :, ph:ph + height, pw:pw + width]
