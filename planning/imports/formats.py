"""The canonical import format of every data kind: German headers, types, an example row.

A file in this format always imports without a mapping (CSV with ``;`` or ``,``, UTF-8 or
Windows-1252, or XLSX). ``python -m planning template KIND --out FILE`` writes it with the example
row. The kind names are the CLI's KIND words and the ``DatasetVersion.kind`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["id", "text", "int", "float", "year", "age", "schuljahr", "sex", "lon", "lat"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    required: bool
    help_de: str
    example: str
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label_de: str
    fields: tuple[FieldSpec, ...]
    #: Fields that identify a row; a repeated combination is an error.
    key: tuple[str, ...]
    help_de: str
    geometry: bool = False

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"Feld „{name}“ gibt es bei {self.kind} nicht. Felder: {', '.join(self.field_names)}")


def _f(
    name: str,
    type_: FieldType,
    required: bool,
    help_de: str,
    example: str,
    minimum: float | None = None,
    maximum: float | None = None,
) -> FieldSpec:
    return FieldSpec(name, type_, required, help_de, example, minimum, maximum)


_GEBIET = _f(
    "gebiet_id",
    "id",
    True,
    "Kennung des Gebiets im aktiven Gebietsstand (Text, führende Nullen bleiben erhalten)",
    "0101",
)
_YEAR = _f("jahr", "year", True, "Jahr des Stichtags (Bevölkerung: 31.12.)", "2025", 1900, 2100)

KINDS: dict[str, KindSpec] = {
    "gebiete": KindSpec(
        "gebiete",
        "Gebiete (Geometrien)",
        (
            _f("gebiet_id", "id", True, "eindeutige Kennung des Gebiets", "0101"),
            _f("name", "text", True, "Name des Gebiets (muss nicht eindeutig sein)", "Altstadt"),
            _f("ober_gebiet_id", "id", False, "Kennung des übergeordneten Gebiets (z. B. Stadtbezirk)", "01"),
        ),
        ("gebiet_id",),
        "GeoJSON, GeoPackage oder gezipptes Shapefile mit Koordinatensystem (.prj).",
        geometry=True,
    ),
    "bevoelkerung": KindSpec(
        "bevoelkerung",
        "Bevölkerung nach Alter",
        (
            _GEBIET,
            _YEAR,
            _f(
                "alter",
                "age",
                True,
                "Einzelalter 0…17 oder Band wie 3-5 (einschließlich), 18+; „insgesamt“ für die Summe",
                "4",
            ),
            _f("anzahl", "int", True, "Einwohner:innen", "312", 0),
            _f("geschlecht", "sex", False, "m, w, d oder leer für alle", ""),
        ),
        ("gebiet_id", "jahr", "alter", "geschlecht"),
        "Einwohner:innen je Gebiet, Jahr und Alter.",
    ),
    "geburten": KindSpec(
        "geburten",
        "Geburten",
        (_GEBIET, _YEAR, _f("anzahl", "int", True, "Lebendgeborene im Jahr", "121", 0)),
        ("gebiet_id", "jahr"),
        "Lebendgeborene je Gebiet und Jahr.",
    ),
    "kitas": KindSpec(
        "kitas",
        "Kitas",
        (
            _f("kita_id", "id", True, "eindeutige Kennung der Einrichtung", "K001"),
            _f("name", "text", True, "Name der Einrichtung", "Kita Sonnenschein"),
            _f("traeger", "text", False, "Träger", "AWO Kreisverband"),
            _f("gebiet_id", "id", False, "Gebiet; leer = aus den Koordinaten bestimmt", "0101"),
            _f("lon", "lon", False, "Längengrad WGS84", "9.4312"),
            _f("lat", "lat", False, "Breitengrad WGS84", "54.7861"),
            _f("plaetze_gesamt", "int", True, "genehmigte Plätze insgesamt (Betriebserlaubnis)", "75", 0),
            _f("plaetze_u3", "int", False, "davon für Kinder unter 3", "15", 0),
            _f("plaetze_ue3", "int", False, "davon für Kinder ab 3", "60", 0),
            _f(
                "eroeffnung_jahr",
                "year",
                False,
                "Jahr der Eröffnung (leer = schon immer in Betrieb)",
                "",
                1800,
                2100,
            ),
            _f("schliessung_jahr", "year", False, "Jahr der Schließung (leer = in Betrieb)", "", 1800, 2100),
            _f("x", "float", False, "Rechtswert im angegebenen Koordinatensystem (statt lon/lat)", ""),
            _f("y", "float", False, "Hochwert im angegebenen Koordinatensystem (statt lon/lat)", ""),
        ),
        ("kita_id",),
        "Eine Zeile je Kita; Gebiet oder Koordinaten dürfen fehlen, das andere wird bestimmt.",
    ),
    "kindertagespflege": KindSpec(
        "kindertagespflege",
        "Kindertagespflege",
        (_GEBIET, _YEAR, _f("plaetze", "int", True, "Plätze in Kindertagespflege", "12", 0)),
        ("gebiet_id", "jahr"),
        "Plätze in Kindertagespflege je Gebiet und Jahr.",
    ),
    "schulen": KindSpec(
        "schulen",
        "Schulen",
        (
            _f("schul_id", "id", True, "Schulnummer (Dienststellennummer)", "0702020"),
            _f("name", "text", True, "Name der Schule", "Grundschule Am Mühlenteich"),
            _f(
                "schulart",
                "text",
                True,
                "Grundschule, Gemeinschaftsschule, Gymnasium, Förderschule …",
                "Grundschule",
            ),
            _f("gebiet_id", "id", False, "Gebiet; leer = aus den Koordinaten bestimmt", "0101"),
            _f("lon", "lon", False, "Längengrad WGS84", "9.4312"),
            _f("lat", "lat", False, "Breitengrad WGS84", "54.7861"),
            _f("zuege", "float", False, "Zügigkeit (Parallelklassen je Jahrgang)", "3", 0, 20),
            _f(
                "ganztag_plaetze",
                "int",
                False,
                "Plätze im Ganztag (Hort, offene/gebundene Ganztagsschule)",
                "120",
                0,
            ),
            _f("x", "float", False, "Rechtswert im angegebenen Koordinatensystem (statt lon/lat)", ""),
            _f("y", "float", False, "Hochwert im angegebenen Koordinatensystem (statt lon/lat)", ""),
        ),
        ("schul_id",),
        "Eine Zeile je Schule.",
    ),
    "schueler": KindSpec(
        "schueler",
        "Schüler:innen nach Klassenstufe",
        (
            _f("schul_id", "id", True, "Schulnummer wie in der Schulliste", "0702020"),
            _f("schuljahr", "schuljahr", True, "Schuljahr, z. B. 2025/26", "2025/26"),
            _f(
                "klassenstufe",
                "int",
                False,
                "Klassenstufe 1–13; leer = alle Klassenstufen zusammen (wenn die "
                "Statistik nur Gesamtzahlen je Schule hat)",
                "1",
                1,
                13,
            ),
            _f("schueler", "int", True, "Schüler:innen", "74", 0),
            _f("klassen", "int", False, "gebildete Klassen", "3", 0),
        ),
        ("schul_id", "schuljahr", "klassenstufe"),
        "Schüler:innen je Schule, Schuljahr und Klassenstufe.",
    ),
    "kennzahlen": KindSpec(
        "kennzahlen",
        "Kennzahlen",
        (
            _GEBIET,
            _YEAR,
            _f("kennzahl", "id", True, "Code der Kennzahl (siehe Kennzahlenregister)", "kinderarmut"),
            _f("wert", "float", False, "Wert (bei Quoten in der Einheit der Kennzahl)", "23,4"),
            _f("zaehler", "float", False, "Zähler (bei Quoten)", "187", 0),
            _f("nenner", "float", False, "Nenner (bei Quoten)", "799", 0),
        ),
        ("gebiet_id", "jahr", "kennzahl"),
        "Werte beliebiger Kennzahlen je Gebiet und Jahr.",
    ),
    "wohnbau": KindSpec(
        "wohnbau",
        "Wohnungsbau",
        (
            _f("projekt_id", "id", True, "Kennung des Vorhabens", "W01"),
            _f("name", "text", True, "Name des Vorhabens", "Sonnenhang"),
            _GEBIET,
            _f("wohneinheiten", "int", True, "Wohneinheiten", "450", 0),
            _f("fertigstellung_jahr", "year", True, "Jahr der Fertigstellung (Bezug)", "2027", 1900, 2100),
        ),
        ("projekt_id",),
        "Wohnungsbauvorhaben mit Wohneinheiten und Fertigstellungsjahr.",
    ),
}


def get_kind(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise KeyError(f"Unbekannte Datenart „{kind}“. Gültig: {', '.join(KINDS)}") from None
