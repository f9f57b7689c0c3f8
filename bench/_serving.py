"""A helper process that prints its URL as the first line of stdout, stopped on exit."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def url_process(command: list[str], what: str) -> Iterator[tuple[str, int]]:
    """Start ``command``; yield (the URL it printed first, its pid); stop it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"{what} did not start (exit {process.poll()})")
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
