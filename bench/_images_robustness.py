"""Robustness part of ``python -m bench images``: recall per transform over the real photos.

Ours and a plain global pHash are scored by ``isop eval-images``'s sweep; imagehash's
segment-based ``crop_resistant_hash`` is run on the crop and padding copies for comparison.
The sweep picks its working point on the photos it reports on, so two more checks keep the
figures honest: thresholds chosen on half the photos and scored on the other half (three
seeded splits, ``detectors.image.holdout``), and the project's own fixture images (the
sandbox's 32 studio posters, with its article photos and channel logos as distractors) scored
at the shipped thresholds, which no step here was tuned on.
"""

from __future__ import annotations

import io
import random
import time
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
from PIL import Image
from rich.console import Console
from rich.table import Table

from crawler.sandbox import images as sandbox_images
from crawler.sandbox.catalog import build_catalog
from detectors.catalog.settings import CatalogSettings
from detectors.image.evaluate import Originals, evaluate, find_images, load_originals
from detectors.image.hashing import hash_image
from detectors.image.holdout import holdout, score
from detectors.image.transforms import GOAL, TRANSFORMS

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "images"
console = Console()


def _plain(settings: CatalogSettings) -> CatalogSettings:
    """A plain global hash: no border trim, no crop variants, no query probes."""
    quality = settings.quality.model_copy(update={"border_max_trim": 0.0})
    return settings.model_copy(
        update={
            "quality": quality,
            "variants": [(0, 0, 0, 0)],
            "untrimmed_variant": False,
            "query_crops": [(0, 0, 0, 0)],
        }
    )


def bench_robustness(settings: CatalogSettings) -> dict[str, Any]:
    if not REALDATA.exists():
        console.print(f"robustness: {REALDATA} is absent, skipped")
        return {}
    ours = evaluate(REALDATA, settings)
    plain = evaluate(REALDATA, _plain(settings))
    table = Table(
        title=f"Recall per transform, {len(ours.images)} real images, <= 0.1 % false "
        "matches (working point of each)"
    )
    for column in (
        "transform",
        "goal",
        f"ours {ours.working[0]}/{ours.working[1]}",
        f"ours config {ours.configured[0]}/{ours.configured[1]}",
        f"plain pHash {plain.working[0]}/{plain.working[1]}",
    ):
        table.add_column(column, justify="left" if column == "transform" else "right")
    result = {}
    for mine, base in zip(ours.rows, plain.rows, strict=True):
        table.add_row(
            mine["transform"],
            "yes" if mine["goal"] else "-",
            f"{100 * mine['working']['recall']:.1f} %",
            f"{100 * mine['configured']['recall']:.1f} %",
            f"{100 * base['working']['recall']:.1f} %",
        )
        result[mine["transform"]] = {
            "ours": mine["working"]["recall"],
            "ours_configured": mine["configured"]["recall"],
            "plain": base["working"]["recall"],
        }
    console.print(table)
    goal = [r["working"]["recall"] for r in ours.rows if r["goal"]]
    return {
        "per_transform": result,
        "min_goal_recall": min(goal),
        "working": list(ours.working),
        "plain_working": list(plain.working),
    }


def bench_crop_resistant(transforms: tuple[str, ...] = ("crop_10%", "pad_20%")) -> dict[str, Any]:
    """imagehash.crop_resistant_hash (segment hashes) on the same copies: cost and recall.

    Matched with ``hamming_cutoff=4`` (its default lets 5-10 % of unrelated pairs match).
    """
    if not REALDATA.exists():
        return {}
    pictures = []
    for path in find_images(REALDATA):
        with Image.open(path) as img:
            if min(img.size) >= 32:
                pictures.append(img.convert("RGBA" if "A" in img.getbands() else "RGB"))
    begin = time.process_time()
    refs = [imagehash.crop_resistant_hash(p.convert("RGB")) for p in pictures]
    ms = 1000 * (time.process_time() - begin) / len(pictures)
    result: dict[str, Any] = {"ms_per_image": ms}
    for name in transforms:
        rng = random.Random(f"1:{name}")
        hits = false = 0
        for i, picture in enumerate(pictures):
            copy = Image.open(io.BytesIO(TRANSFORMS[name](picture, rng)))
            query = imagehash.crop_resistant_hash(copy)
            for j, ref in enumerate(refs):
                matched = query.matches(ref, hamming_cutoff=4)
                hits += matched and i == j
                false += matched and i != j
        pairs = len(pictures) * (len(pictures) - 1)
        result[name] = {"recall": hits / len(pictures), "false_match_rate": false / pairs}
    console.print(
        f"imagehash.crop_resistant_hash: {ms:.0f} ms/image; "
        + "; ".join(
            f"{n} recall {100 * result[n]['recall']:.1f} % at "
            f"{100 * result[n]['false_match_rate']:.2f} % false matches"
            for n in transforms
        )
        + " (duplicate originals are not merged here: 0.15 % of pairs)"
    )
    return result


