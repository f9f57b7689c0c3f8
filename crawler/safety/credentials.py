"""Credentials in IPTV URLs (``/live/USER/PASS/123.ts``, ``?username=..&password=..``,
``http://user:pass@host``) are redacted before they reach logs, items, the registry or
exports. A salted hash of the pair replaces the user name, so the same leaked line seen on
two sites still matches, while the secret itself is never stored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "redacted"
# Xtream paths: /live|movie|series/USER/PASS/ID.ext (ID_SEQ.ts for an HLS segment) and
# /timeshift/USER/PASS/MIN/START/ID.ext
_XTREAM_PATH = re.compile(
    r"^/(live|movie|series|timeshift)/([^/]{1,128})/([^/]{1,128})"
    r"(/\d{1,12}(?:_\d{1,12})?(?:\.\w{2,4})?|/\d{1,6}/[\d:_-]{8,20}/\d{1,12}(?:\.\w{2,4})?)$")
# /USER/PASS/ID, and an HLS segment of it: /USER/PASS/ID_SEQ.ts
_BARE_PATH = re.compile(r"^/([^/]{1,128})/([^/]{1,128})/"
                        r"(\d{1,12}(?:_\d{1,12})?(?:\.(?:ts|m3u8|mp4|mkv))?)$")
_USER_KEYS = ("username", "user", "login", "usr", "u")
_PASS_KEYS = ("password", "pass", "pwd", "passwd", "p")
_SECRET_KEYS = ("token", "mac", "sn", "auth", "key")
_HASHED = re.compile(r"cred-[0-9a-f]{16}")
_KEY_VALUE = re.compile(r"""(?i)\b(username|password|passwd|pwd)("?\s{0,3}[=:]\s{0,3}"?)"""
                        r"""([^\s;,&"'<>\u2026]{1,128})""")


def _kv(match: re.Match[str]) -> str:
    value = match.group(3)
    if value == REDACTED or _HASHED.fullmatch(value):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{REDACTED}"
_URL_IN_TEXT = re.compile(r"(?:https?|rtmp|rtsp)://[^\s\"'<>]{3,4000}")


@dataclass(frozen=True)
class Redacted:
    """A URL with its credentials replaced; ``credential`` is the salted hash (or '')."""

    url: str
    credential: str


def load_salt(data_dir: Path, configured: str = "") -> bytes:
    """The configured salt, else a random one kept in ``<data_dir>/credential_salt`` (0600),
    so hashes stay comparable across runs of one deployment and differ between deployments."""
    if configured:
        return configured.encode()
    path = Path(data_dir) / "credential_salt"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        salt = secrets.token_hex(16).encode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(salt)
        return salt
    except FileExistsError:  # pragma: no cover - another worker won the race
        return path.read_bytes()


class Redactor:
    """Redacts credentials in URLs and free text with one deployment's salt."""

    def __init__(self, salt: bytes) -> None:
        self.salt = salt

    def credential_hash(self, user: str, password: str) -> str:
        """16 hex characters of SHA-256(salt, user, password)."""
        digest = hashlib.sha256(self.salt + b"\0" + user.encode() + b"\0" + password.encode())
        return "cred-" + digest.hexdigest()[:16]

    def _hash(self, user: str, password: str) -> str:
        """The credential hash; an already redacted pair keeps its hash (idempotence: items
        are redacted by their spider and again by the pipeline, the hash must not change)."""
        if password == REDACTED and _HASHED.fullmatch(user):
            return user
        return self.credential_hash(user, password)

    def redact_url(self, url: str) -> Redacted:
        """``url`` with user/password (path, query or userinfo) replaced; idempotent."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return Redacted(url, "")
        netloc, path, query = parts.netloc, parts.path, parts.query
        credential = ""
        if parts.password is not None or (parts.username and "@" in netloc):
            credential = self._hash(parts.username or "", parts.password or "")
            netloc = f"{credential}:{REDACTED}@" + netloc.rpartition("@")[2]
        if match := _XTREAM_PATH.match(path):
            credential = self._hash(match.group(2), match.group(3))
            path = f"/{match.group(1)}/{credential}/{REDACTED}{match.group(4)}"
        elif (match := _BARE_PATH.match(path)) and parts.port not in (None, 80, 443):
            credential = self._hash(match.group(1), match.group(2))
            path = f"/{credential}/{REDACTED}/{match.group(3)}"
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            lowered = {k.lower(): v for k, v in pairs}
            user: str | None = next((lowered[k] for k in _USER_KEYS if k in lowered), None)
            password: str | None = next((lowered[k] for k in _PASS_KEYS if k in lowered), None)
            secret_keys = {k for k in set(_SECRET_KEYS) & set(lowered)
                           if lowered[k] != REDACTED}  # fmt: skip
            if (user is not None and password is not None) or secret_keys:
                credential = self._hash(
                    user or "", password if password is not None else
                    "&".join(lowered[k] for k in sorted(secret_keys)))  # fmt: skip
                out = []
                for key, value in pairs:
                    low = key.lower()
                    if low in _USER_KEYS and user is not None and password is not None:
                        value = credential
                    elif (low in _PASS_KEYS and password is not None) or low in secret_keys:
                        value = REDACTED
                    out.append((key, value))
                query = urlencode(out, safe="-")
        if not credential:
            return Redacted(url, "")
        return Redacted(urlunsplit((parts.scheme, netloc, path, query, parts.fragment)),
                        credential)  # fmt: skip

    def redact_text(self, text: str) -> str:
        """Every URL inside ``text`` redacted (log lines, error messages, detector evidence):
        punctuation after a URL is not part of it, and a URL cut short ("http://p.cc:8080/
        user/pa…") keeps only its host, since what is left of it can't be parsed. Outside
        URLs, ``username=``/``password=`` values (and their JSON form) become 'redacted'."""
        if "://" in text:
            text = _URL_IN_TEXT.sub(self._in_text, text)
        if "=" in text or ":" in text:  # "username=jdoe; password=..." quoted by a detector
            text = _KEY_VALUE.sub(_kv, text)
        return text

    def _in_text(self, match: re.Match[str]) -> str:
        url = match.group(0)
        if url.endswith(("\u2026", "...")):
            try:
                parts = urlsplit(url)
                host = parts.hostname or ""
                port = f":{parts.port}" if parts.port else ""
            except ValueError:
                return url.partition("://")[0] + "://\u2026"
            if parts.path.strip("/.\u2026") or parts.query:
                return f"{parts.scheme}://{host}{port}/\u2026"
            return url
        core = url.rstrip(";,.:!?)]}")
        return self.redact_url(core).url + url[len(core):]


class RedactingFilter(logging.Filter):
    """A logging filter that redacts credentials in every record's message and arguments,
    and in its traceback: exception messages name URLs too ("Getting http://... took longer
    than 20 seconds", "media payload not fetched: http://...")."""

    _formatter = logging.Formatter()

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        redacted = self.redactor.redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # the formatter prints exc_text when set: the redacted traceback, formatted once
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.redact_text(record.stack_info)
        return True
