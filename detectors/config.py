"""Load and validate ``config/detectors.yaml``: detector list and order, limits, fusion.

Validation happens once, at load, with pydantic models that forbid unknown keys: a typo in an
analyst's edit fails at start with the offending path, not silently at 3 a.m. Large vocabularies
live in files under ``config/heuristic/`` and are pulled in with ``include:``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from detectors.base import DetectorError
from detectors.fusion import FusionConfig
from detectors.site import SiteConfig

#: ``config/detectors.yaml`` of the checkout this package lives in.
DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "config" / "detectors.yaml"


class Limits(BaseModel):
    """Work caps per content, so that a hostile 20 MB page costs as much as a 2 MB one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_bytes: int = Field(default=2_000_000, ge=1)
    max_text_chars: int = Field(default=400_000, ge=1)
    max_elements: int = Field(default=50_000, ge=1)
    max_evidence_chars: int = Field(default=240, ge=40)
    max_examples: int = Field(default=3, ge=1)
    max_signals_per_detector: int = Field(default=64, ge=1)
    slow_seconds: float = Field(default=2.0, gt=0.0)


class DetectorEntry(BaseModel):
    """One detector to run: its registered name and its settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    enabled: bool = True
    applies_to: list[str] | None = None
    include: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)


class PipelineConfig(BaseModel):
    """The whole ``config/detectors.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    limits: Limits = Field(default_factory=Limits)
    plugins: list[str] = Field(default_factory=list)
    detectors: list[DetectorEntry]
    fusion: FusionConfig
    site: SiteConfig = Field(default_factory=SiteConfig)

    def settings_for(self, name: str) -> dict[str, Any]:
        """Settings of detector ``name`` with the global limits merged under ``limits``."""
        for entry in self.detectors:
            if entry.name == name:
                return with_limits(entry.settings, self.limits)
        return with_limits({}, self.limits)


def with_limits(settings: Mapping[str, Any], limits: Limits) -> dict[str, Any]:
    """Detector settings plus the pipeline limits (a detector's own limits win)."""
    merged = dict(settings)
    merged["limits"] = {**limits.model_dump(), **dict(settings.get("limits") or {})}
    return merged


def _read_yaml(path: Path) -> Any:
    try:
        with path.open("r", encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise DetectorError(f"cannot read detector config {path}: {exc}") from exc


def _resolve_includes(raw: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    data = dict(raw)
    entries = []
    for entry in data.get("detectors") or []:
        if isinstance(entry, Mapping) and entry.get("include"):
            included = _read_yaml(base_dir / str(entry["include"]))
            if not isinstance(included, Mapping):
                raise DetectorError(f"{entry['include']} must hold a mapping of settings")
            entry = {**entry, "settings": {**included, **dict(entry.get("settings") or {})}}
        if isinstance(entry, Mapping):
            # Detectors that read data files (catalogs) resolve relative paths from here.
            settings = {"config_dir": str(base_dir), **dict(entry.get("settings") or {})}
            entry = {**entry, "settings": settings}
        entries.append(entry)
    data["detectors"] = entries
    return data


def load_config(
    source: str | Path | Mapping[str, Any] | None = None, base_dir: str | Path | None = None
) -> PipelineConfig:
    """Read and validate a pipeline config from a YAML path or an already-loaded mapping.

    ``include:`` paths are relative to the YAML file, or to ``base_dir`` (default: the
    project's ``config/`` folder) when a mapping is given.
    """
    if source is None:
        source = DEFAULT_CONFIG_PATH
    if isinstance(source, Mapping):
        raw: Any = source
        folder = Path(base_dir) if base_dir is not None else DEFAULT_CONFIG_PATH.parent
    else:
        path = Path(source)
        raw = _read_yaml(path)
        folder = Path(base_dir) if base_dir is not None else path.parent
    if not isinstance(raw, Mapping):
        raise DetectorError("detector config must be a mapping at top level")
    try:
        return PipelineConfig.model_validate(_resolve_includes(raw, folder))
    except ValidationError as exc:
        raise DetectorError(f"invalid detector config: {exc}") from exc
