"""Image detectors: perceptual hashing, the Hamming index, and the ``image_phash`` plugin.

Importing ``detectors.image.detector`` registers ``image_phash``; list it under ``plugins`` in
``config/detectors.yaml`` (importing this package alone stays light for the hashing tools).
"""
