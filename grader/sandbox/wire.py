"""The wire format between the trusted grader and the sandboxed worker.

A message is a JSON header plus raw byte buffers. JSON carries structure; tensors, arrays
and bytes travel as raw buffers described by dtype and shape. Decoding never runs code:
there is no pickle, every tag is checked against a short list, every dtype against a
whitelist, and what comes out is built from exact base types (``list``, ``dict``,
``torch.Tensor``, ``numpy.ndarray``, ...), so a subclass with rigged comparisons sent by a
submission arrives as the plain data it holds, or not at all.

Objects that are not plain data are not encoded: the worker keeps them and sends a handle
(``{"$h": id, "type": "module.Class"}``) that the grader's proxies refer back to.

Frame layout: 4-byte big-endian header length, header JSON, then the buffers in order; the
header's ``"buffers"`` lists their lengths.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 64
MAX_HEADER = 64 * 1024 * 1024
MAX_MESSAGE = 256 * 1024 * 1024  # the largest message either side accepts

# dtype names shared by torch and numpy; numpy "bool" is torch "bool".
TORCH_DTYPES = (
    "float64", "float32", "float16", "bfloat16", "complex64", "complex128",
    "int64", "int32", "int16", "int8", "uint8", "bool",
)
NUMPY_DTYPES = (
    "float64", "float32", "float16", "complex64", "complex128",
    "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool",
)


class CodecError(ValueError):
    """A message that does not follow the wire format."""


class Handle:
    """A reference to an object that stays on the other side (only ever decoded, never sent)."""

    __slots__ = ("id", "type")

    def __init__(self, id: int, type: str) -> None:
        self.id = id
        self.type = type

    def __repr__(self) -> str:
        return f"<handle {self.id} to {self.type}>"


# --------------------------------------------------------------------------- encoding


class Encoder:
    """Turns plain data into (header, buffers); anything else goes through ``to_handle``.

    ``to_handle(obj) -> (id, type_name)`` is supplied by the side that owns the objects (the
    worker); on the grader's side it is the proxies' own ids and unknown objects are errors.
    """

    def __init__(self, to_handle: Callable[[Any], tuple[int, str]] | None = None) -> None:
        self.to_handle = to_handle
        self.buffers: list[bytes] = []

    def _buffer(self, data: bytes) -> int:
        self.buffers.append(data)
        return len(self.buffers) - 1

    def encode(self, obj: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return self._handle(obj)
        if obj is None or type(obj) is bool or type(obj) is str:
            return obj
        if type(obj) is int:
            return obj if abs(obj) < 2**53 else {"$i": str(obj)}
        if type(obj) is float:
            return obj if math.isfinite(obj) else {"$f": repr(obj)}
        if type(obj) in (list, tuple):
            items = [self.encode(item, depth + 1) for item in obj]
            return items if type(obj) is list else {"$t": items}
        if type(obj) is dict:
            return {"$d": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in obj.items()]}
        if type(obj) is bytes:
            return {"$b": self._buffer(obj)}
        return self._encode_other(obj, depth)

    def _encode_other(self, obj: Any, depth: int) -> Any:
        # Subclasses of the plain types are converted to the plain value they hold.
        torch = _module("torch")
        numpy = _module("numpy")
        if torch is not None:
            if isinstance(obj, torch.Tensor):
                return self._tensor(obj.as_subclass(torch.Tensor), torch)
            if isinstance(obj, torch.dtype):
                return {"$dtype": str(obj).removeprefix("torch.")}
            if isinstance(obj, torch.device):
                return {"$device": str(obj)}
        if numpy is not None:
            if isinstance(obj, numpy.ndarray) and obj.dtype.name in NUMPY_DTYPES:
                arr = numpy.ascontiguousarray(obj).view(numpy.ndarray)
                return {"$nd": [arr.dtype.name, list(arr.shape), self._buffer(arr.tobytes())]}
            if isinstance(obj, numpy.generic) and obj.dtype.name in NUMPY_DTYPES:
                return self.encode(obj.item(), depth)
        if isinstance(obj, bool):
            return bool(obj)
        if isinstance(obj, int):
            return self.encode(int(obj), depth)
        if isinstance(obj, float):
            return self.encode(float(obj), depth)
        if isinstance(obj, str):
            return str.__str__(obj)
        if isinstance(obj, (list, tuple)):  # namedtuple, torch.Size, list subclasses
            items = [self.encode(item, depth + 1) for item in list.__iter__(obj)] if isinstance(obj, list) \
                else [self.encode(item, depth + 1) for item in tuple.__iter__(obj)]
            return items if isinstance(obj, list) else {"$t": items}
        if isinstance(obj, dict):  # OrderedDict (state_dict), defaultdict
            return {"$d": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in dict.items(obj)]}
        return self._handle(obj)

    def _tensor(self, t: Any, torch: Any) -> Any:
        dtype = str(t.dtype).removeprefix("torch.")
        if dtype not in TORCH_DTYPES or t.layout != torch.strided:
            return self._handle(t)
        data = t.detach().cpu().contiguous()
        if dtype == "bfloat16":
            raw = data.view(torch.int16).numpy().tobytes()
        else:
            raw = data.numpy().tobytes() if data.numel() else b""
        return {"$tensor": [dtype, list(data.shape), self._buffer(raw), bool(t.requires_grad)]}

    def _handle(self, obj: Any) -> Any:
        if self.to_handle is None:
            raise CodecError(f"cannot send an object of type {type(obj).__name__}")
        hid, type_name = self.to_handle(obj)
        return {"$h": hid, "type": type_name}


def _module(name: str) -> Any:
    import sys

    return sys.modules.get(name)


def pack(payload: Any, to_handle: Callable[[Any], tuple[int, str]] | None = None) -> bytes:
    """Encode ``payload`` (plain data, handles through ``to_handle``) into one frame."""
    enc = Encoder(to_handle)
    body = enc.encode(payload)
    header = json.dumps({"body": body, "buffers": [len(b) for b in enc.buffers]},
                        allow_nan=False, separators=(",", ":")).encode()
    return b"".join([struct.pack(">I", len(header)), header, *enc.buffers])


# --------------------------------------------------------------------------- decoding


def _reject_constant(name: str) -> Any:
    raise CodecError(f"non-standard JSON constant {name}")


def parse_header(raw: bytes) -> tuple[Any, list[int]]:
    try:
        header = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise CodecError(f"bad header: {exc}") from None
    if type(header) is not dict or set(header) != {"body", "buffers"}:
        raise CodecError("bad header layout")
    sizes = header["buffers"]
    if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes):
        raise CodecError("bad buffer list")
    return header["body"], sizes


class Decoder:
    """Rebuilds exact base types from a header body and its buffers.

    ``from_handle(id, type_name)`` makes the local stand-in for a handle: a proxy on the
    grader's side, the real object on the worker's side.
    """

    def __init__(self, buffers: list[bytes], from_handle: Callable[[int, str], Any] | None,
                 tensor_device: str | None = None) -> None:
        self.buffers = buffers
        self.from_handle = from_handle
        self.tensor_device = tensor_device

    def buffer(self, index: Any) -> bytes:
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise CodecError("bad buffer reference")
        return self.buffers[index]

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH + 2:
            raise CodecError("nesting too deep")
        kind = type(node)
        if node is None or kind in (bool, int, float, str):
            return node
        if kind is list:
            return [self.decode(item, depth + 1) for item in node]
        if kind is not dict or len(node) not in (1, 2):
            raise CodecError(f"unexpected {kind.__name__} in message")
        tag = next(iter(node))
        value = node[tag]
        if tag == "$t" and type(value) is list and len(node) == 1:
            return tuple(self.decode(item, depth + 1) for item in value)
        if tag == "$d" and type(value) is list and len(node) == 1:
            out = {}
            for pair in value:
                if type(pair) is not list or len(pair) != 2:
                    raise CodecError("bad dict entry")
                key = self.decode(pair[0], depth + 1)
                try:
                    hash(key)
                except TypeError:
                    raise CodecError("unhashable dict key") from None
                out[key] = self.decode(pair[1], depth + 1)
            return out
        if tag == "$i" and type(value) is str and len(value) < 5000 and len(node) == 1:
            return int(value)
        if tag == "$f" and value in ("nan", "inf", "-inf") and len(node) == 1:
            return float(value)
        if tag == "$b" and len(node) == 1:
            return bytes(self.buffer(value))
        if tag == "$tensor" and len(node) == 1:
            return self._tensor(value)
        if tag == "$nd" and len(node) == 1:
            return self._ndarray(value)
        if tag == "$dtype" and value in TORCH_DTYPES and len(node) == 1:
            return getattr(_import("torch"), value)
        if tag == "$device" and type(value) is str and len(node) == 1:
            return _import("torch").device(value)
        if tag == "$h" and type(value) is int and set(node) == {"$h", "type"} and type(node["type"]) is str:
            if self.from_handle is None:
                raise CodecError("unexpected handle")
            return self.from_handle(value, node["type"][:300])
        raise CodecError(f"unknown tag {tag!r}")

    @staticmethod
    def _shape(shape: Any) -> tuple[int, ...]:
        if type(shape) is not list or len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
            raise CodecError("bad shape")
        return tuple(shape)

    def _tensor(self, value: Any) -> Any:
        torch = _import("torch")
        if type(value) is not list or len(value) != 4 or value[0] not in TORCH_DTYPES:
            raise CodecError("bad tensor")
        dtype_name, shape, index, requires_grad = value
        shape = self._shape(shape)
        raw = self.buffer(index)
        dtype = getattr(torch, dtype_name)
        numel = math.prod(shape)
        itemsize = torch.empty((), dtype=dtype).element_size()
        if len(raw) != numel * itemsize:
            raise CodecError("tensor buffer size does not match its shape")
        if numel == 0:
            out = torch.empty(shape, dtype=dtype)
        elif dtype_name == "bfloat16":
            out = torch.frombuffer(bytearray(raw), dtype=torch.int16).view(torch.bfloat16).reshape(shape)
        else:
            out = torch.frombuffer(bytearray(raw), dtype=dtype).reshape(shape)
        if self.tensor_device and self.tensor_device != "cpu":
            out = out.to(self.tensor_device)
        if requires_grad is True and (out.is_floating_point() or out.is_complex()):
            out.requires_grad_(True)
        return out

    def _ndarray(self, value: Any) -> Any:
        np = _import("numpy")
        if type(value) is not list or len(value) != 3 or value[0] not in NUMPY_DTYPES:
            raise CodecError("bad array")
        dtype_name, shape, index = value
        shape = self._shape(shape)
        raw = self.buffer(index)
        dtype = np.dtype(dtype_name)
        if len(raw) != math.prod(shape) * dtype.itemsize:
            raise CodecError("array buffer size does not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _import(name: str) -> Any:
    import importlib

    return importlib.import_module(name)


def unpack(header: bytes, buffers: list[bytes], from_handle: Callable[[int, str], Any] | None = None,
           tensor_device: str | None = None) -> Any:
    body, _ = parse_header(header)
    return Decoder(buffers, from_handle, tensor_device).decode(body)


# --------------------------------------------------------------------------- framing on a file descriptor


def read_exact(fd: int, n: int, read: Callable[[int, int], bytes]) -> bytes:
    chunks = []
    while n:
        chunk = read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("peer closed the channel")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, read: Callable[[int, int], bytes], max_bytes: int) -> tuple[bytes, list[bytes]]:
    """Read one frame; ``read(fd, n)`` may enforce a deadline. Refuses frames over ``max_bytes``."""
    (size,) = struct.unpack(">I", read_exact(fd, 4, read))
    if size > min(MAX_HEADER, max_bytes):
        raise CodecError(f"message header of {size} bytes is too large")
    header = read_exact(fd, size, read)
    _, sizes = parse_header(header)
    if sum(sizes) + size > max_bytes:
        raise CodecError(f"message of {sum(sizes) + size} bytes is over the limit of {max_bytes}")
    return header, [read_exact(fd, n, read) for n in sizes]
