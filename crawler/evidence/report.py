"""The human-readable report of a case file: one HTML page, everything scraped escaped.

Jinja2 with autoescape on: page titles, URLs, explanations and signal evidence come from
hostile sites and are shown as text, never as markup; scraped URLs are never made links.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, StrictUndefined

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self'">
<title>I-SOP case file: {{ case.domain }}</title>
<style>
body{font-family:sans-serif;margin:2em;max-width:80em} table{border-collapse:collapse;width:100%}
td,th{border:1px solid #bbb;padding:.3em;vertical-align:top;text-align:left;font-size:.9em}
code{word-break:break-all} .bad{color:#a00;font-weight:bold} .ok{color:#070;font-weight:bold}
figure{margin:0} figure img{max-width:320px;height:auto;border:1px solid #bbb}
</style></head><body>
<h1>Case file: {{ case.domain }}</h1>
<p>Generated {{ case.generated_at }} by {{ case.generated_by }}.</p>
<h2>Integrity</h2>
{% if case.chain.ok %}
<p class="ok">Evidence chain verified: {{ case.chain.checked }} records, no problem.</p>
{% else %}
<p class="bad">Evidence chain NOT intact: {{ case.chain.total_problems }} problem(s).</p>
<ul>{% for p in case.chain.problems %}<li>{{ p }}</li>{% endfor %}</ul>
{% endif %}
<p>Chain head: <code>{{ case.chain.head }}</code><br>
WARC file <code>{{ files.warc }}</code> SHA-256 <code>{{ files.warc_sha256 }}</code></p>
<h2>Site</h2>
{% if site %}<table>{% for k, v in site.items() %}
<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
{% else %}<p>No site in the registry for this domain.</p>{% endif %}
<h2>Domains and how each was linked</h2>
<table><tr><th>domain</th><th>role</th><th>proof</th><th>first seen</th><th>last seen</th></tr>
{% for d in domains %}<tr><td>{{ d.domain }}</td><td>{{ d.role }}</td><td>{{ d.how_linked }}</td>
<td>{{ d.first_seen }}</td><td>{{ d.last_seen }}</td></tr>{% endfor %}</table>
{% for name, rows in history.items() if rows %}
<h2>History: {{ name }}</h2>
<table><tr>{% for k in rows[0].keys() %}<th>{{ k }}</th>{% endfor %}</tr>
{% for r in rows %}<tr>{% for v in r.values() %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}
</table>{% endfor %}
{% if images %}
<h2>Matched images ({{ images|length }})</h2>
<p>Each image the site showed that matched a protected work, beside the catalog reference it
matched. Both thumbnails were re-encoded by I-SOP; the image's bytes as fetched are in the
case WARC.</p>
<table class="pairs"><tr><th>shown by the site</th><th>catalog reference</th><th>match</th></tr>
{% for i in images %}<tr id="image-{{ i.id }}">
<td><figure>{% if i.thumbnail %}<img src="{{ i.thumbnail.path }}" alt="image #{{ i.id }}">
<figcaption>SHA-256 <code>{{ i.thumbnail.sha256 }}</code></figcaption>{% else %}no thumbnail:
 {{ i.thumbnail_error }}{% endif %}</figure></td>
<td><figure>{% if i.reference_thumbnail %}<img src="{{ i.reference_thumbnail.path }}"
 alt="reference #{{ i.match.reference }}"><figcaption>SHA-256
 <code>{{ i.reference_thumbnail.sha256 }}</code></figcaption>{% else %}no reference
 thumbnail{% endif %}</figure></td>
<td>{{ i.match.kind }} of <strong>{{ i.match.work }}</strong> (catalog {{ i.match.catalog }},
 reference #{{ i.match.reference }}, {{ i.match.source }})<br>
 {{ i.match.hash }} distance {{ i.match.distance }}{% if i.match.dhash_distance is not none %},
 dHash {{ i.match.dhash_distance }}{% endif %}; score {{ "%.3f"|format(i.match.score) }}<br>
 {{ i.role }} <code>{{ i.image_url }}</code> shown on <code>{{ i.page_url }}</code>,
 fetched {{ i.fetched_at }}<br>image SHA-256 <code>{{ i.image_sha256 }}</code><br>
 {% if i.capture_id %}capture #{{ i.capture_id }}{% if i.warc_case_offset is not none %}, at
 byte {{ i.warc_case_offset }} of the case WARC{% endif %}{% else %}no WARC capture{% endif %}
</td></tr>{% endfor %}</table>
{% endif %}
<h2>Captured pages ({{ captures|length }})</h2>
{% for c in captures %}
<h3>#{{ c.id }} <code>{{ c.url }}</code></h3>
<table>
<tr><th>fetched</th><td>{{ c.fetched_at }} by {{ c.crawler }}</td></tr>
<tr><th>HTTP</th><td>{{ c.http_status }} {{ c.content_type }};
 address {{ c.ip_address or "unknown" }}</td></tr>
<tr><th>redirects</th><td>{% for u in c.redirect_chain %}<code>{{ u }}</code> &rarr;
 {% endfor %}<code>{{ c.url }}</code></td></tr>
<tr><th>verdict</th><td>score {{ "%.3f"|format(c.score) }}, kind {{ c.kind or "-" }}:
 {{ c.explanation }}</td></tr>
<tr><th>body SHA-256</th><td><code>{{ c.payload_sha256 }}</code></td></tr>
<tr><th>WARC</th><td>bytes {{ c.warc.case_offset }}+{{ c.warc.length }} of the case WARC,
 SHA-256 <code>{{ c.warc.sha256 }}</code></td></tr>
<tr><th>record hash</th><td><code>{{ c.record_hash }}</code>
 (previous <code>{{ c.prev_hash }}</code>)</td></tr>
</table>
<table><tr><th>detector</th><th>signal</th><th>score</th><th>evidence</th></tr>
{% for s in c.signals %}<tr><td>{{ s.get("detector", "") }}</td><td>{{ s.get("name", "") }}</td>
<td>{{ s.get("score", "") }}</td><td>{{ s.get("evidence", "") }}</td></tr>{% endfor %}</table>
{% endfor %}
</body></html>
"""

_ENV = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)


def render_report(manifest: dict[str, Any]) -> str:
    """The report page for a case manifest (see ``crawler.evidence.case``)."""
    return _ENV.from_string(TEMPLATE).render(**manifest)
