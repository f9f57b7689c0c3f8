"""The check types page rules may use (``check: {type: ...}``), validated from config.

Each model is the data an analyst writes; ``page_checks`` compiles it into a matcher.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from detectors.heuristic.rules import CheckBase


class TermsCheck(CheckBase):
    """Distinct phrases (per language) found in the visible text or the title."""

    type: Literal["terms"]
    terms: dict[str, list[str]]
    field: Literal["text", "title"] = "text"


class RegexCheck(CheckBase):
    """Distinct regex matches; on ``text``/``title`` patterns see folded (lower, unaccented).

    ``raw_text`` is the visible text as written (for case-sensitive things like addresses).
    """

    type: Literal["regex"]
    patterns: list[str]
    field: Literal["text", "raw_text", "title", "html", "scripts", "urls"] = "text"
    case_sensitive: bool = False


class NumberCheck(CheckBase):
    """Numbers captured as ``(?P<n>...)`` that reach ``min_value`` ("20,000 channels").

    A pattern may also capture ``(?P<k>k)`` for thousands written "20k". ``near`` lists words
    (folded) the number must be close to; only windows around them are searched, which keeps
    digit-heavy pages cheap.
    """

    type: Literal["number"]
    patterns: list[str]
    min_value: float
    near: list[str] = Field(default_factory=list)
    window: int = Field(default=60, ge=1, le=1000)


class UrlsCheck(CheckBase):
    """Distinct URLs from some places (``sources``) that match hosts and/or a pattern.

    ``exclusive``: fire only when *every* URL from those sources matches (e.g. the only embeds
    on the page are YouTube trailers).
    """

    type: Literal["urls"]
    sources: list[str] | None = None
    hosts: list[str] = Field(default_factory=list)
    exclude_hosts: list[str] = Field(default_factory=list)
    pattern: str | None = None
    third_party: bool = False
    exclusive: bool = False


class ReleaseNamesCheck(CheckBase):
    """Short texts carrying scene-style tags from at least ``min_groups`` tag groups."""

    type: Literal["release_names"]
    tags: dict[str, list[str]]
    min_groups: int = Field(default=2, ge=1)
    required: list[str] = Field(default_factory=list)


class XPathCheck(CheckBase):
    """Number of expressions that match at least one node (structure, not words)."""

    type: Literal["xpath"]
    expressions: list[str]


class SchemaTypesCheck(CheckBase):
    """schema.org / Open Graph types declared by the page (JSON-LD, microdata, og:type)."""

    type: Literal["schema_types"]
    types: list[str]


class GroupsCheck(CheckBase):
    """Independent cues that must co-occur: counts how many sub-checks fire.

    ``required`` names groups that must be among those firing, or the check counts nothing.
    """

    type: Literal["groups"]
    groups: dict[str, dict[str, Any]]
    required: list[str] = Field(default_factory=list)


PageCheck = Annotated[
    TermsCheck
    | RegexCheck
    | NumberCheck
    | UrlsCheck
    | ReleaseNamesCheck
    | XPathCheck
    | SchemaTypesCheck
    | GroupsCheck,
    Field(discriminator="type"),
]
ADAPTER: TypeAdapter[PageCheck] = TypeAdapter(PageCheck)
