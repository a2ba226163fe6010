"""Kitas (places, Träger, names, openings and closures) and Kindertagespflege of the demo city.

Why: Kita supply is calibrated to the simulated children so that gaps tell planning stories.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from planning.demo.housing import HOUSING, housing_area
from planning.demo.locations import lonlat
from planning.demo.population import YEARS, PopulationModel
from planning.demo.profiles import PROFILES

#: Kita Träger: key → (weight, Träger, Träger-Art, Kita name); ``{x}`` a name, ``{st}`` a patron.
TRAEGER: dict[str, tuple[float, str, str, str]] = {
    "stadt": (0.30, "Stadt Weidenstadt", "öffentlich", "Kita {x}"),
    "ev": (0.17, "Ev.-luth. Kirchengemeinde {st}", "frei", "Ev. Kita {st}"),
    "kath": (0.08, "Kath. Kirchengemeinde {st}", "frei", "Kath. Kita {st}"),
    "awo": (0.12, "AWO Kreisverband Weidenstadt e. V.", "frei", "AWO Kita {x}"),
    "drk": (0.08, "DRK-Kreisverband Weidenstadt e. V.", "frei", "DRK Kita {x}"),
    "eltern": (0.10, "Elterninitiative {x} e. V.", "frei", "Kinderladen {x}"),
    "lebenshilfe": (0.05, "Lebenshilfe Weidenstadt gGmbH", "frei", "Integrative Kita {x}"),
    "johanniter": (0.04, "Johanniter-Unfall-Hilfe e. V.", "frei", "Johanniter-Kita {x}"),
    "kinderhaus": (0.06, "Kinderhaus Weidenstadt gGmbH", "frei", "Kinderhaus {x}"),
}
NAME_POOLS: dict[str, tuple[str, ...]] = {
    "ev": ("St. Marien", "St. Johannis", "St. Petri", "St. Nikolai", "St. Martini", "St. Michaelis",
           "St. Pauli", "St. Jakobi", "St. Andreas", "St. Lukas", "St. Markus", "St. Thomas",
           "St. Matthäus", "St. Stephanus", "St. Matthias", "St. Bartholomäus", "St. Georg"),
    "kath": ("St. Josef", "St. Elisabeth", "St. Godehard", "St. Bernward", "St. Ansgar", "St. Bonifatius",
             "Heilig Kreuz", "St. Hedwig", "St. Antonius", "St. Maria Goretti"),
    "x": ("Sonnenschein", "Regenbogen", "Pusteblume", "Löwenzahn", "Kunterbunt", "Sternschnuppe",
          "Wirbelwind", "Schatzkiste", "Rasselbande", "Spatzennest", "Zwergenland", "Villa Kunterbunt",
          "Abenteuerland", "Märchenland", "Purzelbaum", "Seepferdchen", "Marienkäfer", "Igelburg",
          "Eulennest", "Schmetterling", "Sonnenblume", "Kleine Strolche", "Wichtelhaus", "Traumland",
          "Zauberwald", "Weidenkätzchen", "Mühlenzwerge", "Am Park", "Am Deich", "Waldwichtel",
          "Flohkiste", "Krümelkiste", "Pfiffikus", "Sausewind", "Kleeblatt", "Sternenhimmel",
          "Glühwürmchen", "Hummelnest", "Wolkenburg", "Apfelbäumchen", "Lindenblüte", "Kastanienbaum",
          "Blauer Elefant", "Bärenhöhle", "Fuchsbau", "Biberburg", "Ententeich", "Froschkönig",
          "Kinderinsel", "Lummerland", "Nesthäkchen", "Räuberhöhle", "Schneckenhaus", "Sonnenkinder",
          "Spielkiste", "Tausendfüßler", "Wundertüte", "Zaubergarten", "Farbklecks", "Kinderburg",
          "Wiesenzwerge", "Mäuseburg", "Sonnenstrahl", "Seestern", "Windrose", "Kiebitz", "Bullerbü",
          "Momo", "Kleiner Prinz", "Hasennest", "Rappelkiste", "Mittendrin", "Weltentdecker",
          "Mühlenstrolche", "Flusspiraten"),
}  # fmt: skip
KITA_TARGET_UE3 = 0.94  # city Ü3 places ÷ children 3–5 in the latest year
KITA_TARGET_U3 = 0.45  # city (U3 places + Kindertagespflege) ÷ children 0–2
KITA_SIZE = 52  # mean places per Kita when an area's places are split into Kitas


def kindertagespflege(areas: pd.DataFrame, pop: PopulationModel, rng: np.random.Generator) -> np.ndarray:
    """Childminder places per area and year (0–25): a rising share of the area's under-threes."""
    rate = np.linspace(0.045, 0.082, len(YEARS))
    by_type = {"suburban": 1.3, "neubau": 1.2, "innenstadt": 0.8, "grosswohnsiedlung": 0.7}
    factor = np.array([by_type.get(t, 1.0) for t in areas["typ"]]) * rng.lognormal(0.0, 0.25, len(areas))
    noise = rng.lognormal(0.0, 0.1, (len(areas), len(YEARS)))
    return np.clip(np.rint(pop.band(0, 2) * rate * factor[:, None] * noise), 0, 25).astype(np.int64)


