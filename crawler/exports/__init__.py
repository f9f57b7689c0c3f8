"""Exports for partners: CSV and JSON Lines of sites and domains, STIX 2.1 bundles."""
