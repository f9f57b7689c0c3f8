"""HTML building blocks shared by the templates: escaping, document shell, ads and analytics.

Analytics and ad-zone ids are derived from the operation (not the domain), so mirrors and new
domains of one operation share them, as they do in the wild.
"""

from __future__ import annotations

from html import escape

from . import rand

AD_NETWORKS = ("poprevenue.net", "clickvortexads.com", "cpmhaven.com", "pushnotifyads.com",
               "adzillion.io", "bannerfuel.net")


def esc(text: object) -> str:
    """Escape text for HTML element content and attribute values."""
    return escape(str(text), quote=True)


def doc(lang: str, title: str, body: str, *, head: str = "", description: str = "",
        canonical: str | None = None, css: str = "", og_image: str | None = None,
        body_class: str = "", generator: str | None = None) -> str:
    """A complete HTML5 document."""
    meta = ['<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}</title>"]
    if description:
        meta.append(f'<meta name="description" content="{esc(description)}">')
        meta.append(f'<meta property="og:description" content="{esc(description)}">')
    meta.append(f'<meta property="og:title" content="{esc(title)}">')
    if og_image:
        meta.append(f'<meta property="og:image" content="{esc(og_image)}">')
    if generator:
        meta.append(f'<meta name="generator" content="{esc(generator)}">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{esc(canonical)}">')
    meta.append('<link rel="icon" href="/favicon.ico" type="image/x-icon">')
    if css:
        meta.append(f"<style>{css}</style>")
    cls = f' class="{esc(body_class)}"' if body_class else ""
    return ("<!DOCTYPE html>\n"
            f'<html lang="{esc(lang)}">\n<head>\n' + "\n".join(meta) + "\n" + head +
            f"\n</head>\n<body{cls}>\n{body}\n</body>\n</html>\n")


def gtag(measurement_id: str) -> str:
    """Google Analytics 4 snippet."""
    return (f'<script async src="https://www.googletagmanager.com/gtag/js?id={measurement_id}">'
            "</script>\n<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer."
            f"push(arguments);}}gtag('js',new Date());gtag('config','{measurement_id}');</script>")


def histats(counter: int) -> str:
    """Histats counter, common on pirate sites."""
    return ("<script type=\"text/javascript\">var _Hasync=_Hasync||[];"
            f"_Hasync.push(['Histats.start','1,{counter},4,0,0,0,00010000']);"
            "_Hasync.push(['Histats.fasi','1']);_Hasync.push(['Histats.track_hits','']);"
            "(function(){var hs=document.createElement('script');hs.type='text/javascript';"
            "hs.async=true;hs.src=('//s10.histats.com/js15_as.js');"
            "(document.getElementsByTagName('head')[0]||document.getElementsByTagName('body')[0])"
            ".appendChild(hs);})();</script>\n"
            f'<noscript><a href="/" target="_blank"><img src="//sstatic1.histats.com/0.gif?'
            f'{counter}&101" alt="" border="0"></a></noscript>')


def yandex_metrika(counter: int) -> str:
    """Yandex Metrika tag."""
    return ("<script type=\"text/javascript\">(function(m,e,t,r,i,k,a){m[i]=m[i]||function(){"
            "(m[i].a=m[i].a||[]).push(arguments)};m[i].l=1*new Date();k=e.createElement(t),"
            "a=e.getElementsByTagName(t)[0],k.async=1,k.src=r,a.parentNode.insertBefore(k,a)})"
            "(window,document,\"script\",\"https://mc.yandex.ru/metrika/tag.js\",\"ym\");"
            f'ym({counter},"init",{{clickmap:true,trackLinks:true,accurateTrackBounce:true}});'
            "</script>")


def pirate_tracking(seed: int, site: str) -> str:
    """Analytics of a pirate operation: GA4 plus Histats or Yandex, ids shared by its domains."""
    ga = "G-" + rand.alnum(seed, "ga", site, n=10, upper=True).upper()
    parts = [gtag(ga)]
    if rand.stable_int(seed, "counter-kind", site, lo=0, hi=1):
        parts.append(histats(rand.stable_int(seed, "histats", site, lo=4_000_000, hi=4_999_999)))
    else:
        parts.append(yandex_metrika(rand.stable_int(seed, "ym", site, lo=80_000_000,
                                                    hi=99_999_999)))
    return "\n".join(parts)


def pirate_ads(seed: int, site: str, *, popunder: bool = True) -> str:
    """Ad and popunder scripts from ad networks; zone ids are per operation."""
    r = rand.rng(seed, "ads", site)
    nets = r.sample(AD_NETWORKS, 2)
    zone = r.randint(1_000_000, 9_999_999)
    key = rand.hexid(seed, "adkey", site, n=32)
    out = [f'<script type="text/javascript" src="//pl{zone % 100000}.{nets[0]}/'
           f'{key[:2]}/{key[2:4]}/{key[4:6]}/{key}.js"></script>']
    if popunder:
        out.append("<script data-cfasync=\"false\">(function(s,u,z,p){s.src=u,"
                   "s.setAttribute('data-zone',z),p.appendChild(s);})(document.createElement("
                   f"'script'),'https://{nets[1]}/tag.min.js',{zone},document.body||"
                   "document.documentElement)</script>")
    return "\n".join(out)


def banner_ad(seed: int, site: str, slot: str) -> str:
    """A 728x90 / 300x250 style ad slot iframe pointing at an ad network."""
    net = rand.rng(seed, "banner", site).choice(AD_NETWORKS)
    zone = rand.stable_int(seed, "bz", site, slot, lo=100_000, hi=999_999)
    return (f'<div class="ad-slot ad-{esc(slot)}"><iframe data-aa="{zone}" '
            f'src="//ad.{net}/iframe?zone={zone}" style="width:728px;height:90px;border:0;'
            'padding:0;overflow:hidden" scrolling="no"></iframe></div>')


def legit_tracking(seed: int, site: str) -> str:
    """A legitimate site's analytics: GA4 only."""
    return gtag("G-" + rand.alnum(seed, "ga", site, n=10, upper=True).upper())


def links_list(items: list[tuple[str, str]], cls: str = "") -> str:
    """A <ul> of links."""
    c = f' class="{esc(cls)}"' if cls else ""
    return f"<ul{c}>" + "".join(
        f'<li><a href="{esc(u)}">{esc(t)}</a></li>' for t, u in items) + "</ul>"


def pager(base: str, current: int, total: int, fmt: str, labels: tuple[str, str],
          cls: str = "pagination") -> str:
    """Numbered pagination; ``fmt`` builds the path of page n (page 1 is ``base``)."""
    def url(n: int) -> str:
        return base if n == 1 else fmt.format(n=n)
    items = []
    if current > 1:
        items.append(f'<a class="prev" href="{esc(url(current - 1))}">&laquo; {esc(labels[0])}</a>')
    for n in range(1, total + 1):
        if n == current:
            items.append(f'<span class="current">{n}</span>')
        else:
            items.append(f'<a href="{esc(url(n))}">{n}</a>')
    if current < total:
        items.append(f'<a class="next" href="{esc(url(current + 1))}">{esc(labels[1])} &raquo;</a>')
    return f'<div class="{esc(cls)}">' + " ".join(items) + "</div>"
