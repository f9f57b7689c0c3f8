"""The shared frontier: requests in Redis as JSON, deduplicated by Scrapy's own fingerprints."""
