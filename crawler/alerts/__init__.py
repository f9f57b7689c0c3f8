"""Alerts to coordinators: an outbox written with the change, delivered later through Apprise."""
