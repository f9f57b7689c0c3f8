"""The protected (pay-TV) channels the ``title_match`` detector looks for in playlists and
pages, kept in the registry beside the works (:mod:`crawler.registry.works`).

Same rules as the works: every write bumps the one catalog version running detectors poll;
``config/catalog/channels.yaml`` is the seed (imported once, recorded in
``catalog_works_state.channels_seeded_at``) and the import format; a channel is known by its
name, case-folded.  Functions work in the caller's session; audit entries are the caller's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from crawler.registry import catalog_store as shared
from crawler.registry.models import TITLE_LEN, Base
from crawler.registry.works import no_controls, stripped

NAME_LEN = 200
CHANNEL_FIELDS = ("name", "owner", "aliases")
_Spelling = Annotated[str, Field(min_length=1, max_length=TITLE_LEN)]


class ChannelIn(BaseModel):
    """A protected channel as an analyst, an import file or the API gives it (validated)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=NAME_LEN)
    owner: str = Field("", max_length=200)
    aliases: list[_Spelling] = Field(default_factory=list, max_length=100)

    _stripped = field_validator("name")(stripped)
    _printable = field_validator("name", "owner", "aliases")(no_controls)


class CatalogChannel(shared.CatalogRow, Base):
    """One protected channel; ``match_key`` (its folded name) is unique."""

    __tablename__ = "catalog_channels"

    match_key: Mapped[str] = mapped_column(String(NAME_LEN), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    owner: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON)


def match_key(name: str) -> str:
    return " ".join(name.casefold().split())


def fields_of(row: CatalogChannel) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CHANNEL_FIELDS}


def to_json(row: CatalogChannel) -> dict[str, Any]:
    return {"id": row.id, **fields_of(row), "created_by": row.created_by,
            "created_at": row.created_at.isoformat(), "updated_by": row.updated_by,
            "updated_at": row.updated_at.isoformat(), "revision": row.revision}  # fmt: skip


def channels(session: Session) -> list[CatalogChannel]:
    return list(session.scalars(select(CatalogChannel).order_by(CatalogChannel.id)))


def find(session: Session, channel_id: int) -> CatalogChannel | None:
    return session.get(CatalogChannel, channel_id)


def find_key(session: Session, name: str) -> CatalogChannel | None:
    row: CatalogChannel | None = shared.by_key(session, CatalogChannel, match_key(name))
    return row


def _taken(other: CatalogChannel) -> str:
    return f"channel {other.name!r} is already #{other.id}"


def add(session: Session, channel: ChannelIn, actor: str) -> CatalogChannel:
    """Add ``channel``; WorkConflict when a channel of that name exists."""
    key = match_key(channel.name)
    row: CatalogChannel = shared.insert(session, CatalogChannel, channel, key, channel.name,
                                        actor, _taken)  # fmt: skip
    return row


def edit(session: Session, row: CatalogChannel, channel: ChannelIn, actor: str) -> bool:
    """Replace the fields of ``row``; False when nothing changes."""
    key = match_key(channel.name)
    return shared.restamp(session, row, channel, key, channel.name, actor, _taken)


remove = shared.delete


def read_file(path: Any) -> tuple[list[ChannelIn], list[str]]:
    """The valid channels of a YAML channels file and one message per invalid or repeated
    row (DetectorError for a file that is not a channels file at all)."""
    from detectors.title.catalog import read_rows

    rows, errors = read_rows(path, "channels", ChannelIn)
    kept = shared.first_of_each(
        rows, errors, lambda channel: match_key(channel.name),
        lambda position, channel, first: f"channels #{position} ({channel.name[:80]!r}): "
        f"the same name as channels #{first}",
    )  # fmt: skip
    return kept, errors


def import_channels(
    session: Session, rows: list[ChannelIn], actor: str, report: shared.ImportReport,
    on_change: shared.OnChange | None = None,
) -> None:  # fmt: skip
    """Add each row, or update the channel of the same name when it differs."""
    shared.import_each(rows, report, on_change, fields_of=fields_of,
                       label=lambda item: item.name,
                       find=lambda item: find_key(session, item.name),
                       add=lambda item: add(session, item, actor),
                       edit=lambda row, item: edit(session, row, item, actor))  # fmt: skip


def seed_due(session: Session) -> bool:
    state = shared.CatalogWorksState
    query = select(state.channels_seeded_at).where(state.id == shared.STATE_ID)
    return session.scalar(query) is None


def seed(
    session: Session, path: Any, actor: str, on_change: shared.OnChange | None = None
) -> shared.ImportReport | None:
    """Import ``path`` if this database's channels were never seeded (None when they were)."""
    if shared.lock_state(session).channels_seeded_at is not None:
        return None
    rows, errors = read_file(path)
    report = shared.ImportReport(errors=errors)
    import_channels(session, rows, actor, report, on_change)
    shared.lock_state(session).channels_seeded_at = datetime.now(UTC)
    return report


import_rows = import_channels  # the name crawler.api.works calls for works and channels alike