def _worst(rows: list[dict[str, Any]], key: str) -> tuple[float, float]:
    """Lowest goal recall and highest false-match rate over the transforms, on one side."""
    goal = [r for r in rows if r["goal"]]
    return min(r[key]["recall"] for r in goal), max(r[key]["false_match_rate"] for r in rows)


def fixture_originals(settings: CatalogSettings, seed: int = 1) -> Originals:
    """The sandbox's studio posters as references (the project's own fixture images)."""
    variants, quality = settings.variant_list(), settings.quality.quality()
    names, pictures, rp, rd = [], [], [], []
    for work in build_catalog().works:
        master = sandbox_images.master_poster(seed, work)
        hashes = hash_image(sandbox_images.encode(master, "PNG"), variants, quality)
        names.append(work.id)
        pictures.append(master)
        rp.append([h.phash for h in hashes])
        rd.append([h.dhash for h in hashes])
    return Originals(names, pictures, np.array(rp, np.uint64), np.array(rd, np.uint64), [], 0)


def strangers(seed: int = 1) -> list[Image.Image]:
    """The sandbox's article photos and channel logos: pictures no reference copies."""
    photos = [sandbox_images.photo_jpeg(seed, f"article-{i}") for i in range(40)]
    logos = [sandbox_images.channel_logo(c) for c in build_catalog().channels]
    return [Image.open(io.BytesIO(data)).convert("RGB") for data in photos + logos]


def bench_holdout(settings: CatalogSettings, seeds: tuple[int, ...] = (1, 2, 3)) -> dict[str, Any]:
    """Thresholds chosen on tune halves (real photos + sandbox posters), test halves scored."""
    if not REALDATA.exists():
        return {}
    corpora = {"real": load_originals(REALDATA, settings),
               "posters": fixture_originals(settings)}  # fmt: skip
    limit = settings.thresholds.default
    title = ("Held-out halves: thresholds chosen on the tune half (real photos + sandbox "
             "posters); worst goal recall / worst false-match rate on the test halves")  # fmt: skip
    table = Table(title=title)
    for column in (
        "split",
        "chosen",
        "real at chosen",
        "posters at chosen",
        f"real at shipped {limit.phash}/{limit.dhash}",
        f"posters at shipped {limit.phash}/{limit.dhash}",
        "below 90 % at shipped",
    ):
        table.add_column(column, justify="right")  # fmt: skip
    result: dict[str, Any] = {}
    for seed in seeds:
        report = holdout(corpora, settings, strangers(), split_seed=seed)
        rows, chosen = report["transforms"], report["chosen"]
        cells, entry = [], {"chosen": chosen}
        for key in ("test real", "test posters", "test real configured",
                    "test posters configured"):  # fmt: skip
            worst, false = _worst(rows, key)
            cells.append(f"{100 * worst:.1f} % / {100 * false:.3f} %")
            entry[key.replace(" ", "_")] = {"worst_recall": worst, "max_false_rate": false}
        misses = [f"{k.split()[1]} {r['transform']} {100 * r[k]['recall']:.0f} %"
                  for k in ("test real configured", "test posters configured")
                  for r in rows if r["goal"] and r[k]["recall"] < 0.9]  # fmt: skip
        table.add_row(str(seed), f"{chosen['phash']}/{chosen['dhash']}", *cells,
                      ", ".join(misses) or "-")  # fmt: skip
        result[str(seed)] = entry
    console.print(table)
    return result


def bench_fixtures(settings: CatalogSettings, seed: int = 1) -> dict[str, Any]:
    """Recall per transform over all the sandbox posters at the shipped thresholds."""
    originals = fixture_originals(settings, seed)
    others = strangers(seed)
    every = np.ones(len(originals.names), dtype=bool)
    side = score(originals, settings, {"all": every}, others, -1 - np.arange(len(others)),
                 seed)["all"]  # fmt: skip
    limit = settings.thresholds.default
    rows = {name: side.row(name, limit.phash, limit.dhash) for name in side.hits}
    console.print(
        f"fixture posters ({len(originals.names)} sandbox works; {len(others)} photos and "
        f"logos as distractors, {side.pairs:,} unrelated pairs per transform) at the shipped "
        f"{limit.phash}/{limit.dhash}: "
        + "; ".join(f"{n} {100 * r['recall']:.0f} %" for n, r in rows.items())
        + f"; false matches {sum(r['false_matches'] for r in rows.values())} in all, at most "
        f"{100 * max(r['false_match_rate'] for r in rows.values()):.3f} % per transform"
    )
    goal = [rows[n]["recall"] for n in rows if n in GOAL]
    return {"per_transform": rows, "min_goal_recall": min(goal), "pairs": side.pairs}
