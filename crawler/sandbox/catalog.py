"""The catalog: invented films/series (with localised titles) and real premium channel brands.

Works are invented so that no real release is implied; channels carry real broadcaster brand
names because IPTV playlists in the wild name them and channel detectors must match them.
"""

from __future__ import annotations

from .model import Catalog, Channel, Work

# id, title, original title, year, kind, lang, genres, runtime, seasons, {lang: local title}
_WORKS: tuple[tuple[str, str, str, int, str, str, str, int, int, dict[str, str]], ...] = (
    ("w01", "The Silent Harbor", "The Silent Harbor", 2023, "movie", "en", "Thriller,Drama", 124,
     0, {"fr": "Le Port silencieux", "es": "El puerto silencioso", "pt": "O Porto Silencioso",
         "ko": "침묵의 항구"}),
    ("w02", "Iron Meridian", "Iron Meridian", 2024, "movie", "en", "Action,Sci-Fi", 138, 0,
     {"fr": "Méridien de fer", "es": "Meridiano de hierro", "pt": "Meridiano de Ferro",
      "ko": "아이언 메리디안"}),
    ("w03", "Northbound Light", "Northbound Light", 2022, "movie", "en", "Drama,Romance", 109, 0,
     {"fr": "Lumière du Nord", "es": "Luz del norte", "pt": "Luz do Norte"}),
    ("w04", "Glass Kingdom", "Glass Kingdom", 2024, "series", "en", "Fantasy,Drama", 58, 2,
     {"fr": "Le Royaume de verre", "es": "El reino de cristal", "pt": "O Reino de Vidro",
      "ko": "유리 왕국"}),
    ("w05", "Midnight Courier", "Midnight Courier", 2023, "movie", "en", "Action,Crime", 112, 0,
     {"fr": "Le Coursier de minuit", "es": "El mensajero de medianoche",
      "pt": "O Mensageiro da Meia-Noite"}),
    ("w06", "Ashes of Tomorrow", "Ashes of Tomorrow", 2021, "movie", "en", "Sci-Fi,Thriller",
     131, 0, {"fr": "Les Cendres de demain", "es": "Cenizas del mañana"}),
    ("w07", "The Last Orchard", "The Last Orchard", 2024, "movie", "en", "Drama", 101, 0,
     {"fr": "Le Dernier Verger", "pt": "O Último Pomar"}),
    ("w08", "Paper Satellites", "Paper Satellites", 2023, "movie", "en", "Comedy,Drama", 97, 0,
     {"es": "Satélites de papel"}),
    ("w09", "Saltwater Saints", "Saltwater Saints", 2022, "series", "en", "Crime,Drama", 52, 3,
     {"fr": "Les Saints de l'eau salée", "es": "Santos de agua salada"}),
    ("w10", "Kingdom of Dust", "Kingdom of Dust", 2024, "movie", "en", "Adventure,Action", 147,
     0, {"fr": "Le Royaume de poussière", "es": "El reino del polvo", "pt": "Reino de Poeira",
         "ko": "먼지의 왕국"}),
    ("w11", "Electric Summer", "Electric Summer", 2023, "movie", "en", "Comedy,Romance", 94, 0,
     {"es": "Verano eléctrico", "pt": "Verão Elétrico"}),
    ("w12", "The Cartographer", "The Cartographer", 2022, "series", "en", "Mystery,Thriller", 49,
     2, {"fr": "Le Cartographe", "es": "El cartógrafo", "pt": "O Cartógrafo"}),
    ("w13", "Blue Signal", "Blue Signal", 2024, "movie", "en", "Horror,Mystery", 103, 0,
     {"fr": "Signal bleu", "es": "Señal azul", "ko": "블루 시그널"}),
    ("w14", "Wolves of Vantage", "Wolves of Vantage", 2023, "series", "en", "Action,Drama", 61, 1,
     {"fr": "Les Loups de Vantage", "pt": "Os Lobos de Vantage"}),
    ("w15", "The Last Midnight Metro", "Le Dernier Métro de minuit", 2023, "movie", "fr",
     "Drama,Thriller", 118, 0, {"fr": "Le Dernier Métro de minuit",
                                "es": "El último metro de medianoche"}),
    ("w16", "Children of the Lighthouse", "Les Enfants du phare", 2022, "movie", "fr",
     "Drama,Family", 106, 0, {"fr": "Les Enfants du phare", "es": "Los niños del faro"}),
    ("w17", "Ash Street", "Rue des Cendres", 2024, "series", "fr", "Crime,Drama", 52, 1,
     {"fr": "Rue des Cendres", "pt": "Rua das Cinzas"}),
    ("w18", "House of the Wind", "La casa del viento", 2023, "movie", "es", "Drama,Mystery", 115,
     0, {"es": "La casa del viento", "fr": "La Maison du vent", "pt": "A Casa do Vento"}),
    ("w19", "Shadows of Seville", "Sombras de Sevilla", 2024, "series", "es", "Crime,Thriller", 55,
     2, {"es": "Sombras de Sevilla", "fr": "Les Ombres de Séville", "pt": "Sombras de Sevilha"}),
    ("w20", "Last Tango in Medellin", "Último tango en Medellín", 2022, "movie", "es",
     "Romance,Drama", 111, 0, {"es": "Último tango en Medellín", "pt": "Último Tango em Medellín"}),
    ("w21", "Glass City", "Cidade de Vidro", 2023, "movie", "pt", "Crime,Action", 121, 0,
     {"pt": "Cidade de Vidro", "es": "Ciudad de cristal", "fr": "La Cité de verre"}),
    ("w22", "Backlands on Fire", "O Sertão em Chamas", 2024, "series", "pt", "Drama,Western", 47,
     1, {"pt": "O Sertão em Chamas", "es": "El sertón en llamas"}),
    ("w23", "Servants of the Night", "Pengabdi Malam", 2023, "movie", "id", "Horror", 99, 0,
     {"id": "Pengabdi Malam", "ko": "밤의 하인들"}),
    ("w24", "Jakarta Story", "Kisah Jakarta", 2022, "movie", "id", "Drama,Romance", 104, 0,
     {"id": "Kisah Jakarta", "ko": "자카르타 이야기", "es": "Historia de Yakarta"}),
    ("w25", "Grandmother's House", "Rumah Nenek", 2024, "movie", "id", "Horror,Mystery", 96, 0,
     {"id": "Rumah Nenek", "es": "La casa de la abuela", "pt": "A Casa da Avó"}),
    ("w26", "City of Night", "밤의 도시", 2023, "movie", "ko", "Crime,Noir", 126, 0,
     {"ko": "밤의 도시", "fr": "La Ville de la nuit", "es": "Ciudad de la noche",
      "id": "Kota Malam"}),
    ("w27", "Promise of the Blue Sea", "푸른 바다의 약속", 2024, "series", "ko", "Romance,Drama",
     64, 1, {"ko": "푸른 바다의 약속", "es": "La promesa del mar azul",
             "pt": "A Promessa do Mar Azul", "id": "Janji Laut Biru"}),
    ("w28", "Seoul Detective", "서울 탐정", 2023, "series", "ko", "Crime,Comedy", 62, 2,
     {"ko": "서울 탐정", "fr": "Détective à Séoul", "id": "Detektif Seoul"}),
    ("w29", "The Last Train", "마지막 기차", 2022, "movie", "ko", "Thriller,Action", 113, 0,
     {"ko": "마지막 기차", "fr": "Le Dernier Train", "es": "El último tren",
      "pt": "O Último Trem"}),
    ("w30", "Starfall Academy", "星降る学園", 2024, "anime", "ja", "Animation,Fantasy", 24, 1,
     {"fr": "L'Académie des étoiles filantes", "es": "Academia Starfall",
      "ko": "별이 내리는 학원"}),
    ("w31", "Wings of Steel", "鋼の翼", 2023, "anime", "ja", "Animation,Action", 24, 2,
     {"es": "Alas de acero", "pt": "Asas de Aço", "fr": "Les Ailes d'acier"}),
    ("w32", "The Harvest Moon Affair", "The Harvest Moon Affair", 2024, "movie", "en",
     "Comedy,Crime", 102, 0, {"fr": "L'Affaire de la lune des moissons"}),
)

