"""Writing TensorBoard event files by hand: a few protocol-buffer fields in TFRecord frames.

Place in the stack: a helper of ``tensorboard.py`` (the callback); it uses
only the standard library, so TensorBoard logs need neither TensorFlow nor
the ``tensorboard`` package (only to *view* them: ``tensorboard --logdir logs``).

A file ``events.out.tfevents.<time>.<host>.<pid>.<n>.v2`` is a sequence of
records. Each record is framed as TFRecord frames any data:

    uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)

(little-endian). ``data`` is one serialized ``Event`` message. Protocol
buffers write each field as a *key* (field number << 3 | wire type) then the
value: wire type 0 a varint, 1 eight bytes, 2 a varint length and bytes, 5
four bytes. The messages used, with their field numbers:

    Event     { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
    Summary   { repeated Value value = 1; }
    Value     { string tag = 1; float simple_value = 2; HistogramProto histo = 5; }
    HistogramProto { double min = 1; double max = 2; double num = 3; double sum = 4;
                     double sum_squares = 5; repeated double bucket_limit = 6 [packed];
                     repeated double bucket = 7 [packed]; }

The CRC is CRC-32C (Castagnoli), "masked" by a rotation and an added
constant so that a CRC of data that itself holds CRCs does not degenerate.
"""

import os
import socket
import struct
import time

import numpy

# ----------------------------------------------------------------- CRC-32C

_CRC32C_POLY = 0x82F63B78  # the Castagnoli polynomial, bit-reversed


def _crc_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC32C_POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc32c(data):
    """CRC-32C of ``data`` (bytes), one table lookup per byte."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data):
    """One TFRecord frame around ``data``."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


# ----------------------------------------------------------------- protocol buffers


def _varint(value):
    out = bytearray()
    value &= 0xFFFFFFFFFFFFFFFF  # a negative int64 is written as its 64-bit two's complement
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _key(field, wire_type):
    return _varint(field << 3 | wire_type)


def _double(field, value):
    return _key(field, 1) + struct.pack("<d", float(value))


def _bytes(field, value):
    value = value.encode() if isinstance(value, str) else value
    return _key(field, 2) + _varint(len(value)) + value


def event(step, wall_time=None, summary=None, file_version=None):
    """A serialized ``Event``; ``summary`` is a serialized ``Summary`` (bytes)."""
    data = _double(1, time.time() if wall_time is None else wall_time) + _key(2, 0) + _varint(int(step))
    if file_version is not None:
        data += _bytes(3, file_version)
    if summary is not None:
        data += _bytes(5, summary)
    return data


def scalar_value(tag, value):
    """A serialized ``Summary.Value`` holding one float."""
    return _bytes(1, tag) + _key(2, 5) + struct.pack("<f", float(value))


def histogram_value(tag, values, bins=30):
    """A serialized ``Summary.Value`` holding a histogram of ``values`` (any shape) in ``bins`` buckets."""
    values = numpy.asarray(values, dtype="float64").ravel()
    counts, edges = numpy.histogram(values, bins=bins) if values.size else (numpy.zeros(0), numpy.zeros(1))
    histogram = (_double(1, values.min() if values.size else 0.0) + _double(2, values.max() if values.size else 0.0)
                 + _double(3, values.size) + _double(4, values.sum()) + _double(5, (values ** 2).sum())
                 + _bytes(6, struct.pack(f"<{len(counts)}d", *edges[1:]))  # each bucket's right edge
                 + _bytes(7, struct.pack(f"<{len(counts)}d", *counts)))
    return _bytes(1, tag) + _bytes(5, histogram)


def summary(values):
    """A serialized ``Summary`` from serialized ``Value``s."""
    return b"".join(_bytes(1, value) for value in values)


class EventFileWriter:
    """Appends events to a new event file in ``log_dir`` (created if needed).

    Args:
        log_dir: the folder (``logs/train``): TensorBoard shows one run per folder.
    """

    _count = 0

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        EventFileWriter._count += 1
        name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}."
                f"{EventFileWriter._count}.v2")
        self.path = os.path.join(log_dir, name)
        self._file = open(self.path, "wb")
        self._file.write(tfrecord(event(0, file_version="brain.Event:2")))
        self._file.flush()

    def add_scalars(self, step, scalars):
        """Writes ``{tag: float}`` at ``step`` as one event."""
        self.write(step, [scalar_value(tag, value) for tag, value in scalars.items()])

    def write(self, step, values):
        """Writes serialized ``Value``s at ``step`` as one event."""
        if values:
            self._file.write(tfrecord(event(step, summary=summary(values))))
            self._file.flush()  # TensorBoard reads while training runs

    def close(self):
        self._file.close()
