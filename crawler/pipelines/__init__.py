"""Item pipelines: detect -> registry (ordered in ``crawler.addon``)."""