# Romanised aliases that pirate sites and search users type.
_ROMANISED = {
    "w26": ("Bam-ui Dosi",),
    "w27": ("Pureun Bada-ui Yaksok",),
    "w28": ("Seoul Tamjeong",),
    "w29": ("Majimak Gicha",),
    "w30": ("Hoshifuru Gakuen",),
    "w31": ("Hagane no Tsubasa",),
}

# id, name, aliases, owner, country, category
_CHANNELS: tuple[tuple[str, str, tuple[str, ...], str, str, str], ...] = (
    ("c01", "Sky Sports Main Event", ("Sky Sports Main Event HD", "SS Main Event", "SKY SP ME"),
     "Sky Group", "GB", "sports"),
    ("c02", "Sky Sports Premier League", ("Sky Sports PL", "Sky Sports Premier League HD",
                                          "SKY SP PL"), "Sky Group", "GB", "sports"),
    ("c03", "Sky Cinema Premiere", ("Sky Cinema Premiere HD", "Sky Premiere"), "Sky Group", "GB",
     "movies"),
    ("c04", "TNT Sports 1", ("TNT Sport 1", "TNT Sports 1 HD", "BT Sport 1"),
     "Warner Bros. Discovery", "GB", "sports"),
    ("c05", "beIN SPORTS 1", ("beIN Sports 1 FR", "BEIN SPORT 1", "beIN 1 HD"),
     "beIN Media Group", "FR", "sports"),
    ("c06", "beIN SPORTS 2", ("beIN Sports 2 FR", "BEIN SPORT 2", "beIN 2 HD"),
     "beIN Media Group", "FR", "sports"),
    ("c07", "Canal+", ("Canal Plus", "CANAL+ HD", "Canal+ FHD"), "Groupe Canal+", "FR",
     "entertainment"),
    ("c08", "Canal+ Sport", ("Canal Plus Sport", "CANAL+ SPORT HD"), "Groupe Canal+", "FR",
     "sports"),
    ("c09", "DAZN 1", ("DAZN 1 ES", "DAZN1 HD", "DAZN LaLiga"), "DAZN Group", "ES", "sports"),
    ("c10", "Movistar LaLiga", ("M+ LaLiga", "Movistar La Liga HD", "M. LaLiga"), "Telefónica",
     "ES", "sports"),
    ("c11", "Movistar Plus+", ("Movistar+", "M+ HD", "#0 Movistar"), "Telefónica", "ES",
     "entertainment"),
    ("c12", "ESPN", ("ESPN HD", "ESPN US"), "ESPN Inc.", "US", "sports"),
    ("c13", "HBO", ("HBO HD", "HBO East", "HBO Signature"), "Warner Bros. Discovery", "US",
     "movies"),
    ("c14", "SporTV", ("SPORTV HD", "SporTV FHD", "Sportv 1"), "Grupo Globo", "BR", "sports"),
    ("c15", "Premiere Clubes", ("Premiere FC", "PREMIERE CLUBES HD", "Premiere 1"),
     "Grupo Globo", "BR", "sports"),
    ("c16", "Telecine Premium", ("Telecine Premium HD", "TC Premium"), "Grupo Globo", "BR",
     "movies"),
    ("c17", "Eurosport 1", ("Eurosport 1 HD", "EUROSPORT1"), "Warner Bros. Discovery", "FR",
     "sports"),
    ("c18", "Sky Sport Bundesliga", ("Sky Bundesliga 1", "Sky Sport BL HD"), "Sky Deutschland",
     "DE", "sports"),
    ("c19", "SPOTV", ("SPOTV HD", "스포티비", "SPOTV ON"), "Eclat Media Group", "KR", "sports"),
    ("c20", "tvN", ("tvN HD", "티비엔"), "CJ ENM", "KR", "entertainment"),
    ("c21", "beIN SPORTS Indonesia", ("beIN Sports 1 ID", "BEIN 1 INDO"), "beIN Media Group",
     "ID", "sports"),
    ("c22", "Cinemax", ("Cinemax HD", "Cinemax Asia"), "Warner Bros. Discovery", "US", "movies"),
    ("c23", "Disney Channel", ("Disney Channel HD", "Disney Ch"), "The Walt Disney Company",
     "US", "kids"),
    ("c24", "Sky News", ("Sky News HD",), "Sky Group", "GB", "news"),
)


def build_catalog() -> Catalog:
    """The (seed-independent) catalog shared by every site of the web."""
    works = []
    for wid, title, original, year, kind, lang, genres, runtime, seasons, local in _WORKS:
        aliases: list[str] = []
        for name in (*local.values(), *_ROMANISED.get(wid, ())):
            if name not in (title, original) and name not in aliases:
                aliases.append(name)
        works.append(Work(
            id=wid, title=title, original_title=original, year=year, aliases=tuple(aliases),
            kind=kind, lang=lang, genres=tuple(genres.split(",")), runtime=runtime,
            seasons=seasons, localized=tuple(sorted(local.items())),
        ))
    channels = tuple(
        Channel(id=cid, name=name, aliases=aliases, owner=owner, country=country,
                category=category)
        for cid, name, aliases, owner, country, category in _CHANNELS
    )
    return Catalog(works=tuple(works), channels=channels)
