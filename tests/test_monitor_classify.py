"""What a check's answer means: seizure and parking banners (multilingual, data-driven),
moves, outages; and the text fingerprint that tells a changed page from a new counter."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import CONFIG_DIR, ConfigError
from crawler.monitoring.classify import Banners, classify, fingerprint, load_banners, visible_text
from crawler.monitoring.hops import same_site_proof


@pytest.fixture(scope="module")
def banners() -> Banners:
    return load_banners(CONFIG_DIR / "monitor_banners.yaml")


def outcome(banners: Banners, html: str, status: int | None = 200, final: str = "a.to") -> str:
    text = visible_text(html)
    return classify(banners, domain="a.to", http_status=status, final_domain=final,
                    text=text).outcome  # fmt: skip


@pytest.mark.parametrize(
    "html",
    [
        "<h1>THIS DOMAIN HAS BEEN SEIZED</h1>",
        "<p>This website has been seized by the Federal Bureau of Investigation</p>",
        "<p>Ce nom de domaine a été saisi par la Gendarmerie nationale.</p>",
        "<div>Diese Domain wurde vom Bundeskriminalamt beschlagnahmt.</div>",
        "<p>Este dominio ha sido incautado por la Guardia Civil</p>",
        "<p>Il sito sottoposto a sequestro dalla Guardia di Finanza</p>",
        "<p>Este domínio foi apreendido pela Polícia Federal</p>",
        "<p>Deze domeinnaam is in beslag genomen door de FIOD</p>",
        "<p>Homeland Security Investigations: seizure of this site</p>",
    ],
)
def test_seizure_banners_in_several_languages(banners: Banners, html: str) -> None:
    assert outcome(banners, html) == "seized"
    assert outcome(banners, html, status=451) == "seized"


@pytest.mark.parametrize(
    "html",
    [
        "<p>News: a piracy site was seized last week.</p>",  # one weak word is not a banner
        "<script>var s='this domain has been seized'</script><p>Latest films</p>",  # not shown
        "<p>Download movies in 1080p</p>",
    ],
)
def test_live_pages_are_not_seized(banners: Banners, html: str) -> None:
    assert outcome(banners, html) == "up"


def test_parking_moves_and_outages(banners: Banners) -> None:
    assert outcome(banners, "<h1>This domain is for sale!</h1>") == "parked"
    assert outcome(banners, "<h1>Ce domaine est à vendre</h1>") == "parked"
    assert outcome(banners, "<p>welcome</p>", final="sedo.com") == "parked"
    moved = classify(banners, domain="a.to", http_status=200, final_domain="b.cc", text="hi")
    assert (moved.outcome, moved.moved_to) == ("moved", "b.cc")
    assert outcome(banners, "<p>Not found</p>", status=404) == "down"
    assert outcome(banners, "<p>Bad gateway</p>", status=502) == "down"
    assert outcome(banners, "<p>Checking your browser</p>", status=403) == "up"
    down = classify(banners, domain="a.to", http_status=None, final_domain=None, text="",
                    error="ConnectionRefusedError")  # fmt: skip
    assert down.outcome == "down" and "ConnectionRefusedError" in down.why


def test_fingerprint_ignores_counters_but_not_content() -> None:
    page = "<p>12,345 users online. Latest: Movie A, Movie B</p>"
    same = "<p>12,399 users online. Latest: Movie A, Movie B</p>"
    new = "<p>12,345 users online. Latest: Movie C, Movie B</p>"
    assert fingerprint(visible_text(page)) == fingerprint(visible_text(same))
    assert fingerprint(visible_text(page)) != fingerprint(visible_text(new))


def test_hostile_input_is_bounded(banners: Banners) -> None:
    junk = "<" * 3_000_000 + "\x00\xff" + "<title>" * 1000
    assert len(visible_text(junk)) <= 200_000
    assert outcome(banners, junk) == "up"


def test_a_broken_rule_file_names_the_rule(tmp_path: Path) -> None:
    bad = tmp_path / "banners.yaml"
    bad.write_text("seized:\n  - {lang: en, pattern: '(unclosed'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"banners.yaml: seized rule 1"):
        load_banners(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_banners(tmp_path / "missing.yaml")


def test_hop_proofs() -> None:
    args = {"origin": "yts.mx", "candidate": "yts.lt", "reference_fingerprint": "f1"}
    assert same_site_proof(**args, reference_title=None, fingerprint="f1", title=None) == (
        "same-content"
    )
    proof = same_site_proof(**args, reference_title="YTS.MX - Download movies",
                            fingerprint="f2", title="YTS.LT - Download movies")  # fmt: skip
    assert proof == "same-title"
    assert same_site_proof(**args, reference_title="Home", fingerprint="f2", title="Home") is None
    assert same_site_proof(**args, reference_title="YTS.MX - Download movies",
                           fingerprint="f2", title="Domain for sale") is None  # fmt: skip


def test_the_spider_schedules_with_the_frontiers_due_key() -> None:
    from crawler.frontier.scheduler import DUE_META
    from crawler.monitoring.setup import DUE_META as SPIDER_DUE_META

    assert SPIDER_DUE_META == DUE_META
