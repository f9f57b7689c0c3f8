"""Monitoring of registered sites: what a front page says (up, parked, seized, moved), hop
candidates to probe when a site goes down, and the metrics of checks."""
