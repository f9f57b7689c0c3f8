"""Text helpers shared by detectors: decoding that never raises, folding, snippets.

Folding is length-preserving (one character in, one out) so that a match found in the folded
text points at the same offsets in the original, and evidence quotes the page as it was.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import Protocol

_CHARSET_HEADER = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_CHARSET_META = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# C0 controls (except tab, newline, carriage return) and NUL break parsers and mean nothing.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Share of U+FFFD above which an undeclared body is probably not UTF-8.
_MAX_REPLACEMENT_SHARE = 0.01


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _declared_charset(body: bytes, content_type: str) -> tuple[bytes, str | None]:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :], name
    header = _CHARSET_HEADER.search(content_type or "")
    declared = _codec(header.group(1)) if header else None
    if declared is None:
        meta = _CHARSET_META.search(body[:4096])
        declared = _codec(meta.group(1).decode("ascii", "ignore")) if meta else None
    return body, declared


def decode_body(body: bytes, content_type: str = "") -> str:
    """Decode bytes to text without ever raising, and drop control characters.

    Order: BOM, charset in the Content-Type header, ``<meta charset>``, UTF-8, then (when UTF-8
    yields too many replacement characters) CP949 if the bytes are clean Korean, else cp1252.
    Undecodable bytes become U+FFFD.
    """
    body, declared = _declared_charset(body, content_type)
    utf8 = declared in (None, "utf-8")
    if declared is not None:
        try:
            text = body.decode(declared, errors="replace")
        except Exception:  # exotic codecs can fail in odd ways; fall through to UTF-8
            text, utf8 = body.decode("utf-8", errors="replace"), True
    else:
        text = body.decode("utf-8", errors="replace")
        if text and text.count("\ufffd") > _MAX_REPLACEMENT_SHARE * len(text):
            text, utf8 = _legacy_korean(body) or body.decode("cp1252", errors="replace"), False
    if utf8 and len(body.translate(None, _CONTROL_BYTES)) == len(body):
        # UTF-8 writes a control character as its own byte and never uses those bytes
        # inside a multi-byte sequence: no such byte, no such character (a C pass, not re).
        return text
    return _CONTROLS.sub("", text)


def _legacy_korean(body: bytes) -> str | None:
    """Undeclared EUC-KR/CP949 (old Korean boards): decodes cleanly and is mostly Hangul."""
    try:
        text = body.decode("cp949")
    except UnicodeDecodeError:
        return None
    non_ascii = [char for char in text[:20_000] if not char.isascii()]
    hangul = sum(1 for char in non_ascii if "\uac00" <= char <= "\ud7a3")
    return text if non_ascii and hangul > 0.6 * len(non_ascii) else None


def collapse(text: str) -> str:
    """Whitespace runs to one space, trimmed.

    ``str.split()`` and the regex ``\\s`` agree on what whitespace is (``str.isspace``), and
    splitting is several times faster than ``re.sub`` on both short and long texts.
    """
    return " ".join(text.split())


def collapse_each(texts: Sequence[str], limit: int) -> list[str]:
    """``[collapse(text)[:limit] for text in texts]``, in a few C passes over them joined.

    The texts are joined by NUL (which no text holds: checked), whitespace is collapsed once
    over the whole, the spaces next to each NUL dropped (a text's own leading and trailing
    runs), and the result split back at the NULs. ~4x faster on a page's ~800 segments.
    """
    if not texts:
        return []
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:
        return [collapse(text)[:limit] for text in texts]
    parts = " ".join(joined.split()).replace(" \0", "\0").replace("\0 ", "\0").split("\0")
    if max(map(len, parts)) <= limit:
        return parts
    return [part[:limit] for part in parts]


_FOLD_CACHE: dict[str, str] = {}
_FOLD_CACHE_MAX = 65536


def _fold_char(char: str) -> str:
    lower = char.lower()
    if len(lower) != 1:
        lower = char
    decomposed = unicodedata.normalize("NFKD", lower)
    if len(decomposed) == 1:
        folded = decomposed.lower()
    elif all(unicodedata.combining(mark) for mark in decomposed[1:]):
        folded = decomposed[0].lower()  # "á" -> "a"; Hangul jamo are not combining marks
    else:
        folded = lower
    return folded if len(folded) == 1 else lower


def _fold_cached(char: str) -> str:
    folded = _FOLD_CACHE.get(char)
    if folded is None:
        folded = _fold_char(char)
        if len(_FOLD_CACHE) >= _FOLD_CACHE_MAX:
            _FOLD_CACHE.clear()
        _FOLD_CACHE[char] = folded
    return folded


def _latin1_table() -> tuple[bytes, frozenset[str]]:
    """``fold`` of each Latin-1 character as a byte table, and the ones it cannot hold."""
    table = bytearray(range(256))
    outside = set()
    for code in range(256):
        folded = _fold_char(chr(code))
        if ord(folded) < 256:
            table[code] = ord(folded)
        else:
            outside.add(chr(code))  # "µ" folds to the Greek "μ"
    return bytes(table), frozenset(outside)


_LATIN1_TABLE, _LATIN1_OUTSIDE = _latin1_table()
_LATIN1_OUTSIDE_BYTES = tuple(bytes([ord(char)]) for char in sorted(_LATIN1_OUTSIDE))
# str.lower() lower-cases a capital sigma by context (final "ς"); fold never does.
_CONTEXT_LOWER = frozenset("\u03a3")


def fold(text: str) -> str:
    """Lower-case and strip accents, one character for one: "Grátis" -> "gratis".

    Pirate pages drop accents ("assistir gratis") as often as they keep them, so matching runs
    on folded text; Hangul and CJK are left as they are. A per-character ``str.translate``
    costs ~10 ns a character, so the common texts take C paths with the same result: text
    whose characters all fold to their lower case (ASCII, Hangul) is ``str.lower()``, and
    Latin-1 text (French, Spanish, Portuguese...) is a byte-table translate.
    """
    if text.isascii():
        return text.lower()  # the common case: ASCII folds to its lower case, nothing else
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    else:
        if not any(byte in raw for byte in _LATIN1_OUTSIDE_BYTES):
            # Every character folds through the byte table, to what the per-character
            # table below would give (str.lower() of Latin-1 text is per character too).
            return raw.translate(_LATIN1_TABLE).decode("latin-1")
    table: dict[int, str] = {}
    plain_lower = True  # every character folds to what str.lower() makes of it
    for char in set(text):
        if char.isascii():
            if "A" <= char <= "Z":
                table[ord(char)] = char.lower()
            continue
        folded = _fold_cached(char)
        if folded != char:
            table[ord(char)] = folded
        if plain_lower and (folded != char.lower() or char in _CONTEXT_LOWER):
            plain_lower = False
    if plain_lower:
        return text.lower()
    if not any(chr(code) in _LATIN1_OUTSIDE for code in table):
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            pass
        else:
            return raw.translate(_LATIN1_TABLE).decode("latin-1")
    return text.translate(table) if table else text


# Latin-1 characters that are not letters or digits become spaces; ``[^\W_]`` is exactly
# ``str.isalnum`` (what ``re`` calls a word character, minus the underscore).
_NON_ALNUM_LATIN1 = bytes(code if chr(code).isalnum() else 0x20 for code in range(256))
_WORD_RUN = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    r"""The runs of letters and digits of ``text`` (``re.findall(r"[^\W_]+", text)``).

    Text that Latin-1 can hold (English, French, Spanish, Portuguese, Indonesian pages) takes
    a C path: a byte-table translate turns every other character into a space, and
    ``str.split`` cuts the runs (~5x faster than the regex on a 50 KB page; same list).
    """
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return _WORD_RUN.findall(text)
    return raw.translate(_NON_ALNUM_LATIN1).decode("latin-1").split()


def needs_boundary(char: str) -> bool:
    """Whether a term edge must sit on a word boundary.

    Latin/Cyrillic words must (``"ver"`` must not match ``"verdict"``); Hangul and CJK glue
    particles to words (``"다시보기를"``), so their edges never need one.
    """
    if not char.isalnum():
        return False
    code = ord(char)
    return not (
        0x1100 <= code <= 0x11FF
        or 0x2E80 <= code <= 0x9FFF
        or 0xA960 <= code <= 0xA97F
        or 0xAC00 <= code <= 0xD7FF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x0E00 <= code <= 0x0E7F
    )


def snippet(text: str, start: int, end: int, context: int = 40) -> str:
    """The match with some context, whitespace-collapsed, ellipsised where cut."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    body = collapse(text[left:right])
    return ("…" if left > 0 else "") + body + ("…" if right < len(text) else "")


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def joined_lines(texts: Sequence[str]) -> tuple[str, list[int]]:
    """``texts`` joined by newlines, and where each one starts in the joined string."""
    starts = list(accumulate([len(text) + 1 for text in texts], initial=0))[: len(texts)]
    return "\n".join(texts), starts


class Searcher(Protocol):
    """A compiled pattern, or anything with its ``search``."""

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None: ...


def texts_with_match(pattern: Searcher, joined: str, starts: list[int]) -> list[int]:
    """Indices (ascending) of the newline-joined texts in which ``pattern`` finds a match.

    After a text's first match the search goes on at the next text: a page's release names
    carry several tags each, and the rest of a text cannot change the answer. Same set as
    every ``finditer`` match mapped to its text, for patterns that match no newline.
    """
    found: list[int] = []
    position = 0
    last = len(starts) - 1
    while True:
        match = pattern.search(joined, position)
        if match is None:
            return found
        index = bisect_right(starts, match.start()) - 1
        found.append(index)
        if index >= last:
            return found
        position = starts[index + 1]