def _area_supply(
    typ: np.ndarray, c02: np.ndarray, c35: np.ndarray, ktp_total: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Target Ü3 and U3 places per area and the two short Gründerzeit areas.

    Type factors with ±12 % jitter; the short areas get 55–66 % of their 3–5-year-olds, Sonnenhang
    its type factor; all other areas are scaled so the city meets the Ü3 and U3 targets.
    """
    ue3 = c35 * np.array([PROFILES[t].kita_ue3 for t in typ]) * rng.uniform(0.88, 1.12, len(typ))
    u3 = c02 * np.array([PROFILES[t].kita_u3 for t in typ]) * rng.uniform(0.85, 1.15, len(typ))
    short = rng.choice(np.flatnonzero(typ == "gruenderzeit"), size=2, replace=False)
    ue3[short] = c35[short] * rng.uniform(0.55, 0.66, 2)
    flex = ~np.isin(np.arange(len(typ)), short) & (typ != "neubau")
    ue3[flex] *= (KITA_TARGET_UE3 * c35.sum() - ue3[~flex].sum()) / ue3[flex].sum()
    u3[flex] *= (KITA_TARGET_U3 * c02.sum() - ktp_total - u3[~flex].sum()) / u3[flex].sum()
    return ue3, u3, short


def _split_area(ue3: float, u3: float, rng: np.random.Generator) -> list[tuple[str, int, int]]:
    """Split an area's places into Kitas: (Träger key, U3 places, Ü3 places), multiples of 5.

    Kinderläden (Elterninitiativen) have 20 places; the first Kita of an area is never one.
    """
    if ue3 < 5:
        return []
    n = max(1, round((ue3 + u3) / KITA_SIZE))
    keys, weights = list(TRAEGER), np.array([v[0] for v in TRAEGER.values()])
    kinds = [str(k) for k in rng.choice(keys, size=n, p=weights / weights.sum())]
    kinds = ["stadt" if k == "eltern" and j == 0 else k for j, k in enumerate(kinds)]
    small = np.array([k == "eltern" for k in kinds])
    w = rng.dirichlet(np.full(n, 3.0)) * ~small
    w_u3 = w * rng.lognormal(0.0, 0.3, n)
    rest_ue3, rest_u3 = ue3 - 15 * small.sum(), u3 - 5 * small.sum()
    out = []
    for j, kind in enumerate(kinds):
        if small[j]:
            out.append((kind, 5, 15))
            continue
        k_u3 = max(5, 5 * round(rest_u3 * w_u3[j] / w_u3.sum() / 5))
        k_ue3 = max(15, 5 * round(rest_ue3 * w[j] / w.sum() / 5))
        out.append((kind, k_u3, min(k_ue3, 150 - k_u3)))
    return out


def make_kitas(
    areas: gpd.GeoDataFrame, pop: PopulationModel, ktp_latest: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Kitas whose places meet the city targets (Ü3 ~94 %, U3 incl. Tagespflege ~44 % in 2025).

    Supply follows the area type: inner city oversupplied, Sonnenhang and two Gründerzeit areas
    clearly short, Gewerbegebiet and Stadtwald without Kita. Sonnenhang's Kitas opened 2020 onwards,
    five more opened 2017–2024; one Kita in a Großwohnsiedlung closed in 2023; three are planned
    (Sonnenhang 90 places 2027, a short Gründerzeit area 2026, the northern housing area 2028).
    """
    typ = areas["typ"].to_numpy()
    c02, c35 = pop.band(0, 2)[:, -1], pop.band(3, 5)[:, -1]
    ue3, u3, short = _area_supply(typ, c02, c35, int(ktp_latest.sum()), rng)
    rows = [
        dict(area=i, kind=kind, places_u3=k_u3, places_ue3=k_ue3, status="in Betrieb")
        for i in range(len(areas))
        for kind, k_u3, k_ue3 in _split_area(float(ue3[i]), float(u3[i]), rng)
    ]
    kitas = pd.DataFrame(rows).assign(opening_year=pd.NA, closing_year=pd.NA)
    sonnenhang = int(np.flatnonzero(typ == "neubau")[0])
    for n, idx in enumerate(kitas.index[kitas["area"] == sonnenhang]):
        kitas.loc[idx, "opening_year"] = min(2020 + 2 * n, 2025)
    growing = kitas.index[
        np.isin(kitas["area"], np.flatnonzero(typ == "gruenderzeit")) & (kitas["kind"] != "eltern")
    ]
    for idx in rng.choice(growing, 5, replace=False):
        kitas.loc[idx, "opening_year"] = int(rng.integers(2017, 2025))
    closing = int(rng.choice(np.flatnonzero(typ == "grosswohnsiedlung")))
    north = housing_area(next(h for h in HOUSING if h.status == "geplant"), areas)
    changes = pd.DataFrame(
        [  # one Kita closes, three are planned (the last in the area of the planned housing)
            (closing, "stadt", 15, 25, "geschlossen", None, 2023),
            (sonnenhang, "stadt", 30, 60, "geplant", 2027, None),
            (int(short[0]), "awo", 25, 50, "geplant", 2026, None),
            (north, "stadt", 15, 45, "geplant", 2028, None),
        ],
        columns=["area", "kind", "places_u3", "places_ue3", "status", "opening_year", "closing_year"],
    )
    kitas = pd.concat([kitas, changes], ignore_index=True)
    # IDs follow the areas; planned Kitas get the next free numbers.
    kitas = kitas.assign(planned=kitas["status"] == "geplant").sort_values(
        ["planned", "area"], kind="stable", ignore_index=True
    )
    names: dict[str, list[str]] = {k: [str(x) for x in rng.permutation(v)] for k, v in NAME_POOLS.items()}
    named = [_kita_name(kind, names) for kind in kitas["kind"]]
    coords = lonlat(areas, kitas["area"].to_numpy(), rng)
    return pd.DataFrame(
        {
            "kita_id": [f"K{n:03d}" for n in range(1, len(kitas) + 1)],
            "name": [x[0] for x in named],
            "traeger": [x[1] for x in named],
            "traeger_art": [x[2] for x in named],
            "gebiet_id": areas["gebiet_id"].to_numpy()[kitas["area"]],
            "lon": coords[:, 0],
            "lat": coords[:, 1],
            "places_total": kitas["places_u3"] + kitas["places_ue3"],
            "places_u3": kitas["places_u3"],
            "places_ue3": kitas["places_ue3"],
            "status": kitas["status"],
            "opening_year": kitas["opening_year"].astype("Int64"),
            "closing_year": kitas["closing_year"].astype("Int64"),
        }
    )


def _kita_name(kind: str, pools: dict[str, list[str]]) -> tuple[str, str, str]:
    """(name, Träger, Träger-Art) for a Kita of Träger ``kind``, drawing a unique name from ``pools``.

    A church Träger whose patron pool is used up falls back to the city.
    """
    pool = kind if kind in ("ev", "kath") else "x"
    if not pools[pool]:
        kind, pool = "stadt", "x"
    value = pools[pool].pop(0)
    _, traeger, art, pattern = TRAEGER[kind]
    return pattern.format(x=value, st=value), traeger.format(x=value, st=value), art
