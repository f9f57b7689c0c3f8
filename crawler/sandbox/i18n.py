"""User-interface words of pirate and legitimate sites, in the six languages of the web.

Pirate sites speak the way they do in the wild ("regarder gratuitement", "nonton gratis",
"무료 다시보기"); the words are data so that every template can be rendered in any language.
"""

from __future__ import annotations

_EN = {
    "torrent_tag": "Free Movie & TV Torrents - Magnet Download",
    "ddl_tag": "Scene releases - direct download links",
    "home": "Home", "movies": "Movies", "series": "TV Shows", "anime": "Anime", "latest": "Latest",
    "popular": "Popular", "top": "Top 100", "search": "Search",
    "search_ph": "Search movies, shows...",
    "download": "Download", "seeders": "Seeders", "leechers": "Leechers", "size": "Size",
    "uploaded": "Uploaded", "uploader": "Uploader", "category": "Category", "name": "Name",
    "magnet": "Magnet Download", "torrent_file": "Download Torrent", "quality": "Quality",
    "language": "Language", "genre": "Genre", "year": "Year", "duration": "Duration",
    "synopsis": "Plot", "server": "Server", "trailer": "Trailer", "episodes": "Episodes",
    "episode": "Episode", "season": "Season", "watch": "Watch {t} Online Free",
    "watch_short": "Watch Now", "free_tag": "Watch movies online free in HD, no sign up",
    "next": "Next", "prev": "Previous", "page": "Page", "related": "You may also like",
    "our_domains": "Our official domains", "partners": "Partner sites", "dmca": "DMCA",
    "contact": "Contact", "faq": "FAQ", "report": "Report broken link",
    "disclaimer": "This site does not store any files on its server. All contents are provided "
                  "by non-affiliated third parties.",
    "bookmark": "Bookmark our domain, if blocked use our mirror:", "comments": "Comments",
    "live": "Live", "today": "Today's matches", "schedule": "Schedule", "channels": "channels",
    "plans": "Pricing", "buy": "Buy Now", "free_trial": "Free 24h Trial", "months": "Months",
    "month": "Month", "anti_freeze": "Anti-freeze technology", "setup": "Setup Guide",
    "devices": "Works on all devices", "support": "24/7 Support", "vod": "Movies & Series VOD",
    "links": "Download links", "password": "Password", "views": "views",
}

_FR = {
    "torrent_tag": "Télécharger films et séries en torrent gratuitement",
    "ddl_tag": "Téléchargement direct gratuit de films et séries",
    "home": "Accueil", "movies": "Films", "series": "Séries", "anime": "Animes",
    "latest": "Derniers ajouts", "popular": "Populaires", "top": "Top 100", "search": "Rechercher",
    "search_ph": "Rechercher un film, une série...", "download": "Télécharger",
    "seeders": "Sources", "leechers": "Clients", "size": "Taille", "uploaded": "Ajouté le",
    "uploader": "Posté par", "category": "Catégorie", "name": "Nom",
    "magnet": "Lien magnet", "torrent_file": "Télécharger le torrent", "quality": "Qualité",
    "language": "Langue", "genre": "Genre", "year": "Année", "duration": "Durée",
    "synopsis": "Synopsis", "server": "Lecteur", "trailer": "Bande-annonce",
    "episodes": "Épisodes", "episode": "Épisode", "season": "Saison",
    "watch": "Regarder {t} en streaming VF gratuit", "watch_short": "Regarder",
    "free_tag": "Films et séries en streaming VF, regarder gratuitement sans inscription",
    "next": "Suivant", "prev": "Précédent", "page": "Page", "related": "Vous aimerez aussi",
    "our_domains": "Nos domaines officiels", "partners": "Sites partenaires", "dmca": "DMCA",
    "contact": "Contact", "faq": "FAQ", "report": "Signaler un lien mort",
    "disclaimer": "Aucun fichier n'est hébergé sur nos serveurs. Les liens sont fournis par "
                  "des sites tiers.",
    "bookmark": "Ajoutez-nous en favori, en cas de blocage utilisez notre miroir :",
    "comments": "Commentaires", "live": "En direct", "today": "Matchs du jour",
    "schedule": "Programme", "channels": "chaînes", "plans": "Tarifs",
    "buy": "Commander", "free_trial": "Test gratuit 24h", "months": "mois", "month": "mois",
    "anti_freeze": "Technologie anti-freeze", "setup": "Guide d'installation",
    "devices": "Compatible tous appareils", "support": "Support 7j/7", "vod": "Films et séries VOD",
    "links": "Liens de téléchargement", "password": "Mot de passe", "views": "vues",
}

