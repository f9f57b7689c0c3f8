"""Image matching: hashing rate, exact Hamming lookups at 100k/1M/10M, robustness per transform.

Three parts, each ours vs a named baseline in the same run:

- hashing (one core, decode included) of 500x750 JPEG posters: our query hashing (draft-mode
  decode, quality floor, border trim, pHash + dHash for each query probe) and a single
  pHash + dHash, vs ``imagehash.phash(Image.open(...))`` (full decode);
- lookups at the working pHash threshold over N random 64-bit hashes with planted neighbours:
  the multi-index search vs a numpy brute-force popcount scan over the same array; both answer
  the same queries and the answers are compared (``exact``); memory per hash of the index;
- robustness over ../shared/realdata/images (``isop eval-images``): recall per transform at
  <= 0.1 % false matches, ours vs a plain global pHash (no trim, no variants, no probes),
  and imagehash's segment-based ``crop_resistant_hash`` on the crop and padding copies.

Rates are per CPU-second of this process (``time.process_time``), i.e. per core: the build
machine is shared, and wall-clock rates there swing with the neighbours' load. Everything
here is single-threaded.
"""

from __future__ import annotations

import io
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
from PIL import Image, ImageDraw
from rich.console import Console
from rich.table import Table

from bench._images_robustness import (
    bench_crop_resistant,
    bench_fixtures,
    bench_holdout,
    bench_robustness,
)
from detectors.catalog.service import ImageCatalog
from detectors.catalog.settings import CatalogSettings, parse_settings
from detectors.catalog.store import CatalogStore
from detectors.config import load_config
from detectors.image.hashing import hash_image
from detectors.image.index import HammingIndex, brute_force

console = Console()


