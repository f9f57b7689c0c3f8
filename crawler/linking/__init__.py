"""Linking: recognise that a "new" domain is a known site that hopped, and say what proves it.

Identifiers shared between pages (analytics and ad IDs, wallets, handles, e-mails, panel hosts),
redirects, favicon hashes and page templates link a domain to a known site
(:mod:`crawler.linking.link`, supporting proofs in :mod:`crawler.linking.supporting`);
evidence that arrives after a domain's first page (its favicon, a redirect to it) re-decides
it (:mod:`crawler.linking.relink`).  :mod:`crawler.linking.hops` guesses where a site will hop
next, from the name transforms of :mod:`crawler.linking.mutations` and priors fitted on real
hop history (:mod:`crawler.linking.hop_priors`, :mod:`crawler.linking.tlds`).
"""
