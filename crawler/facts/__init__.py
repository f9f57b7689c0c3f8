"""Typed spider items as the detectors and the registry see them.

:mod:`crawler.facts.content` turns an item into the detector :class:`~detectors.base.Content`
of its kind (typed, not re-serialised); :mod:`crawler.facts.record` turns it into one registry
observation (natural key, compact facts). :mod:`crawler.pipelines.facts` runs both.
"""