_ES = {
    "torrent_tag": "Descargar torrents de películas y series gratis",
    "ddl_tag": "Descarga directa de películas gratis",
    "home": "Inicio", "movies": "Películas", "series": "Series", "anime": "Anime",
    "latest": "Estrenos", "popular": "Populares", "top": "Top 100", "search": "Buscar",
    "search_ph": "Buscar películas, series...", "download": "Descargar",
    "seeders": "Semillas", "leechers": "Pares", "size": "Tamaño", "uploaded": "Subido",
    "uploader": "Subido por", "category": "Categoría", "name": "Nombre",
    "magnet": "Descargar magnet", "torrent_file": "Descargar torrent", "quality": "Calidad",
    "language": "Idioma", "genre": "Género", "year": "Año", "duration": "Duración",
    "synopsis": "Sinopsis", "server": "Servidor", "trailer": "Tráiler", "episodes": "Episodios",
    "episode": "Episodio", "season": "Temporada",
    "watch": "Ver {t} online gratis en español latino",
    "watch_short": "Ver ahora", "free_tag": "Ver películas online gratis en HD, sin registro",
    "next": "Siguiente", "prev": "Anterior", "page": "Página", "related": "También te puede gustar",
    "our_domains": "Nuestros dominios oficiales", "partners": "Sitios amigos", "dmca": "DMCA",
    "contact": "Contacto", "faq": "Preguntas frecuentes", "report": "Reportar enlace caído",
    "disclaimer": "Este sitio no aloja ningún archivo en sus servidores. Todo el contenido es "
                  "proporcionado por terceros.",
    "bookmark": "Guarda nuestro dominio; si está bloqueado usa nuestro espejo:",
    "comments": "Comentarios", "live": "En vivo", "today": "Partidos de hoy",
    "schedule": "Agenda", "channels": "canales", "plans": "Planes", "buy": "Comprar",
    "free_trial": "Prueba gratis 24h", "months": "meses", "month": "mes",
    "anti_freeze": "Tecnología anti-congelamiento (anti-freeze)", "setup": "Guía de instalación",
    "devices": "Funciona en todos los dispositivos", "support": "Soporte 24/7",
    "vod": "Películas y series VOD", "links": "Enlaces de descarga", "password": "Contraseña",
    "views": "vistas",
}

_PT = {
    "torrent_tag": "Baixar filmes e séries via torrent grátis",
    "ddl_tag": "Download direto de filmes grátis",
    "home": "Início", "movies": "Filmes", "series": "Séries", "anime": "Animes",
    "latest": "Lançamentos", "popular": "Populares", "top": "Top 100", "search": "Pesquisar",
    "search_ph": "Pesquisar filmes, séries...", "download": "Baixar",
    "seeders": "Seeds", "leechers": "Peers", "size": "Tamanho", "uploaded": "Enviado",
    "uploader": "Enviado por", "category": "Categoria", "name": "Nome",
    "magnet": "Baixar via magnet", "torrent_file": "Baixar torrent", "quality": "Qualidade",
    "language": "Áudio", "genre": "Gênero", "year": "Ano", "duration": "Duração",
    "synopsis": "Sinopse", "server": "Servidor", "trailer": "Trailer", "episodes": "Episódios",
    "episode": "Episódio", "season": "Temporada", "watch": "Assistir {t} Online Grátis Dublado",
    "watch_short": "Assistir", "free_tag": "Assistir filmes e séries online grátis, dublado e "
                                          "legendado em HD",
    "next": "Próxima", "prev": "Anterior", "page": "Página", "related": "Veja também",
    "our_domains": "Nossos domínios oficiais", "partners": "Parceiros", "dmca": "DMCA",
    "contact": "Contato", "faq": "Dúvidas", "report": "Reportar link quebrado",
    "disclaimer": "Nenhum arquivo é hospedado em nossos servidores. Os links são de terceiros.",
    "bookmark": "Salve nosso domínio; se estiver bloqueado use o espelho:",
    "comments": "Comentários", "live": "Ao vivo", "today": "Jogos de hoje",
    "schedule": "Agenda", "channels": "canais", "plans": "Planos", "buy": "Assinar",
    "free_trial": "Teste grátis 24h", "months": "meses", "month": "mês",
    "anti_freeze": "Tecnologia anti-travamento", "setup": "Como instalar",
    "devices": "Funciona em todos os aparelhos", "support": "Suporte 24h",
    "vod": "Filmes e séries VOD", "links": "Links para download", "password": "Senha",
    "views": "visualizações",
}

