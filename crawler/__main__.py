"""``python -m crawler`` runs the ``isop`` command."""

from crawler.cli import main

main()
