"""JSON codec for requests in a shared Redis (``SCHEDULER_SERIALIZER``): never pickle.

A pickled request in a Redis shared by a fleet is remote code execution for anyone who can
write to that Redis.  Scrapy's ``request.to_dict()`` holds bytes (headers, body), which are
tagged and base64-encoded; anything else that JSON cannot hold is refused when the request
is queued, naming the offending key, rather than silently stringified.
"""

from __future__ import annotations

import base64
import json
from typing import Any

_BYTES_TAG = "__b64__"


class CodecError(ValueError):
    """A request (usually its meta) holds a value that cannot be stored as JSON."""


_SCALARS = (type(None), bool, int, float, str)


def _encode(value: Any) -> Any:
    """JSON-ready copy of ``value``; raises ``CodecError`` (without a path: see ``_where``)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                if not isinstance(key, bytes):
                    raise CodecError
                key = key.decode("latin-1")
            out[key] = item if type(item) in _SCALARS else _encode(item)
        return out
    if kind is list or kind is tuple:
        return [item if type(item) in _SCALARS else _encode(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return {_BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, bool | int | float | str):  # subclasses, e.g. an IntEnum
        return value
    if isinstance(value, dict):
        return _encode(dict(value))
    if isinstance(value, list | tuple):
        return _encode(list(value))
    raise CodecError


def _where(value: Any, path: str) -> str:
    """The message naming what cannot be stored, found by a second (slow) walk on error."""
    if isinstance(value, dict):
        for key, item in value.items():
            name = key.decode("latin-1") if isinstance(key, bytes) else key
            if not isinstance(name, str):
                return f"{path}: key {key!r} is not a string"
            found = _where(item, f"{path}.{name}")
            if found:
                return found
        return ""
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = _where(item, f"{path}[{i}]")
            if found:
                return found
        return ""
    if value is None or isinstance(value, bool | int | float | str | bytes | bytearray):
        return ""
    return f"{path}: {type(value).__name__} cannot be stored as JSON in the frontier"


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _BYTES_TAG in value:
            return base64.b64decode(value[_BYTES_TAG])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def dumps(obj: Any) -> str:
    """Serialise a request dict (from ``Request.to_dict``) to compact JSON."""
    try:
        ready = _encode(obj)
    except CodecError:
        raise CodecError(_where(obj, "request") or "request cannot be stored as JSON") from None
    return json.dumps(ready, separators=(",", ":"), allow_nan=False)


def loads(data: str | bytes) -> Any:
    """Parse what :func:`dumps` wrote; raises :class:`CodecError` on anything else."""
    try:
        return _decode(json.loads(data))
    except (ValueError, TypeError) as exc:
        raise CodecError(f"frontier entry is not valid JSON ({exc})") from None
