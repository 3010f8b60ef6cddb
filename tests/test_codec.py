"""The wire format: plain data round-trips as exact base types; nothing else gets through."""

from __future__ import annotations

import collections
import json
import struct

import numpy as np
import pytest
import torch

from pttutor.grader.sandbox import wire as codec


def roundtrip(obj, to_handle=None, from_handle=None):
    frame = codec.pack(obj, to_handle)
    (size,) = struct.unpack(">I", frame[:4])
    header = frame[4:4 + size]
    _, sizes = codec.parse_header(header)
    rest, buffers = frame[4 + size:], []
    for n in sizes:
        buffers.append(rest[:n])
        rest = rest[n:]
    return codec.unpack(header, buffers, from_handle)


def test_plain_values_roundtrip_exactly():
    value = {"a": [1, 2.5, None, True, "s", b"\x00\x01"], ("t", 1): (float("nan"), float("-inf"), 2**80)}
    out = roundtrip(value)
    assert out["a"] == [1, 2.5, None, True, "s", b"\x00\x01"]
    nan, ninf, big = out[("t", 1)]
    assert nan != nan and ninf == float("-inf") and big == 2**80


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.bool, torch.bfloat16,
                                   torch.float16, torch.uint8, torch.complex64])
def test_tensors_roundtrip(dtype):
    t = (torch.arange(12) % 3).reshape(3, 4).to(dtype)
    out = roundtrip(t)
    assert type(out) is torch.Tensor and out.dtype == dtype and torch.equal(out, t)


def test_empty_and_grad_tensors():
    assert roundtrip(torch.empty(0, 3)).shape == (0, 3)
    w = torch.ones(2, requires_grad=True)
    out = roundtrip(w)
    assert out.requires_grad and out.is_leaf


def test_arrays_and_numpy_scalars():
    a = np.arange(6, dtype=np.float32).reshape(2, 3).T  # not contiguous
    out = roundtrip([a, np.float64(1.5), np.int32(3)])
    assert type(out[0]) is np.ndarray and np.array_equal(out[0], a)
    assert out[1:] == [1.5, 3] and type(out[1]) is float and type(out[2]) is int


def test_subclasses_arrive_as_their_plain_values():
    class Liar(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            if func in (torch.allclose, torch.equal):
                return True
            return super().__torch_function__(func, types, args, kwargs or {})

    class MyFloat(float):
        def __eq__(self, other):
            return True

    Point = collections.namedtuple("Point", "x y")
    fake = torch.zeros(3).as_subclass(Liar)
    assert torch.equal(torch.ones(3), fake)  # the lie works locally
    out = roundtrip([fake, MyFloat(2.0), Point(1, 2), collections.OrderedDict(a=1), torch.Size([2, 3])])
    assert type(out[0]) is torch.Tensor and not torch.equal(torch.ones(3), out[0])
    assert type(out[1]) is float and out[1] == 2.0 and out[1] != 3.0
    assert out[2] == (1, 2) and type(out[2]) is tuple
    assert type(out[3]) is dict and out[4] == (2, 3)


def test_other_objects_become_handles_or_are_refused():
    class Always:
        def __eq__(self, other):
            return True

    obj = Always()
    seen = {}

    def to_handle(o):
        seen[7] = o
        return 7, "mod.Always"

    out = roundtrip([obj], to_handle, from_handle=lambda hid, t: codec.Handle(hid, t))
    assert type(out[0]) is codec.Handle and out[0].id == 7 and seen[7] is obj
    assert out[0] != 1
    with pytest.raises(codec.CodecError):
        codec.pack(obj)
    with pytest.raises(codec.CodecError):
        roundtrip([obj], to_handle)  # the receiving side accepts no handles


def frame_of(body, buffers=()):
    header = json.dumps({"body": body, "buffers": [len(b) for b in buffers]}).encode()
    return header, list(buffers)


@pytest.mark.parametrize("body", [
    {"$pickle": "gASVCAAAAAAAAACMBHRlc3SULg=="},
    {"$nd": ["object", [1], 0]},
    {"$tensor": ["float32", [4], 0, False]},  # 1 buffer byte for 16 needed
    {"$t": [1], "extra": 2},
    {"$h": 1},
    {"$dtype": "__import__"},
    {"$f": "1e999"},
    {"$d": [[[1, 2], 3]]},  # unhashable key
])
def test_malformed_messages_are_refused(body):
    header, buffers = frame_of(body, [b"\x00"])
    with pytest.raises(codec.CodecError):
        codec.unpack(header, buffers)


def test_nan_constants_and_bad_headers_are_refused():
    with pytest.raises(codec.CodecError):
        codec.unpack(b'{"body": NaN, "buffers": []}', [])
    with pytest.raises(codec.CodecError):
        codec.unpack(b'{"body": 1}', [])
    with pytest.raises(codec.CodecError):
        codec.unpack(b"\x80\x04pickle", [])


def test_oversized_frames_are_refused():
    import os

    r, w = os.pipe()
    try:
        os.write(w, struct.pack(">I", 10_000))
        with pytest.raises(codec.CodecError, match="too large"):
            codec.read_frame(r, os.read, max_bytes=1000)
    finally:
        os.close(r)
        os.close(w)
