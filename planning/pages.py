"""The app's pages and the parameters of a view: one registry, without Streamlit.

The navigation (``app.py``), the URL state (``ui/state.py``), saved views, meeting links, the
decision paper and the tests all read page titles, default indicators and URL keys from here, so a
page is renamed or given another default indicator in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page of the app."""

    slug: str  # URL path and the page's key in saved views ("kita")
    title: str  # navigation entry and page heading
    icon: str  # Material icon of the navigation
    section: str  # navigation group
    #: Indicator a page with an indicator choice opens with (saved views without one use it too).
    default_indicator: str | None = None
    #: The page draws plotly charts (the browser is asked for the chart module early: ui/preload.py).
    charts: bool = True

    @property
    def file(self) -> str:
        return f"pages/{self.slug}.py"


_SOCIAL = "Jugendhilfe & Sozialraum"
PAGES: tuple[Page, ...] = (
    Page("lagebild", "Lagebild", ":material/dashboard:", "Lagebild", "versorgung_u3"),
    Page("kita", "Kita-Versorgung", ":material/child_care:", "Kita", "versorgung_ue3"),
    Page("schule", "Schule & Ganztag", ":material/school:", "Schule", "ganztag_quote"),
    Page("sozialraum", "Jugendhilfe & Soziales", ":material/diversity_3:", _SOCIAL, "kinderarmut"),
    Page("stadtteilprofil", "Stadtteilprofil", ":material/location_city:", _SOCIAL),
    Page("querschnitt", "Quervergleich", ":material/scatter_plot:", _SOCIAL, "versorgung_u3"),
    Page("szenarien", "Szenarien", ":material/compare_arrows:", "Szenarien"),
    Page("kohorten", "Kohortenkette", ":material/timeline:", "Szenarien"),
    Page("prognose", "Prognosegüte", ":material/fact_check:", "Szenarien"),
    Page("steuerkreis", "Sitzung & Beschlüsse", ":material/gavel:", "Steuerkreis"),
    Page("kennzahlen", "Kennzahlen & Ziele", ":material/flag:", "Daten", charts=False),
    Page("datenstaende", "Datenstände", ":material/database:", "Daten"),
    Page("import", "Import", ":material/upload_file:", "Daten", charts=False),
    Page("protokoll", "Änderungsprotokoll", ":material/history:", "Daten", charts=False),
)  # fmt: skip

BY_SLUG: dict[str, Page] = {p.slug: p for p in PAGES}

#: The app's start page (served at "/", not at "/lagebild").
DEFAULT_PAGE = "lagebild"


def title(slug: str) -> str:
    """The page's title; an unknown slug (a view saved by an older version) is shown as it is."""
    page = BY_SLUG.get(slug)
    return page.title if page else slug


def default_indicator(slug: str, fallback: str = "versorgung_u3") -> str:
    """The indicator the page opens with."""
    page = BY_SLUG.get(slug)
    return (page.default_indicator if page else None) or fallback


def sections() -> dict[str, list[Page]]:
    """The navigation groups in order, each with its pages."""
    out: dict[str, list[Page]] = {}
    for page in PAGES:
        out.setdefault(page.section, []).append(page)
    return out


# --- URL keys of a view (links, saved views, the paper) -------------------------------------------
# German and short, so a link is readable; saved views store their state under these keys.
LAYOUT = "gebietsstand"
LEVEL = "ebene"
YEAR = "jahr"
INDICATOR = "kennzahl"
DISTRICT = "gebiet"
SCENARIO = "szenario"
PLAN_YEAR = "planjahr"
INDICATOR_SET = "set"
CROSS_X = "x"
CROSS_Y = "y"
#: Kita/Schule: "Bedarfsplanung" or "Ist-Kennzahlen".
DOMAIN_VIEW = "teil"
SNAPSHOT = "ansicht"
MEETING = "sitzung"
AGENDA_POS = "top"

#: The part of the Kita and Schule pages a view opens on.
PLAN_PART = "Bedarfsplanung"
FACTS_PART = "Ist-Kennzahlen"

#: Pages with a planning part and an indicator part.
PLAN_PAGES: tuple[str, ...] = ("kita", "schule")


def shows_plan(slug: str, state: dict[str, str]) -> bool:
    """True where a view with this page and state shows the forecast plan (the Szenarien page, or
    the Kita/Schule pages on their planning part), not an indicator."""
    part = state.get(DOMAIN_VIEW) or PLAN_PART
    return slug == "szenarien" or (slug in PLAN_PAGES and part != FACTS_PART)
