"""Images in the crawl: which ones a page shows that are worth matching (:mod:`.finder`), their
requests and items (:mod:`.fetch`), and their judgement, linking and evidence (:mod:`.pipeline`).
"""
