"""Detectors: plugins that turn fetched content into scored, explained signals and a verdict.

Public API: ``detectors.base`` (Content, Signal, Verdict, Detector, Example, DetectorError),
``detectors.registry`` (DetectorRegistry, REGISTRY), ``detectors.pipeline``
(DetectionPipeline). Rules, vocabularies, weights and thresholds live in ``config/``.
"""
