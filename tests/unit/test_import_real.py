"""The generic import on real open-data files as cities publish them (read only, never committed)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planning.imports.points import read_points
from planning.imports.readers import read_table
from planning.imports.validate import check_table

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "flensburg"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/real/flensburg fehlt")


def test_flensburg_wide_age_table_through_the_profile_options():
    """tab_5: one column per age band ('unter_18' … '80_und_älter', plus overlapping extra groups)."""
    raw = read_table(REAL / "population" / "tab_5_einwohner_in_stadtteilen_2021_nach_altersgruppen.csv")
    checked = check_table(raw, "bevoelkerung", {"id": "gebiet_id"}, options={"breit": "alter", "jahr": 2021})
    assert checked.ok, [str(p) for p in checked.errors]
    areas = raw.frame["id"].nunique()
    band_columns = [c for c in raw.frame.columns if c not in ("id", "stadtteil")]
    assert len(checked.frame) == areas * len(band_columns)
    f = checked.frame.assign(
        band=[
            (int(a), None if pd.isna(b) else int(b))
            for a, b in zip(checked.frame["age_from"], checked.frame["age_to"], strict=True)
        ]
    )
    tiles = {(0, 17), (18, 29), (30, 44), (45, 64), (65, 79), (80, None)}
    assert set(f["band"]) == tiles | {(0, None), (0, 6), (60, None)}
    # the file's own 'gesamt' per area against the bands that tile all ages
    parts = f[f["band"].isin(tiles)].groupby("gebiet_id")["anzahl"].sum()
    total = f[f["band"] == (0, None)].set_index("gebiet_id")["anzahl"]
    mismatch = int((parts != total.reindex(parts.index)).sum())
    warnings = [p for p in checked.warnings if "ergeben" in p.message]
    assert len(warnings) == mismatch  # every mismatch the data has is reported, no more


def test_flensburg_kita_geojson_is_read_as_points():
    raw = read_points(REAL / "kitas" / "kitas_in_flensburg.geojson")
    csv_rows = len(pd.read_csv(REAL / "kitas" / "kitas_in_flensburg.csv"))
    assert len(raw.frame) == csv_rows
    lon = raw.frame["lon"].astype(float)
    lat = raw.frame["lat"].astype(float)
    assert lon.between(9.3, 9.6).all() and lat.between(54.7, 54.9).all()
    mapping = {
        "address": "kita_id",
        "facility": "name",
        "institution": "traeger",
        "childcare_places": "plaetze_gesamt",
    }
    checked = check_table(raw, "kitas", mapping)
    assert not [p for p in checked.errors if p.column == "childcare_places"]
    assert (
        checked.frame["plaetze_gesamt"].notna().sum()
        == pd.to_numeric(raw.frame["childcare_places"]).notna().sum()
    )
