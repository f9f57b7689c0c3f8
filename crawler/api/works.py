"""The protected works and channels the ``title_match`` detector looks for, changed by people.

They live in the registry database (:mod:`crawler.registry.works`,
:mod:`crawler.registry.channels`): the API and ``isop works`` / ``isop channels`` write
them there, and running crawlers reload them within seconds (no file to rewrite, so a
read-only config mount is no obstacle).  Every change lands in the audit log in its own
transaction, with the fields before and after, whoever made it (an analyst through the API,
the CLI, or the one-time seed from the YAML files as ``seed``).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.orm import Session

from crawler.api import audit
from crawler.api.scope import Principal
from crawler.registry import channels as channel_store
from crawler.registry import works as store
from crawler.registry.works import ImportReport

if TYPE_CHECKING:
    from crawler.api.db import Database

TITLE_DETECTOR = "title_match"
SEEDER = Principal(None, "seed", "admin", (), "cli")
Kind = Literal["work", "channel"]
KINDS: tuple[Kind, ...] = ("work", "channel")
STORES: dict[str, ModuleType] = {"work": store, "channel": channel_store}


def seed_files(detectors_config: str | Path) -> tuple[Path, Path]:
    """The YAML works and channels files of the title detector under this detectors config."""
    from detectors.config import load_config
    from detectors.title.detector import TitleSettings, _path

    title = TitleSettings.model_validate(
        load_config(Path(detectors_config)).settings_for(TITLE_DETECTOR)
    )
    return _path(title.works, title.config_dir), _path(title.channels, title.config_dir)


def works_path(detectors_config: str | Path) -> Path:
    """The YAML works file of the title detector under this detectors config (the seed)."""
    return seed_files(detectors_config)[0]


def describe(kind: Kind, row_id: int, fields: dict[str, Any]) -> str:
    """How the audit log and the CLI name a row: 'work 3: Dune (2021)', 'channel 4: Canal+'."""
    if kind == "channel":
        return f"channel {row_id}: {fields['name']}"
    year = fields.get("year")
    return f"work {row_id}: {fields['title']}" + (f" ({year})" if year is not None else "")


def _auditor(session: Session, principal: Principal, kind: Kind) -> store.OnChange:
    def changed(row: Any, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        action = f"catalog.{kind}.{'add' if before is None else 'edit'}"
        audit.record(session, principal, action, target=describe(kind, row.id, after),
                     before=before, after=after)  # fmt: skip

    return changed


def seed(session: Session, path: Path, kind: Kind = "work") -> ImportReport | None:
    """Seed from the YAML file if this database's works (or channels) were never seeded."""
    seeder: Any = STORES[kind].seed
    report: ImportReport | None = seeder(session, path, SEEDER.username,
                                         _auditor(session, SEEDER, kind))  # fmt: skip
    return report


def ensure_seeded(db: Database, detectors_config: str | Path) -> dict[Kind, ImportReport]:
    """Seed whatever was never seeded (one cheap read when all was); the reports by kind.

    Raises on a broken detector config or seed file, naming it.
    """
    with db.reading() as session:
        due: list[Kind] = [kind for kind in KINDS if STORES[kind].seed_due(session)]
    if not due:
        return {}
    files = dict(zip(STORES, seed_files(detectors_config), strict=True))
    reports = {}
    with db.writing() as session:
        for kind in due:
            report = seed(session, files[kind], kind)
            if report is not None:
                reports[kind] = report
    return reports


def add(session: Session, principal: Principal, item: Any, kind: Kind = "work") -> Any:
    """Add ``item`` (``WorkConflict`` when its title and year, or name, are taken)."""
    module = STORES[kind]
    row = module.add(session, item, principal.username)
    _auditor(session, principal, kind)(row, None, module.fields_of(row))
    return row


def edit(session: Session, principal: Principal, row: Any, item: Any, kind: Kind = "work") -> bool:
    """Replace the fields of ``row``; False (and no audit entry) when nothing changes."""
    module = STORES[kind]
    before = module.fields_of(row)
    changed: bool = module.edit(session, row, item, principal.username)
    if changed:
        _auditor(session, principal, kind)(row, before, module.fields_of(row))
    return changed


def remove(session: Session, principal: Principal, row: Any, kind: Kind = "work") -> dict[str, Any]:
    """Remove ``row``; it as it was."""
    module = STORES[kind]
    before: dict[str, Any] = module.to_json(row)
    fields = module.fields_of(row)
    module.remove(session, row)
    audit.record(session, principal, f"catalog.{kind}.remove",
                 target=describe(kind, before["id"], fields), before=fields)  # fmt: skip
    return before


def import_file(
    session: Session, principal: Principal, path: Path, kind: Kind = "work"
) -> ImportReport:
    """Add or update the works (or channels) of a YAML file; its bad rows are counted, not
    fatal.  Raises ``detectors.base.DetectorError`` for a file that is not such a file."""
    module = STORES[kind]
    rows, errors = module.read_file(path)
    report = ImportReport(errors=errors)
    auditor = _auditor(session, principal, kind)
    module.import_rows(session, rows, principal.username, report, auditor)
    return report
