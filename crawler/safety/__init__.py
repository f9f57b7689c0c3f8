"""Safety of a crawler that follows criminals' links: no media payloads, size caps, budgets
against traps, canonical URLs, SSRF refusal and credential redaction, as Scrapy components.
"""
