from dataclasses import dataclass

from crawler.evaluation import evaluate


@dataclass
class T:
    domain: str
    infringing: bool
    kind: str | None
    live: bool = True


def test_precision_recall_and_dead_sites() -> None:
    truth = [
        T("a.to", True, "index"),
        T("b.to", True, "streaming"),
        T("dead.to", True, "index", live=False),
        T("news.com", False, None),
    ]
    result = evaluate({"a.to": "index", "b.to": "iptv", "news.com": None, "x.cc": None}, truth)
    assert sorted(result.true_positives) == ["a.to", "b.to"]
    assert sorted(result.false_positives) == ["news.com", "x.cc"]
    assert result.unreachable == ["dead.to"]
    assert result.missed == []
    assert result.precision == 0.5
    assert result.recall == 1.0
    assert result.wrong_kind == ["b.to (iptv, truth streaming)"]


def test_nothing_flagged_has_zero_recall() -> None:
    result = evaluate({}, [T("a.to", True, "index")])
    assert result.recall == 0.0
    assert result.precision == 1.0
    assert result.missed == ["a.to"]
