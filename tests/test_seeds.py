from pathlib import Path

import pytest

from crawler.seeds import SeedsError, read_seeds


def test_bad_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "seeds.txt"
    path.write_text("# comment\nhttp://flix.to/\n\nftp://old.example/\nnot a url\nhttps://b.cc/x\n")
    seeds = read_seeds(path)
    assert seeds.urls == ["http://flix.to/", "https://b.cc/x"]
    assert [s.split(": ")[0] for s in seeds.skipped] == [f"{path}:4", f"{path}:5"]


def test_empty_and_unreadable_files_are_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n")
    with pytest.raises(SeedsError, match="no http"):
        read_seeds(empty)
    with pytest.raises(SeedsError, match="cannot read seeds file"):
        read_seeds(tmp_path / "absent.txt")


def test_binary_garbage_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(b"\xff\xfe\x00\x01http://ok.to/\n\x80\x81\n" + b"A" * 100_000)
    with pytest.raises(SeedsError):
        read_seeds(path)
