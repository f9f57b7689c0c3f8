"""Site templates, by the name the roster uses."""

from __future__ import annotations

from collections.abc import Callable

from . import (
               ddl,
               iptv,
               legit_fast,
               legit_media,
               legit_tech,
               legit_tv,
               news,
               sport,
               streaming,
               torrent,
               videohost,
)
from .base import SiteContext

Builder = Callable[[SiteContext], None]

BUILDERS: dict[str, Builder] = {
    "torrent_table": torrent.build_table,
    "torrent_grid": torrent.build_grid,
    "torrent_board": torrent.build_board,
    "ddl_blog": ddl.build_blog,
    "ddl_portal": ddl.build_portal,
    "stream_grid": streaming.build_grid,
    "stream_list": streaming.build_list,
    "stream_board": streaming.build_board,
    "sport_schedule": sport.build,
    "video_host": videohost.build,
    "iptv_shop": iptv.build_shop,
    "iptv_lists": iptv.build_lists,
    "xtream_panel": iptv.build_panel,
    "news": news.build,
    "linux_distro": legit_tech.build_distro,
    "os_mirror": legit_tech.build_mirror,
    "torrent_client": legit_tech.build_client,
    "media_player": legit_tech.build_player,
    "forum": legit_tech.build_forum,
    "svod": legit_media.build_svod,
    "review_blog": legit_media.build_review,
    "film_db": legit_media.build_filmdb,
    "cinema_chain": legit_media.build_cinema,
    "pd_archive": legit_media.build_pd,
    "music_archive": legit_media.build_music,
    "fta_list": legit_tv.build_fta,
    "tv_guide": legit_tv.build_guide,
    "isp_tv": legit_tv.build_isp,
    "sports_league": legit_tv.build_league,
    "antipiracy_org": legit_tv.build_antipiracy,
    "parked": legit_tv.build_parked,
    "fast_service": legit_fast.build,
}
