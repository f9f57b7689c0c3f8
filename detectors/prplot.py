"""A precision-recall plot as a PNG, drawn with Pillow (no plotting stack to install).

One chart per detector: the step curve, the operating point at the configured threshold
marked, axes with ticks at 0.2, the average precision in the title.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

_SIZE = (480, 400)
_LEFT, _TOP, _RIGHT, _BOTTOM = 56, 36, 20, 44


def draw_pr_curve(
    path: Path,
    title: str,
    points: Sequence[tuple[float, float, float]],
    operating: tuple[float, float] | None = None,
) -> Path:
    """Write the PR curve ``points`` ((recall, precision, threshold)...) to ``path``."""
    image = Image.new("RGB", _SIZE, "white")
    draw = ImageDraw.Draw(image)
    width, height = _SIZE
    x0, y0, x1, y1 = _LEFT, _TOP, width - _RIGHT, height - _BOTTOM

    def at(recall: float, precision: float) -> tuple[float, float]:
        return x0 + recall * (x1 - x0), y1 - precision * (y1 - y0)

    draw.rectangle((x0, y0, x1, y1), outline="black")
    for step in range(6):
        value = step / 5
        x, _ = at(value, 0.0)
        _, y = at(0.0, value)
        draw.line((x, y1, x, y1 + 4), fill="black")
        draw.line((x0 - 4, y, x0, y), fill="black")
        if 0 < step < 5:
            draw.line((x0, y, x1, y), fill=(230, 230, 230))
        draw.text((x - 8, y1 + 8), f"{value:.1f}", fill="black")
        draw.text((x0 - 30, y - 6), f"{value:.1f}", fill="black")
    draw.text(((x0 + x1) // 2 - 20, height - 18), "recall", fill="black")
    draw.text((6, y0 - 24), "precision", fill="black")
    draw.text((x0, 8), title, fill="black")
    curve = [at(0.0, 1.0)]
    for recall, precision, _ in points:
        previous = curve[-1]
        curve.append((at(recall, 0.0)[0], previous[1]))  # step: recall moves first
        curve.append(at(recall, precision))
    if len(curve) > 1:
        draw.line(curve, fill=(31, 119, 180), width=2)
    if operating is not None:
        x, y = at(*operating)
        draw.ellipse((x - 5, y - 5, x + 5, y + 5), outline=(214, 39, 40), width=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG")
    return path
