"""Article texts of the news sites, per language and story type.

Stories about piracy quote the pirates' own slogans ("watch free", "nonton gratis") and name
and link the sites, exactly what trips naive keyword detectors on legitimate journalism.
Placeholders: {name} brand, {link} anchor to the site, {domain} bare domain.
"""

from __future__ import annotations

Story = tuple[str, tuple[str, ...]]

STORIES: dict[str, dict[str, Story]] = {
    "en": {
        "block": ("Court orders ISPs to block torrent index {name}",
                  ("A High Court judge has ordered the country's largest internet providers to "
                   "block {link}, a torrent and magnet index that lists thousands of films and TV "
                   "episodes.",
                   "Rights holders said the site offered free downloads of new releases within "
                   "hours of their premiere, with magnet links and .torrent files for every "
                   "quality from 720p to 4K.",
                   "The operators, who say on the site that they host no files, did not respond "
                   "to a request for comment. Similar blocking orders have proved only partly "
                   "effective as sites move to mirror domains.")),
        "seized": ("Police take down piracy site {name} in cross-border operation",
                   ("Visitors to {link} now find a seizure banner after a coordinated operation "
                    "by police in three countries.",
                    "The site promised users they could \"watch free movies online in HD, no "
                    "sign up\" and drew an estimated four million visits a month, investigators "
                    "said.",
                    "Two suspects were arrested and servers were seized. The domain no longer "
                    "answers.")),
        "moved": ("{name} resurfaces on a new domain after blocking",
                  ("Weeks after being blocked, the popular movie torrent site formerly at {link} "
                   "has moved to a new address and redirects its old visitors automatically.",
                   "Domain hopping is a familiar pattern: operators register a fresh domain, "
                   "keep the same design and ad networks, and announce the move on social "
                   "media.",
                   "Anti-piracy groups say they track such moves through shared analytics IDs "
                   "and identical page layouts.")),
        "stream": ("Inside {name}, the streaming portal that rights holders can't shut down",
                   ("{link} looks like a legitimate service, with posters, trailers and a "
                    "catalogue of recent releases, but every film is streamed from third-party "
                    "video hosts.",
                    "Its home page invites users to \"watch free\" and lists several servers for "
                    "each title, so that when one embed is removed another takes its place.",
                    "Advertisers, many of them pop-under networks, fund the operation.")),
        "iptv": ("Illegal IPTV: resellers promise '20,000 channels' for the price of one",
                 ("Sites such as {link} sell twelve-month subscriptions offering premium sports "
                  "channels, anti-freeze servers and a free 24-hour trial.",
                  "Investigators say the shops are resellers of a handful of Xtream Codes "
                  "panels, which distribute M3U playlists of pirated channels.",
                  "Buying such a subscription can expose consumers to fines in several "
                  "countries, officials warned.")),
        "legit": ("{name}: what's new this month",
                  ("We took a look at the latest update from {link}.",
                   "The release brings faster downloads, a refreshed design and better support "
                   "for smart TVs.",
                   "Pricing is unchanged, and existing users get the update automatically.")),
        "filler1": ("New smartphone chip promises two-day battery life",
                    ("The latest flagship processor is built on a 3 nm process and claims a 30% "
                     "efficiency gain.", "Phones using the chip are expected later this year.")),
        "filler2": ("Fibre roll-out reaches rural areas ahead of schedule",
                    ("Broadband operators say eight out of ten homes can now order gigabit "
                     "fibre.", "Regulators welcomed the figures but warned of gaps in coverage.")),
    },
    "fr": {
        "block": ("La justice ordonne le blocage du site de téléchargement {name}",
                  ("Le tribunal judiciaire a ordonné aux fournisseurs d'accès de bloquer {link}, "
                   "un site de téléchargement direct qui proposait films et séries.",
                   "Les ayants droit reprochent au site de permettre de « télécharger "
                   "gratuitement » les dernières sorties cinéma, en liens 1fichier et Uptobox.",
                   "L'Arcom pourra étendre le blocage aux sites miroirs.")),
        "seized": ("Le site pirate {name} fermé par la gendarmerie",
                   ("Le site {link} n'est plus accessible depuis une opération menée par les "
                    "enquêteurs.", "Il promettait de « regarder gratuitement » films et séries "
                    "en streaming VF.", "Deux administrateurs ont été interpellés.")),
        "moved": ("{name} change encore de nom de domaine",
                  ("L'ancienne adresse {link} redirige désormais vers un nouveau domaine.",
                   "Une pratique courante pour contourner les blocages.",
                   "Le design et les régies publicitaires restent identiques.")),
        "stream": ("Streaming illégal : {name} continue d'attirer des millions de visiteurs",
                   ("Le site {link} propose de « regarder gratuitement » des films en streaming "
                    "VF et VOSTFR, avec plusieurs lecteurs par film.",
                    "Les vidéos sont hébergées chez des hébergeurs tiers.",
                    "L'Alliance Anti-Piratage a saisi la justice.")),
        "iptv": ("IPTV illégale : l'Arcom s'attaque aux revendeurs d'abonnements",
                 ("Des sites comme {link} vendent des abonnements IPTV de 12 mois avec « plus "
                  "de 20 000 chaînes », beIN SPORTS et Canal+ compris, et un test gratuit de 24 "
                  "heures.", "Les abonnés s'exposent à une amende, rappelle le régulateur.",
                  "Les enquêteurs remontent jusqu'aux serveurs Xtream Codes qui diffusent les "
                  "listes M3U.")),
        "legit": ("{name} : les nouveautés du mois",
                  ("Nous avons testé la dernière version de {link}.",
                   "Au programme : une interface revue et une meilleure compatibilité avec les "
                   "téléviseurs connectés.", "Les tarifs ne changent pas.")),
        "filler1": ("La 5G atteint 90 % de la population",
                    ("Les opérateurs annoncent une couverture quasi nationale.",
                     "Les zones rurales restent moins bien desservies.")),
        "filler2": ("Un nouveau processeur pour les PC portables",
                    ("Le fondeur promet des gains d'autonomie importants.",
                     "Les premiers modèles arriveront à la rentrée.")),
    },
    "es": {
        "block": ("Un juzgado ordena bloquear la web de torrents {name}",
                  ("Un juzgado de lo mercantil ha ordenado a los operadores bloquear {link}, una "
                   "web de enlaces torrent y magnet.",
                   "Según los titulares de derechos, permitía descargar gratis estrenos de cine "
                   "y series en castellano y latino.", "La web asegura no alojar archivos.")),
        "seized": ("La Policía cierra la web pirata {name}", (
            "La web {link} ha dejado de funcionar tras una operación policial.",
            "Invitaba a sus usuarios a \"ver gratis\" películas online.",
            "Los responsables han sido detenidos.")),
        "moved": ("{name} cambia de dominio para esquivar el bloqueo",
                  ("El antiguo dominio {link} redirige ahora a una nueva dirección.",
                   "La web mantiene el mismo diseño y los mismos anuncios.",
                   "LaLiga y las productoras vigilan estos saltos de dominio.")),
        "stream": ("Así funciona {name}, la web para ver fútbol gratis",
                   ("La web {link} ofrece los partidos de LaLiga en directo con varios "
                    "servidores por partido.", "Sus anuncios prometen \"ver gratis\" cualquier "
                    "partido y canales como Movistar LaLiga o DAZN.",
                    "LaLiga ha denunciado la web ante los tribunales.")),
        "iptv": ("IPTV pirata: las webs que venden 20.000 canales por 60 euros al año",
                 ("Páginas como {link} venden listas IPTV de 12 meses con prueba gratis y "
                  "tecnología \"anti-freeze\".", "Detrás hay paneles Xtream Codes que "
                  "distribuyen listas M3U.", "Los usuarios pueden ser multados.")),
        "legit": ("{name}, novedades de la temporada",
                  ("Repasamos las novedades de {link}.",
                   "La organización presenta su calendario y sus socios audiovisuales.",
                   "Los precios se mantienen.")),
        "filler1": ("Las ventas de televisores 4K crecen un 12%",
                    ("El mercado se recupera tras dos años de caídas.",
                     "Los modelos OLED lideran el crecimiento.")),
        "filler2": ("La fibra óptica llega al 95% de los hogares",
                    ("España sigue a la cabeza de Europa en despliegue de fibra.",
                     "Las zonas rurales aún esperan.")),
    },
    "pt": {
        "block": ("Justiça manda bloquear o site de torrents {name}",
                  ("A Justiça determinou que as operadoras bloqueiem {link}, site que oferecia "
                   "filmes e séries para baixar via torrent.",
                   "Segundo a denúncia, o site permitia baixar grátis lançamentos dublados e "
                   "legendados.", "A Anatel acompanha o caso.")),
        "seized": ("Polícia derruba site pirata {name}",
                   ("O site {link} saiu do ar após operação policial.",
                    "Ele convidava os usuários a \"assistir grátis\" filmes e séries.",
                    "Os responsáveis foram presos.")),
        "moved": ("{name} muda de domínio", ("O endereço antigo {link} agora redireciona.",
                                             "O visual do site continua o mesmo.",
                                             "A prática é comum entre sites piratas.")),
        "stream": ("Como funciona o {name}, site para assistir grátis",
                   ("O site {link} oferece filmes e séries para \"assistir grátis\" online, "
                    "dublados e legendados.", "Os vídeos ficam em servidores de terceiros.",
                    "Os estúdios pedem a remoção do site.")),
        "iptv": ("IPTV pirata: sites vendem 20 mil canais e 'teste grátis'",
                 ("Lojas como {link} vendem planos de 12 meses com Premiere, SporTV e Telecine, "
                  "além de tecnologia \"anti-travamento\".", "A Anatel apreende TV Boxes "
                  "piratas e bloqueia servidores.", "O consumidor também pode ser punido.")),
        "legit": ("{name}: novidades da semana", ("Conferimos as novidades de {link}.",
                                                 "A programação inclui estreias e pré-estreias.",
                                                 "Os preços dos ingressos continuam os mesmos.")),
        "filler1": ("Venda de celulares cresce no trimestre",
                    ("O mercado brasileiro cresceu 8% no período.",
                     "Os modelos intermediários puxam as vendas.")),
        "filler2": ("5G chega a mais 200 cidades", ("As operadoras ampliaram a cobertura.",
                                                    "O Nordeste teve o maior crescimento.")),
    },
    "id": {
        "block": ("Kominfo blokir situs torrent {name}", (
            "Kementerian memblokir akses ke {link} yang menyediakan film bajakan.",
            "Situs itu menawarkan download film gratis subtitle Indonesia.",
            "Pemilik hak cipta menyambut langkah tersebut.")),
        "seized": ("Polisi tutup situs film bajakan {name}", (
            "Situs {link} kini tidak dapat diakses.",
            "Situs itu mengajak pengunjung \"nonton gratis\" film terbaru.",
            "Dua tersangka ditangkap.")),
        "moved": ("{name} pindah domain setelah diblokir", (
            "Alamat lama {link} kini dialihkan ke domain baru.",
            "Tampilan situs tetap sama.", "Praktik ini sering dilakukan situs ilegal.")),
        "stream": ("Situs {name} masih ramai meski diblokir berkali-kali", (
            "Situs {link} menawarkan \"nonton gratis\" film dan serial dengan subtitle "
            "Indonesia.", "Film diputar dari server pihak ketiga.",
            "Asosiasi produser film meminta pemerintah bertindak tegas.")),
        "iptv": ("Maraknya jualan IPTV ilegal: 20.000 channel, trial gratis", (
            "Situs seperti {link} membagikan playlist IPTV M3U berisi channel berbayar.",
            "Channel olahraga premium disiarkan ulang tanpa izin.",
            "Pemilik hak siar mengancam tuntutan hukum.")),
        "legit": ("{name} hadirkan fitur baru", (
            "Kami mencoba layanan terbaru dari {link}.",
            "Nonton film legal kini makin mudah dengan harga terjangkau.",
            "Paket berlangganan mulai Rp39.000 per bulan.")),
        "filler1": ("Penjualan ponsel 5G naik di kuartal pertama", (
            "Pasar ponsel Indonesia tumbuh 6 persen.", "Merek lokal mulai bersaing.")),
        "filler2": ("Jaringan fiber optik menjangkau Indonesia Timur", (
            "Operator memperluas jaringan ke Papua dan Maluku.", "Harga paket diturunkan.")),
    },
    "ko": {
        "block": ("방심위, 불법 토렌트 사이트 {name} 접속 차단", (
            "방송통신심의위원회가 불법 토렌트 사이트 {link} 에 대해 접속 차단을 결정했다.",
            "이 사이트는 최신 영화와 드라마를 토렌트로 무료 다운로드할 수 있게 했다.",
            "운영자는 차단 직후 새 주소로 옮긴 것으로 알려졌다.")),
        "seized": ("경찰, 불법 사이트 {name} 운영자 검거", (
            "불법 사이트 {link} 가 폐쇄됐다.",
            "이 사이트는 \"무료 다시보기\"를 내세워 이용자를 끌어모았다.",
            "경찰은 광고 수익을 추적하고 있다.")),
        "moved": ("{name}, 주소 바꿔 영업 재개", (
            "기존 주소 {link} 로 접속하면 새 주소로 자동 이동된다.",
            "숫자만 바꾼 도메인으로 차단을 피하는 방식이다.",
            "저작권 단체는 대응책 마련에 나섰다.")),
        "stream": ("'무료 다시보기' 불법 사이트 {name} 기승", (
            "{link} 는 최신 드라마와 예능을 \"무료 다시보기\"로 제공한다.",
            "영상은 해외 동영상 호스팅 서버에서 재생된다.",
            "방송사들은 법적 대응을 예고했다.")),
        "iptv": ("불법 IPTV 판매 사이트 적발", ("{link} 같은 사이트가 해외 스포츠 채널을 판매했다.",
                                          "무료 체험을 미끼로 결제를 유도했다.",
                                          "당국은 단속을 강화한다.")),
        "legit": ("{name}, 새 요금제 출시", ("{link} 가 새로운 요금제를 내놨다.",
                                         "광고형 요금제는 월 5,500원이다.",
                                         "기존 이용자는 그대로 이용할 수 있다.")),
        "filler1": ("국내 스마트폰 판매 증가", ("1분기 스마트폰 판매가 늘었다.",
                                           "폴더블 제품이 인기를 끌었다.")),
        "filler2": ("5G 가입자 3천만 돌파", ("5G 가입자가 꾸준히 늘고 있다.",
                                         "요금 인하 경쟁도 치열하다.")),
    },
}

NEWS_UI: dict[str, tuple[str, str, str, str, str]] = {
    # (home, piracy section, tech section, by, read more)
    "en": ("Home", "Piracy", "Tech", "By", "Read more"),
    "fr": ("Accueil", "Piratage", "High-tech", "Par", "Lire la suite"),
    "es": ("Portada", "Piratería", "Tecnología", "Por", "Leer más"),
    "pt": ("Início", "Pirataria", "Tecnologia", "Por", "Leia mais"),
    "id": ("Beranda", "Pembajakan", "Teknologi", "Oleh", "Baca selengkapnya"),
    "ko": ("홈", "저작권", "IT", "기자", "더보기"),
}

AUTHORS = {"en": ("Ernesto Vale", "Sarah Lin"), "fr": ("Julie Marchand", "Thomas Roux"),
           "es": ("Lucía Ortega", "Pablo Ruiz"), "pt": ("Ana Souza", "Bruno Lima"),
           "id": ("Dewi Lestari", "Rizky Pratama"), "ko": ("김민준", "이서연")}
