"""Robustness part of ``python -m bench images``: recall per transform over the real photos.

Ours and a plain global pHash are scored by ``isop eval-images``'s sweep; imagehash's
segment-based ``crop_resistant_hash`` is run on the crop and padding copies for comparison.
"""

from __future__ import annotations

import io
import random
import time
from pathlib import Path
from typing import Any

import imagehash
from PIL import Image
from rich.console import Console
from rich.table import Table

from detectors.catalog.settings import CatalogSettings
from detectors.image.evaluate import evaluate, find_images
from detectors.image.transforms import TRANSFORMS

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
