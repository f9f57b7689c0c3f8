"""The protected works (titles the ``title_match`` detector looks for), changed by people.

The works live in the registry database (:mod:`crawler.registry.works`): the API and
``isop works`` write them there, and running crawlers reload them within seconds (no file
to rewrite, so a read-only config mount is no obstacle).  Every change lands in the audit
log in its own transaction, with the work's fields before and after, whoever made it (an
analyst through the API, the CLI, or the one-time seed from the YAML file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from crawler.api import audit
from crawler.api.scope import Principal
from crawler.registry import works as store
from crawler.registry.works import CatalogWork, ImportReport, WorkIn

TITLE_DETECTOR = "title_match"
SEEDER = Principal(None, "seed", "admin", (), "cli")


def works_path(detectors_config: str | Path) -> Path:
    """The YAML works file of the title detector under this detectors config (the seed)."""
    from detectors.config import load_config
    from detectors.title.detector import TitleSettings, _path

    title = TitleSettings.model_validate(
        load_config(Path(detectors_config)).settings_for(TITLE_DETECTOR)
    )
    return _path(title.works, title.config_dir)


def _target(fields: dict[str, Any]) -> str:
    year = fields.get("year")
    return f"{fields['title']} ({year})" if year is not None else str(fields["title"])


def _auditor(session: Session, principal: Principal) -> store.OnChange:
    def changed(row: CatalogWork, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        action = "catalog.work.add" if before is None else "catalog.work.edit"
        audit.record(session, principal, action, target=f"work {row.id}: {_target(after)}",
                     before=before, after=after)  # fmt: skip

    return changed


def seed(session: Session, path: Path) -> ImportReport | None:
    """Seed from the YAML file if this database's works were never seeded (else None)."""
    return store.seed(session, path, SEEDER.username, _auditor(session, SEEDER))


def add(session: Session, principal: Principal, work: WorkIn) -> CatalogWork:
    """Add ``work`` (``WorkConflict`` when its title and year are taken)."""
    row = store.add(session, work, principal.username)
    _auditor(session, principal)(row, None, store.fields_of(row))
    return row


def edit(session: Session, principal: Principal, row: CatalogWork, work: WorkIn) -> bool:
    """Replace the fields of ``row``; False (and no audit entry) when nothing changes."""
    before = store.fields_of(row)
    changed = store.edit(session, row, work, principal.username)
    if changed:
        _auditor(session, principal)(row, before, store.fields_of(row))
    return changed


def remove(session: Session, principal: Principal, row: CatalogWork) -> dict[str, Any]:
    """Remove ``row``; the work as it was."""
    before = store.to_json(row)
    store.remove(session, row)
    audit.record(session, principal, "catalog.work.remove",
                 target=f"work {before['id']}: {_target(before)}",
                 before=store.fields_of(row))  # fmt: skip
    return before


def import_file(session: Session, principal: Principal, path: Path) -> ImportReport:
    """Add or update the works of a YAML works file; its bad rows are counted, not fatal.

    Raises ``detectors.base.DetectorError`` for a file that is not a works file at all.
    """
    rows, errors = store.read_file(path)
    report = ImportReport(errors=errors)
    store.import_works(session, rows, principal.username, report, _auditor(session, principal))
    return report
