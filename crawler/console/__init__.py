"""The analysts' and coordinators' web console: server-rendered Jinja2 pages, no build step.

Everything scraped from pirate pages is hostile: templates autoescape, links to pirate
hosts are shown as copyable text (never ``href``), and the CSP allows only our own script.
"""
