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


def _encode(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes | bytearray):
        return {_BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = key.decode("latin-1") if isinstance(key, bytes) else key
            if not isinstance(name, str):
                raise CodecError(f"{path}: key {key!r} is not a string")
            out[name] = _encode(item, f"{path}.{name}")
        return out
    if isinstance(value, list | tuple):
        return [_encode(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise CodecError(f"{path}: {type(value).__name__} cannot be stored as JSON in the frontier")


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
    return json.dumps(_encode(obj, "request"), separators=(",", ":"), allow_nan=False)


def loads(data: str | bytes) -> Any:
    """Parse what :func:`dumps` wrote; raises :class:`CodecError` on anything else."""
    try:
        return _decode(json.loads(data))
    except (ValueError, TypeError) as exc:
        raise CodecError(f"frontier entry is not valid JSON ({exc})") from None
