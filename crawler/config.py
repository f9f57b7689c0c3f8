"""Typed configuration: ``config/defaults.yaml`` < ``--config FILE`` < ``ISOP_*`` environment.

Loaded once per process into one immutable object; Scrapy components receive it through
the ``ISOP_CONFIG`` setting (see :mod:`crawler.addon`) instead of reading files or the
environment themselves.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.alerts.config import AlertsConfig
from crawler.evidence.config import EvidenceConfig

PROJECT_DIR = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(os.environ.get("ISOP_CONFIG_DIR", PROJECT_DIR / "config"))
DEFAULTS_FILE = CONFIG_DIR / "defaults.yaml"


class ConfigError(Exception):
    """A configuration the user can fix: the message names the file or variable and the cause."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RedisConfig(_Section):
    urls: tuple[str, ...] = ()
    key_prefix: str = "isop"
    cluster: bool = False
    start_timeout: float = Field(10.0, gt=0)

    @field_validator("urls", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(u.strip() for u in value.split(",") if u.strip())
        return value


class DatabaseConfig(_Section):
    url: str = ""


class CrawlConfig(_Section):
    proxy: str = ""
    user_agent: str = "Mozilla/5.0"
    concurrent_requests: int = Field(32, ge=1)
    concurrent_requests_per_domain: int = Field(2, ge=1)
    download_delay: float = Field(1.0, ge=0)
    domain_delays: dict[str, float] = Field(default_factory=dict)
    download_timeout: float = Field(20, gt=0)
    retry_times: int = Field(2, ge=0)
    page_budget_per_site: int = Field(40, ge=1)
    max_site_hops: int = Field(4, ge=0)
    max_response_bytes: int = Field(5_000_000, ge=1024)
    idle_exit: float = Field(0, ge=0)
    images_per_site: int = Field(4, ge=0)


class FrontierConfig(_Section):
    shards: int = Field(16, ge=1, le=16384)
    lease_ttl: float = Field(30, ge=1)
    recrawl_after: float = Field(604800, ge=1)
    prefetch: int = Field(16, ge=1)
    dedup: Literal["bloom", "exact"] = "bloom"
    expected_urls: int = Field(10_000_000, ge=1)
    dedup_error_rate: float = Field(0.001, gt=0, lt=1)


class DetectorsConfig(_Section):
    config: str = "detectors.yaml"


class WorksConfig(_Section):
    source: Literal["registry", "file"] = "registry"
    check_interval: float = Field(10, ge=0)


class MetricsConfig(_Section):
    port: int = Field(0, ge=0, le=65535)
    address: str = "0.0.0.0"
    progress_interval: float = Field(1.0, gt=0)
    liveness_timeout: float = Field(60.0, gt=0)


class WorkerConfig(_Section):
    spider: str = "discovery"
    port: int = Field(9410, ge=1, le=65535)


class RegistryConfig(_Section):
    # None: the detectors' site rule (detectors.yaml ``site.confirm_score``) decides.
    confirm_score: float | None = Field(None, ge=0, le=1)
    # RegistryPipeline group commit: a batch is written at this many verdicts, or when the
    # writer is free (after lingering flush_ms for company if it was idle).
    batch_size: int = Field(200, ge=1, le=10000)
    flush_ms: float = Field(50, gt=0, le=60000)


class MonitorConfig(_Section):
    revisit: dict[str, float] = Field(
        default_factory=lambda: {
            "confirmed": 600.0, "monitored": 3600.0, "down": 1800.0, "parked": 86400.0,
            "seized": 604800.0, "moved": 600.0,
        }
    )  # fmt: skip
    down_after_failures: int = Field(2, ge=1)
    claim_grace: float = Field(900, gt=0)
    sweep_interval: float = Field(60, gt=0)
    sweep_batch: int = Field(500, ge=1)
    hop_probes: int = Field(20, ge=0)
    max_body_bytes: int = Field(500_000, ge=1024)
    banners: str = "monitor_banners.yaml"

    @field_validator("revisit")
    @classmethod
    def _monitored_statuses(cls, value: dict[str, float]) -> dict[str, float]:
        allowed = {"confirmed", "monitored", "down", "parked", "seized", "moved"}
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"no such monitored status {unknown}; use {sorted(allowed)}")
        if any(seconds <= 0 for seconds in value.values()):
            raise ValueError("revisit intervals must be positive seconds")
        return value

    @property
    def banners_path(self) -> Path:
        path = Path(self.banners)
        return path if path.is_absolute() else CONFIG_DIR / path


class ApiConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    session_hours: float = Field(8, gt=0)
    secure_cookies: bool = True
    login_max_failures: int = Field(5, ge=1)
    login_lockout_minutes: float = Field(15, gt=0)


class SafetyConfig(_Section):
    allow_private: tuple[str, ...] = ()
    credential_salt: str = ""
    max_site_depth: int = Field(12, ge=1)
    max_calendar_pages: int = Field(30, ge=0)
    max_url_length: int = Field(2000, ge=100)
    max_page_number: int = Field(200, ge=1)
    max_playlist_bytes: int = Field(30_000_000, ge=1024)
    max_image_bytes: int = Field(3_000_000, ge=1024)
    max_torrent_bytes: int = Field(5_000_000, ge=1024)
    probe_bytes: int = Field(65_536, ge=1024)
    probe_streams: int = Field(2, ge=0)
    probe_per_site: int = Field(6, ge=0)
    probe_timeout: float = Field(10, gt=0)


class DemoConfig(_Section):
    seed: int = 1
    idle_exit: float = Field(4, gt=0)
    download_delay: float = Field(0.25, ge=0)


class Config(_Section):
    data_dir: Path = Path("./isop-data")
    redis: RedisConfig = RedisConfig()
    database: DatabaseConfig = DatabaseConfig()
    crawl: CrawlConfig = CrawlConfig()
    frontier: FrontierConfig = FrontierConfig()
    detectors: DetectorsConfig = DetectorsConfig()
    works: WorksConfig = WorksConfig()
    metrics: MetricsConfig = MetricsConfig()
    demo: DemoConfig = DemoConfig()
    safety: SafetyConfig = SafetyConfig()
    api: ApiConfig = ApiConfig()
    alerts: AlertsConfig = AlertsConfig()
    evidence: EvidenceConfig = EvidenceConfig()
    worker: WorkerConfig = WorkerConfig()
    registry: RegistryConfig = RegistryConfig()
    monitor: MonitorConfig = MonitorConfig()

    @property
    def database_url(self) -> str:
        """The registry URL: the configured one, else SQLite under the data dir."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.data_dir / 'registry.db').resolve()}"

    @property
    def detectors_path(self) -> Path:
        path = Path(self.detectors.config)
        return path if path.is_absolute() else CONFIG_DIR / path

    def with_overrides(self, **sections: Mapping[str, Any]) -> Config:
        """A copy with some section values replaced (CLI flags use this)."""
        data = self.model_dump()
        for name, values in sections.items():
            data[name] = {**data[name], **values}
        return Config.model_validate(data)


# Named variables of the stable contract; generic ones are ISOP_<SECTION>__<KEY>.
_NAMED_ENV = {
    "ISOP_REDIS_URLS": ("redis", "urls"),
    "ISOP_REDIS_URL": ("redis", "urls"),
    "ISOP_DATABASE_URL": ("database", "url"),
    "ISOP_DATA_DIR": ("data_dir",),
}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{path}:{where} malformed YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _with_secret_files(environ: Mapping[str, str]) -> dict[str, str]:
    """``ISOP_X_FILE=/run/secrets/x`` stands for ``ISOP_X`` = the file's content (Docker and
    Kubernetes mount secrets as files); a variable set directly wins.  Errors name the
    variable and the path, never the content."""
    env = dict(environ)
    for name, path in environ.items():
        if not (name.startswith("ISOP_") and name.endswith("_FILE")):
            continue
        target = name[: -len("_FILE")]
        del env[name]  # not a setting of its own (ISOP_A__B_FILE is no key b_file)
        if not path or target in environ:
            continue
        try:
            env[target] = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            cause = getattr(exc, "strerror", None) or type(exc).__name__
            raise ConfigError(f"{name}={path}: cannot read secret file ({cause})") from None
    return env


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in _with_secret_files(environ).items():
        if name in _NAMED_ENV:
            _set_path(data, _NAMED_ENV[name], value)
        elif name.startswith("ISOP_") and "__" in name:
            parts = tuple(p.lower() for p in name[len("ISOP_") :].split("__"))
            _set_path(data, parts, yaml.safe_load(value) if value else value)
    return data


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Defaults, then the user's file, then the environment; validated into one object."""
    env = os.environ if environ is None else environ
    data = _read_yaml(DEFAULTS_FILE) if DEFAULTS_FILE.exists() else {}
    source = str(DEFAULTS_FILE)
    if path is not None:
        data = _merge(data, _read_yaml(Path(path)))
        source = str(path)
    data = _merge(data, _env_overrides(env))
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{source} (or ISOP_* environment): {where}: {first['msg']}") from None
