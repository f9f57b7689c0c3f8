"""Evidence that stands up: WARC captures of flagged pages, a hash chain over them, case files."""
