"""Linking: recognise that a "new" domain is a known site that hopped, and say what proves it.

Identifiers shared between pages (analytics and ad IDs, wallets, handles, e-mails, panel hosts),
redirects, favicon hashes and page templates link a domain to a known site
(:mod:`crawler.linking.link`); :mod:`crawler.linking.hops` guesses where a site will hop next.
"""
