"""Real football competitions and clubs used for the live-sport restream schedules."""

from __future__ import annotations

# (competition, clubs, catalog channel id of the rights holder)
FIXTURES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Premier League", ("Arsenal", "Chelsea", "Liverpool", "Manchester City", "Tottenham",
                        "Newcastle", "Aston Villa", "Brighton"), "c01"),
    ("LaLiga", ("Real Madrid", "FC Barcelona", "Atlético de Madrid", "Sevilla", "Real Betis",
                "Valencia", "Villarreal", "Athletic Club"), "c10"),
    ("Ligue 1", ("Paris Saint-Germain", "Olympique de Marseille", "Olympique Lyonnais",
                 "LOSC Lille",
                 "AS Monaco", "Stade Rennais"), "c05"),
    ("Brasileirão", ("Flamengo", "Palmeiras", "Corinthians", "São Paulo", "Grêmio",
                     "Internacional", "Fluminense", "Atlético Mineiro"), "c15"),
)
