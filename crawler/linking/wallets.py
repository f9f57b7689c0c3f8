"""Crypto wallet addresses, validated: a string that merely looks like one is not an identifier.

Pirate sites ask for donations or sell IPTV subscriptions for crypto, and an operator reuses
the same wallet on every domain.  Random 34-character strings are common in HTML (ids,
hashes, tokens), so every format is checked the way a wallet would: base58check (Bitcoin
legacy, Tron), bech32/bech32m (Bitcoin segwit), the EIP-55 mixed-case checksum (Ethereum,
also USDT/ERC-20), Monero's Keccak checksum.  Keccak-256 is written out here because the
standard library only has NIST SHA-3, whose padding differs.
"""

from __future__ import annotations

import hashlib
import re

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

# Two stages: runs of letters and digits (a cheap scan), then the formats on each run.
_TOKENS = re.compile(r"[0-9A-Za-z]{26,111}")
CANDIDATES = re.compile(
    r"(?:"
    r"(?P<btc>[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71})"
    r"|(?P<eth>0x[0-9a-fA-F]{40})"
    r"|(?P<trx>T[1-9A-HJ-NP-Za-km-z]{33})"
    r"|(?P<xmr>[48][1-9A-HJ-NP-Za-km-z]{94})"
    r")"
)
# A lower-case (checksum-less) Ethereum address counts only next to one of these words.
_ETH_CONTEXT = re.compile(r"eth|ether|erc-?20|usdt|wallet|donat|crypto|bnb|bep-?20|polygon",
                          re.IGNORECASE)


def b58decode(text: str) -> bytes | None:
    """Base58 bytes of ``text``, or None for a character outside the alphabet."""
    number = 0
    for char in text:
        digit = _B58_INDEX.get(char)
        if digit is None:
            return None
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


def b58check(text: str) -> bytes | None:
    """The payload of a base58check string (version byte included), None if the sum fails."""
    raw = b58decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def _bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32_valid(address: str) -> bool:
    """A segwit address with a valid bech32 (v0) or bech32m (v1+) checksum."""
    hrp, _, data = address.lower().rpartition("1")
    if hrp != "bc" or len(data) < 7 or any(c not in _BECH32 for c in data):
        return False
    values = [_BECH32.index(c) for c in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    const = _bech32_polymod(expanded + values)
    return (values[0] == 0 and const == 1) or (values[0] > 0 and const == 0x2BC830A3)


_RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
       0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
       0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
       0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
       0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
       0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
_ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61,
        56, 14]
_MASK = (1 << 64) - 1


def _keccak_f(state: list[int]) -> None:
    for rc in _RC:
        c = [state[x] ^ state[x + 5] ^ state[x + 10] ^ state[x + 15] ^ state[x + 20]
             for x in range(5)]
        d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK)
             for x in range(5)]
        state[:] = [state[i] ^ d[i % 5] for i in range(25)]
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                i, r = x + 5 * y, _ROT[x + 5 * y]
                b[y + 5 * ((2 * x + 3 * y) % 5)] = ((state[i] << r) | (state[i] >> (64 - r))) \
                    & _MASK if r else state[i]
        state[:] = [b[i] ^ (~b[(i % 5 + 1) % 5 + 5 * (i // 5)] & b[(i % 5 + 2) % 5 + 5 * (i // 5)])
                    for i in range(25)]
        state[0] ^= rc


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum and Monero use it (original 0x01 padding, not SHA3-256)."""
    rate = 136
    padded = bytearray(data) + b"\x01"
    padded += b"\x00" * (-len(padded) % rate)
    padded[-1] |= 0x80
    state = [0] * 25
    for start in range(0, len(padded), rate):
        block = padded[start:start + rate]
        for i in range(rate // 8):
            state[i] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        _keccak_f(state)
    return b"".join(state[i].to_bytes(8, "little") for i in range(4))


def eip55_valid(address: str) -> bool:
    """The mixed-case checksum of an Ethereum address (all-lower/upper carry none)."""
    hexpart = address[2:]
    digest = keccak256(hexpart.lower().encode()).hex()
    return all((c.upper() if int(digest[i], 16) >= 8 else c.lower()) == c
               for i, c in enumerate(hexpart) if c.isalpha())


def _monero_valid(address: str) -> bool:
    raw = bytearray()
    for i in range(0, 88, 11):  # 8-byte blocks are 11 chars; the last block is 7 -> 5 bytes
        block = b58decode(address[i:i + 11])
        if block is None:
            return False
        raw += block.rjust(8, b"\x00")[-8:]
    tail = b58decode(address[88:])
    if tail is None:
        return False
    raw += tail.rjust(5, b"\x00")[-5:]
    return len(raw) == 69 and keccak256(bytes(raw[:65]))[:4] == raw[65:]


def find_wallets(text: str) -> list[tuple[str, str]]:
    """``(kind, address)`` of every valid wallet address in ``text``, in order, no repeats.

    Kinds: ``btc``, ``eth`` (also USDT/ERC-20), ``trx`` (also USDT/TRC-20), ``xmr``.
    """
    out: dict[tuple[str, str], None] = {}
    for token in _TOKENS.finditer(text):
        match = CANDIDATES.fullmatch(token.group(0))
        if match is None:
            continue
        kind = match.lastgroup or ""
        address = match.group(0)
        if kind == "btc":
            ok = bech32_valid(address) if address.startswith("bc1") else \
                (payload := b58check(address)) is not None and len(payload) == 21 \
                and payload[0] in (0x00, 0x05)
        elif kind == "eth":
            hexpart = address[2:]
            if hexpart.lower() == hexpart or hexpart.upper() == hexpart:
                window = text[max(0, token.start() - 80):token.end() + 40]
                ok = bool(_ETH_CONTEXT.search(window)) and len(set(hexpart.lower())) > 4
            else:
                ok = eip55_valid(address)
            address = address.lower()  # checksummed or not, the same wallet
        elif kind == "trx":
            ok = (payload := b58check(address)) is not None and len(payload) == 21 \
                and payload[0] == 0x41
        else:
            ok = _monero_valid(address)
        if ok:
            out.setdefault((kind, address))
    return list(out)
