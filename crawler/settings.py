"""Scrapy settings for the I-SOP project (``scrapy.cfg`` points here).

Only what does not depend on the user's configuration lives here; everything derived from
``config/`` and ``ISOP_*`` is set by :class:`crawler.addon.IsopAddon` at "addon" priority.
"""

BOT_NAME = "isop"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

ADDONS = {"crawler.addon.IsopAddon": 0}

# Enforcement crawls read pages that their operators would rather hide; robots.txt is a
# request of the site owner, not a legal limit, and pirate sites use it to hide mirrors.
ROBOTSTXT_OBEY = False
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
DEPTH_PRIORITY = 0
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