_ID = {
    "torrent_tag": "Download film torrent gratis subtitle Indonesia",
    "ddl_tag": "Download film gratis link langsung",
    "home": "Beranda", "movies": "Film", "series": "Serial TV", "anime": "Anime",
    "latest": "Terbaru", "popular": "Populer", "top": "Top 100", "search": "Cari",
    "search_ph": "Cari film...", "download": "Download", "seeders": "Seeder",
    "leechers": "Leecher", "size": "Ukuran", "uploaded": "Diunggah", "uploader": "Pengunggah",
    "category": "Kategori", "name": "Judul", "magnet": "Download Magnet",
    "torrent_file": "Download Torrent", "quality": "Kualitas", "language": "Bahasa",
    "genre": "Genre", "year": "Tahun", "duration": "Durasi", "synopsis": "Sinopsis",
    "server": "Server", "trailer": "Trailer", "episodes": "Episode", "episode": "Episode",
    "season": "Season", "watch": "Nonton {t} Sub Indo Gratis", "watch_short": "Nonton",
    "free_tag": "Nonton film online gratis subtitle Indonesia, streaming tanpa daftar",
    "next": "Berikutnya", "prev": "Sebelumnya", "page": "Halaman", "related": "Film Terkait",
    "our_domains": "Domain resmi kami", "partners": "Situs partner", "dmca": "DMCA",
    "contact": "Kontak", "faq": "FAQ", "report": "Lapor link rusak",
    "disclaimer": "Situs ini tidak menyimpan file apa pun di server. Semua konten disediakan "
                  "oleh pihak ketiga.",
    "bookmark": "Simpan domain kami, jika diblokir gunakan mirror:", "comments": "Komentar",
    "live": "Live", "today": "Jadwal hari ini", "schedule": "Jadwal", "channels": "channel",
    "plans": "Harga", "buy": "Beli", "free_trial": "Trial gratis 24 jam", "months": "Bulan",
    "month": "Bulan", "anti_freeze": "Anti-freeze, tanpa buffering", "setup": "Panduan instalasi",
    "devices": "Bisa di semua perangkat", "support": "Support 24 jam", "vod": "Film & Serial VOD",
    "links": "Link download", "password": "Password", "views": "kali ditonton",
}

_KO = {
    "torrent_tag": "최신 영화 드라마 토렌트 무료 다운로드", "ddl_tag": "최신 영화 무료 다운로드",
    "home": "홈", "movies": "영화", "series": "드라마", "anime": "애니", "latest": "최신",
    "popular": "인기", "top": "TOP 100", "search": "검색", "search_ph": "제목을 입력하세요",
    "download": "다운로드", "seeders": "시드", "leechers": "피어", "size": "용량",
    "uploaded": "등록일", "uploader": "글쓴이", "category": "분류", "name": "제목",
    "magnet": "마그넷 다운로드", "torrent_file": "토렌트 파일", "quality": "화질",
    "language": "언어", "genre": "장르", "year": "개봉", "duration": "러닝타임",
    "synopsis": "줄거리", "server": "서버", "trailer": "예고편", "episodes": "회차",
    "episode": "회", "season": "시즌", "watch": "{t} 무료 다시보기", "watch_short": "바로보기",
    "free_tag": "최신 영화 드라마 예능 무료 다시보기 고화질 스트리밍",
    "next": "다음", "prev": "이전", "page": "페이지", "related": "관련 작품",
    "our_domains": "공식 주소 안내", "partners": "제휴 사이트", "dmca": "저작권 안내",
    "contact": "문의", "faq": "자주 묻는 질문", "report": "링크 오류 신고",
    "disclaimer": "본 사이트는 어떠한 파일도 직접 저장하지 않습니다.",
    "bookmark": "주소가 차단되면 새 주소로 접속하세요:", "comments": "댓글", "live": "생중계",
    "today": "오늘의 경기", "schedule": "편성표", "channels": "채널", "plans": "요금제",
    "buy": "구매", "free_trial": "무료 체험", "months": "개월", "month": "개월",
    "anti_freeze": "끊김 없는 스트리밍", "setup": "설치 가이드", "devices": "모든 기기 지원",
    "support": "24시간 상담", "vod": "영화·드라마 VOD", "links": "다운로드 링크",
    "password": "비밀번호", "views": "조회",
}

UI: dict[str, dict[str, str]] = {"en": _EN, "fr": _FR, "es": _ES, "pt": _PT, "id": _ID, "ko": _KO}