def _poster(seed: int) -> bytes:
    rng = random.Random(seed)
    img = Image.new("RGB", (500, 750), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.randrange(500), rng.randrange(750)
        box = (x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _rate(images: list[bytes], hash_one: Any, rounds: int) -> float:
    hash_one(images[0])  # imports and caches out of the timing
    begin = time.process_time()
    for _ in range(rounds):
        for data in images:
            hash_one(data)
    return rounds * len(images) / (time.process_time() - begin)


def bench_hashing(settings: CatalogSettings, quick: bool) -> dict[str, float]:
    images = [_poster(i) for i in range(20 if quick else 100)]
    rounds = 1 if quick else 3
    probes, variants = settings.probe_list(), settings.variant_list()
    quality = settings.quality.quality()
    rates = {
        "query": _rate(images, lambda d: hash_image(d, probes, quality), rounds),
        "single": _rate(images, lambda d: hash_image(d, quality=quality), rounds),
        "reference": _rate(images, lambda d: hash_image(d, variants, quality), 1),
        "baseline": _rate(images, lambda d: imagehash.phash(Image.open(io.BytesIO(d))), rounds),
    }
    table = Table(title="Hashing 500x750 JPEG posters, one core, decode included")
    for column in ("what", "images/s", "ms/image", "vs imagehash.phash"):
        table.add_column(column, justify="left" if column == "what" else "right")
    labels = {
        "query": f"ours: a query ({len(probes)} probes x pHash+dHash)",
        "single": "ours: one pHash+dHash (draft decode, trim)",
        "reference": f"ours: a reference ({len(variants)} variants)",
        "baseline": "imagehash.phash(Image.open()) (full decode)",
    }
    for key, rate in rates.items():
        table.add_row(
            labels[key], f"{rate:,.0f}", f"{1000 / rate:.2f}", f"{rate / rates['baseline']:.2f}x"
        )
    console.print(table)
    return rates


def _database(n: int, queries: int, radius: int, rng: np.random.Generator) -> tuple[Any, Any]:
    hashes = rng.integers(0, 2**64, size=n, dtype=np.uint64, endpoint=False)
    picks = rng.choice(n, size=queries, replace=False)
    out = []
    for i, pick in enumerate(picks):
        if i % 2:  # a random query: usually no answer
            out.append(int(rng.integers(0, 2**64, dtype=np.uint64, endpoint=False)))
            continue
        flip = rng.choice(64, size=int(rng.integers(0, radius + 1)), replace=False)
        out.append(int(hashes[pick]) ^ sum(1 << int(b) for b in flip))
    return hashes, out


def bench_lookups(radius: int, quick: bool) -> list[dict[str, Any]]:
    sizes = [20_000, 100_000] if quick else [100_000, 1_000_000, 10_000_000]
    rng = np.random.default_rng(5)
    rows = []
    table = Table(title=f"Exact lookups at pHash radius {radius} (one query = one 64-bit hash)")
    for column in (
        "hashes",
        "substring bits",
        "build s",
        "ours q/s",
        "brute q/s",
        "ratio",
        "exact",
        "index B/hash",
    ):
        table.add_column(column, justify="right")
    for n in sizes:
        hashes, queries = _database(n, 400 if quick else 2000, radius, rng)
        begin = time.process_time()
        index = HammingIndex(hashes, radius=radius)
        build = time.process_time() - begin
        begin = time.process_time()
        ours = [index.search(q, radius)[0] for q in queries]
        ours_rate = len(queries) / (time.process_time() - begin)
        sample = queries[: max(20, min(len(queries), 20_000_000 // n))]
        begin = time.process_time()
        brute = [brute_force(hashes, q, radius) for q in sample]
        brute_rate = len(sample) / (time.process_time() - begin)
        exact = all(np.array_equal(a, b) for a, b in zip(ours, brute, strict=False))
        row = {
            "n": n,
            "substrings": index.m,
            "widths": "/".join(map(str, index.widths)),
            "build_s": build,
            "ours_qps": ours_rate,
            "brute_qps": brute_rate,
            "ratio": ours_rate / brute_rate,
            "exact": exact,
            "bytes_per_hash": index.nbytes / n,
            "found": int(sum(len(r) for r in ours)),
        }
        rows.append(row)
        table.add_row(
            f"{n:,}",
            "/".join(map(str, index.widths)),
            f"{build:.1f}",
            f"{ours_rate:,.0f}",
            f"{brute_rate:,.0f}",
            f"{row['ratio']:.1f}x",
            str(exact),
            f"{row['bytes_per_hash']:.1f}",
        )
        del index, hashes
    console.print(table)
    return rows


def bench_reload(settings: CatalogSettings, references: int) -> dict[str, float]:
    """Open a catalog of ``references`` images (random hashes, every variant) and match one.

    The first open after a write rebuilds the hash snapshot from SQLite and the index; later
    opens memory-map both.
    """
    variants = len(settings.variant_list())
    rng = np.random.default_rng(9)
    with tempfile.TemporaryDirectory() as folder:
        store = CatalogStore(Path(folder))
        for start in range(0, references, 20_000):
            count = min(references, start + 20_000) - start
            pairs = rng.integers(0, 2**63, size=(count, variants, 2), dtype=np.int64).tolist()
            store.add_hashes(
                [
                    (
                        "default",
                        f"work {start + i}",
                        "poster",
                        f"r{start + i}",
                        f"sha{start + i}",
                        [tuple(p) for p in pairs[i]],
                    )
                    for i in range(count)
                ]
            )
        store.close()
        local = settings.model_copy(update={"catalog_dir": folder})
        query = _poster(1)
        result = {}
        for label in ("first_open_s", "reopen_s"):
            catalog = ImageCatalog(local)
            begin = time.perf_counter()
            matchers = catalog.matchers()
            result[label] = time.perf_counter() - begin
            stored = matchers[0]
            table = stored.table
            held = stored.index.nbytes + sum(  # the pHash column is the index's own array
                getattr(table, c).nbytes for c in ("ref", "variant", "catalog", "dhash")
            )
            result["bytes_per_reference"] = held / references
            catalog.match(query)
            catalog.close()
    console.print(
        f"catalog of {references:,} references ({references * variants:,} hashes): first open "
        f"after a write {result['first_open_s']:.2f} s (snapshot + index), reopen "
        f"{1000 * result['reopen_s']:.0f} ms (memory-mapped); held per reference "
        f"{result['bytes_per_reference']:,.0f} B (index + dHash, ids; {variants} hashes each)"
    )
    return result


def run(quick: bool = False) -> dict[str, Any]:
    settings = parse_settings(load_config().settings_for("image_phash"))
    radius = settings.thresholds.max_phash
    rates = bench_hashing(settings, quick)
    lookups = bench_lookups(radius, quick)
    reload = bench_reload(settings, 2_000 if quick else 100_000)
    robustness = {} if quick else bench_robustness(settings)
    held_out = {} if quick else bench_holdout(settings)
    fixtures = {} if quick else bench_fixtures(settings)
    crop_resistant = {} if quick else bench_crop_resistant()
    return {
        "hash_images_per_s": round(rates["single"], 1),
        "query_images_per_s": round(rates["query"], 1),
        "baseline_images_per_s": round(rates["baseline"], 1),
        "lookups": [
            {k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()}
            for row in lookups
        ],
        "robustness": robustness,
        "held_out": held_out,
        "fixtures": fixtures,
        "reload": reload,
        "crop_resistant_hash": crop_resistant,
    }
