"""Scrapy extensions of the crawler that are not part of crawling itself (metrics, health)."""
