"""The reference catalog on disk: SQLite for the references, numpy snapshots for the hashes.

SQLite (standard library, one file under the data dir) holds who owns what: one row per
reference image (work, kind, catalog, source, SHA-256) and one row per hashed variant. The
matcher needs only the hash columns, and reading a million rows through SQLite costs seconds;
so every write bumps a generation number and the hash columns are snapshotted to ``.npy`` files
named after it, and so is the pHash index built over them. A load memory-maps both
(milliseconds at a million references) and rebuilds them from SQLite only when stale.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from detectors.image.hashing import Hashes
from detectors.image.index import HammingIndex

SCHEMA = """
CREATE TABLE IF NOT EXISTS refs (
    id INTEGER PRIMARY KEY,
    catalog TEXT NOT NULL,
    work TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    added TEXT NOT NULL,
    UNIQUE (catalog, sha256)
);
CREATE TABLE IF NOT EXISTS hashes (
    ref INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
    variant INTEGER NOT NULL,
    phash INTEGER NOT NULL,
    dhash INTEGER NOT NULL,
    PRIMARY KEY (ref, variant)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', '0');
"""
COLUMNS = ("ref", "variant", "catalog", "phash", "dhash")


def _signed(value: int) -> int:
    """SQLite integers are signed 64-bit: store a uint64 as its two's complement."""
    return value - (1 << 64) if value >= 1 << 63 else value


@dataclass(frozen=True)
class Reference:
    id: int
    catalog: str
    work: str
    kind: str
    source: str


@dataclass(frozen=True)
class StoredReference:
    """One reference as listed: who it belongs to and where it came from."""

    id: int
    catalog: str
    work: str
    kind: str
    source: str
    sha256: str
    added: str
    variants: int

    def to_json(self) -> dict[str, object]:
        return {"ref": self.id, "catalog": self.catalog, "work": self.work, "kind": self.kind,
                "source": self.source, "sha256": self.sha256, "added": self.added,
                "variants": self.variants}  # fmt: skip


@dataclass(frozen=True)
class HashTable:
    """Hash columns of every variant of every reference (row-aligned numpy arrays)."""

    ref: np.ndarray  # reference id (int32 in snapshots, int64 for the config samples)
    variant: np.ndarray  # int16 index into the configured variants
    catalog: np.ndarray  # index into ``catalogs`` (int16 in snapshots)
    phash: np.ndarray  # uint64
    dhash: np.ndarray  # uint64
    catalogs: tuple[str, ...]
    generation: int = -1  # the store generation it was read at (-1: not from a store)

    def __len__(self) -> int:
        return len(self.ref)


class CatalogStore:
    """One catalog folder: ``catalog.sqlite`` plus hash snapshots ``hashes-<gen>-<col>.npy``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.directory / "catalog.sqlite")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CatalogStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0])

    def add(
        self, catalog: str, work: str, kind: str, source: str, data: bytes, hashes: list[Hashes]
    ) -> tuple[int, bool]:
        """Store a reference and its variant hashes; (id, False) if these bytes are known."""
        digest = hashlib.sha256(data).hexdigest()
        with self.db:
            known = self.db.execute(
                "SELECT id FROM refs WHERE catalog = ? AND sha256 = ?", (catalog, digest)
            ).fetchone()
            if known:
                return int(known[0]), False
            cursor = self.db.execute(
                "INSERT INTO refs (catalog, work, kind, source, sha256, added) "
                "VALUES (?,?,?,?,?,?)",
                (catalog, work, kind, source, digest, datetime.now(UTC).isoformat()),
            )
            ref = int(cursor.lastrowid or 0)
            self.db.executemany(
                "INSERT INTO hashes VALUES (?,?,?,?)",
                [(ref, i, _signed(h.phash), _signed(h.dhash)) for i, h in enumerate(hashes)],
            )
            self.db.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
            )
        return ref, True

    def add_hashes(self, rows: list[tuple[str, str, str, str, str, list[tuple[int, int]]]]) -> None:
        """Bulk insert of already hashed references (catalog, work, kind, source, sha, hashes)."""
        now = datetime.now(UTC).isoformat()
        with self.db:
            for catalog, work, kind, source, sha, pairs in rows:
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO refs (catalog, work, kind, source, sha256, added) "
                    "VALUES (?,?,?,?,?,?)",
                    (catalog, work, kind, source, sha, now),
                )
                if cursor.rowcount:
                    ref = int(cursor.lastrowid or 0)
                    self.db.executemany(
                        "INSERT INTO hashes VALUES (?,?,?,?)",
                        [(ref, i, _signed(p), _signed(d)) for i, (p, d) in enumerate(pairs)],
                    )
            self.db.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
            )

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM refs").fetchone()[0])

    def reference(self, ref: int) -> Reference | None:
        row = self.db.execute(
            "SELECT id, catalog, work, kind, source FROM refs WHERE id = ?", (ref,)
        ).fetchone()
        return Reference(*row) if row else None

    def references(self, *, catalog: str | None = None, work: str | None = None,
                   after: int = 0, limit: int = 1000) -> list[StoredReference]:  # fmt: skip
        """References in id order, after id ``after``; ``work`` matches anywhere in the title
        (ASCII case-insensitively, SQLite's LIKE)."""
        where: list[str] = ["r.id > ?"]
        args: list[object] = [after]
        if catalog is not None:
            where.append("r.catalog = ?")
            args.append(catalog)
        if work:
            escaped = work.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("r.work LIKE ? ESCAPE '\\'")
            args.append(f"%{escaped}%")
        rows = self.db.execute(
            "SELECT r.id, r.catalog, r.work, r.kind, r.source, r.sha256, r.added, "
            "(SELECT COUNT(*) FROM hashes h WHERE h.ref = r.id) FROM refs r "
            f"WHERE {' AND '.join(where)} ORDER BY r.id LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [StoredReference(*row) for row in rows]

    def remove(self, refs: list[int]) -> list[int]:
        """Delete these references and their hashes; the ids that existed.  One generation
        bump for the lot, so matchers reload once."""
        wanted = sorted(set(refs))
        found: list[int] = []
        with self.db:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self.db.execute(f"SELECT id FROM refs WHERE id IN ({marks})", part)
                found += [int(row[0]) for row in rows]
                self.db.execute(f"DELETE FROM hashes WHERE ref IN ({marks})", part)
                self.db.execute(f"DELETE FROM refs WHERE id IN ({marks})", part)
            if found:
                self.db.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
                )
        return found

    def _snapshot(self, generation: int, column: str) -> Path:
        return self.directory / f"hashes-{generation}-{column}.npy"

    def table(self) -> HashTable:
        """The hash columns, from the current snapshot (rebuilt from SQLite if stale)."""
        generation = self.generation()
        catalogs = tuple(
            r[0] for r in self.db.execute("SELECT DISTINCT catalog FROM refs ORDER BY catalog")
        )
        paths = {c: self._snapshot(generation, c) for c in COLUMNS}
        if not all(p.exists() for p in paths.values()):
            self._write_snapshot(generation, catalogs)
        arrays = {c: np.load(p, mmap_mode="r") for c, p in paths.items()}
        return HashTable(catalogs=catalogs, generation=generation, **arrays)

    def index(self, table: HashTable, radius: int) -> HammingIndex:
        """The pHash index of ``table`` (read from the store): saved once, memory-mapped after."""
        prefix = self.directory / f"index-{table.generation}-r{radius}"
        loaded = HammingIndex.load(prefix, table.phash, radius)
        if loaded is not None:
            return loaded
        built = HammingIndex(table.phash, radius)
        if table.generation == self.generation():
            built.save(prefix)
        return built

    def _write_snapshot(self, generation: int, catalogs: tuple[str, ...]) -> None:
        cursor = self.db.execute(
            "SELECT ref, variant, phash, dhash FROM hashes ORDER BY ref, variant"
        )
        chunks = [np.empty((0, 4), dtype=np.int64)]
        while batch := cursor.fetchmany(500_000):  # a bounded number of Python tuples at once
            chunks.append(np.array(batch, dtype=np.int64))
        rows = np.concatenate(chunks)
        refs = self.db.execute("SELECT id, catalog FROM refs ORDER BY id").fetchall()
        code = {name: i for i, name in enumerate(catalogs)}
        ids = np.array([r[0] for r in refs], dtype=np.int64)
        codes = np.array([code[r[1]] for r in refs], dtype=np.int32)
        # the narrowest ids that hold every value: 6 of the 30 bytes per hash of these columns
        ref_type = np.int32 if not len(ids) or ids[-1] < 2**31 else np.int64
        code_type = np.int16 if len(catalogs) < 2**15 else np.int32
        columns: dict[str, np.ndarray] = {
            "ref": rows[:, 0].astype(ref_type),
            "variant": rows[:, 1].astype(np.int16),
            "catalog": (codes[np.searchsorted(ids, rows[:, 0])] if len(ids) else codes).astype(
                code_type
            ),
            "phash": rows[:, 2].copy().view(np.uint64),
            "dhash": rows[:, 3].copy().view(np.uint64),
        }
        current = (f"hashes-{generation}-", f"index-{generation}-")
        for old in (*self.directory.glob("hashes-*.npy"), *self.directory.glob("index-*.npy")):
            if not old.name.startswith(current):  # another reader may be writing this one
                old.unlink(missing_ok=True)
        for name, values in columns.items():
            tmp = self.directory / f".tmp-{os.getpid()}-{name}.npy"
            np.save(tmp, values)
            tmp.replace(self._snapshot(generation, name))
