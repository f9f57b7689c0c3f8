"""The registry's HTTP API (FastAPI, under ``/api/v1``): accounts, roles, scopes and audit.

Import ``crawler.api.app.create_app`` to build the application; this package's own import is
kept light because the registry migrations import ``crawler.api.models``.
"""