GENRES: dict[str, dict[str, str]] = {
    "fr": {"Thriller": "Thriller", "Drama": "Drame", "Action": "Action",
    "Sci-Fi": "Science-fiction",
           "Romance": "Romance", "Fantasy": "Fantastique", "Crime": "Policier", "Comedy": "Comédie",
           "Adventure": "Aventure", "Horror": "Horreur", "Mystery": "Mystère",
           "Family": "Famille", "Western": "Western", "Noir": "Noir", "Animation": "Animation"},
    "es": {"Thriller": "Suspenso", "Drama": "Drama", "Action": "Acción",
           "Sci-Fi": "Ciencia ficción", "Romance": "Romance", "Fantasy": "Fantasía",
           "Crime": "Crimen", "Comedy": "Comedia", "Adventure": "Aventura", "Horror": "Terror",
           "Mystery": "Misterio", "Family": "Familia", "Western": "Western", "Noir": "Cine negro",
           "Animation": "Animación"},
    "pt": {"Thriller": "Suspense", "Drama": "Drama", "Action": "Ação",
    "Sci-Fi": "Ficção científica",
           "Romance": "Romance", "Fantasy": "Fantasia", "Crime": "Crime", "Comedy": "Comédia",
           "Adventure": "Aventura", "Horror": "Terror", "Mystery": "Mistério",
           "Family": "Família", "Western": "Faroeste", "Noir": "Noir", "Animation": "Animação"},
    "id": {"Thriller": "Thriller", "Drama": "Drama", "Action": "Action", "Sci-Fi": "Sci-Fi",
           "Romance": "Romance", "Fantasy": "Fantasy", "Crime": "Crime", "Comedy": "Komedi",
           "Adventure": "Petualangan", "Horror": "Horor", "Mystery": "Misteri",
           "Family": "Keluarga", "Western": "Western", "Noir": "Noir", "Animation": "Animasi"},
    "ko": {"Thriller": "스릴러", "Drama": "드라마", "Action": "액션", "Sci-Fi": "SF",
           "Romance": "로맨스", "Fantasy": "판타지", "Crime": "범죄", "Comedy": "코미디",
           "Adventure": "모험", "Horror": "공포", "Mystery": "미스터리", "Family": "가족",
           "Western": "서부", "Noir": "누아르", "Animation": "애니메이션"},
}

_SYNOPSIS = {
    "en": ("When {a} is pulled back into a world they swore to leave behind, one last job turns "
           "into a fight for everything they love.",
           "A {g} story about secrets buried for decades and the people who will do anything to "
           "keep them hidden.",
           "Two strangers, one long night, and a city that never forgives: a {g} tale told across "
           "a single weekend."),
    "fr": ("Rattrapé par un passé qu'il croyait enfoui, {a} doit accepter une dernière mission "
           "qui va tout bouleverser.",
           "Un récit {g} sur des secrets enterrés depuis des décennies.",
           "Deux inconnus, une longue nuit et une ville qui ne pardonne rien."),
    "es": ("Cuando {a} vuelve al mundo que juró abandonar, un último trabajo se convierte en "
           "una lucha por todo lo que ama.",
           "Una historia de {g} sobre secretos enterrados durante décadas.",
           "Dos desconocidos, una larga noche y una ciudad que nunca perdona."),
    "pt": ("Quando {a} é puxado de volta ao mundo que jurou deixar, um último trabalho vira uma "
           "luta por tudo o que ama.",
           "Uma história de {g} sobre segredos enterrados há décadas.",
           "Dois estranhos, uma longa noite e uma cidade que nunca perdoa."),
    "id": ("Ketika {a} kembali ke dunia yang ingin ia tinggalkan, satu pekerjaan terakhir berubah "
           "menjadi perjuangan hidup dan mati.",
           "Kisah {g} tentang rahasia yang terkubur puluhan tahun.",
           "Dua orang asing, satu malam panjang, dan kota yang tak pernah memaafkan."),
    "ko": ("과거를 버리고 떠났던 {a}, 마지막 의뢰가 모든 것을 건 싸움이 된다.",
           "수십 년간 묻혀 있던 비밀을 둘러싼 {g} 이야기.",
           "낯선 두 사람, 긴 하룻밤, 그리고 결코 용서하지 않는 도시."),
}

_HEROES = {"en": "a former detective", "fr": "un ancien flic", "es": "un exdetective",
           "pt": "um ex-detetive", "id": "seorang mantan detektif", "ko": "전직 형사"}


def ui(lang: str) -> dict[str, str]:
    """The UI dictionary of a language (English for anything unknown)."""
    return UI.get(lang, _EN)


def genre(name: str, lang: str) -> str:
    """A genre name in a site's language."""
    return GENRES.get(lang, {}).get(name, name)


def synopsis(work_index: int, first_genre: str, lang: str) -> str:
    """A short plot line in a site's language (pirate sites copy these from databases)."""
    texts = _SYNOPSIS.get(lang, _SYNOPSIS["en"])
    return texts[work_index % len(texts)].format(
        a=_HEROES.get(lang, _HEROES["en"]), g=genre(first_genre, lang).lower())
