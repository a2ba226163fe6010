"""The planning scene in a real browser: "Where will Kita places be missing in 2028, and what if …?"

Kita page for 2028 (KPI cards, district table worst first, click the worst district on the map →
its timeline), Szenarien (Basis against "Grundschule Sonnenhang 2028", Kennzahl "Bilanz
Eingangsklassen": which districts change, difference map), Kohortenkette of that district (is there
room in primary school, and with the scenario's three extra Züge?), and the copied link opens the
same scenario, plan year and district in a fresh session.

What the page shows is read from the page (worst district, changed districts); the figures are
checked against what the scenario's measures imply (the Züge it adds), not against hard-coded
forecast numbers.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Locator, Page, expect

from scripts.screenshots import RUN_TIMEOUT_MS, choose, follow_nav, nav_links, selected, settle, wait_for_run

from .conftest import open_app, shot, wait_for_map

PLAN_YEAR = 2028
SCENARIO = "Grundschule Sonnenhang 2028"
SCENARIO_ZUEGE = 3  # its measure: +3 Züge in 0405 from school year 2028
BASELINE = "Basis"
KITA_YEAR_SLIDER = "Kita-Jahr (ab 1. August)"
LEVEL = "Planungsraum"  # the demo's finest level, the frame's default
DISTRICT_BOX = f"{LEVEL} für die Zeitreihe"

#: JS: a point (viewport pixels) inside the map area ``name`` that only its fill covers – away from
#: borders, Kita markers and other areas – so a click there selects exactly that area. Returns
#: ``{gid, x, y}`` or ``{gid, error}``.
AREA_POINT_JS = """name => {
  const g = Array.from(document.querySelectorAll('.js-plotly-plot'))
                 .find(g => g._fullLayout && g._fullLayout.map);
  if (!g) return {error: 'keine Karte'};
  const map = g._fullLayout.map._subplot.map;
  const tr = g._fullData.find(t => t.type === 'choroplethmap' && t.visible === true
                                   && (t.customdata || []).some(c => c[0] === name));
  if (!tr) return {error: 'Gebiet nicht in der Karte: ' + name};
  const gid = tr.customdata.find(c => c[0] === name)[2];
  // The layer is a static file (URL) that plotly fetched once and keeps in PlotlyGeoAssets.
  const gj = typeof tr.geojson === 'string' ? (window.PlotlyGeoAssets || {})[tr.geojson] : tr.geojson;
  if (!gj) return {error: 'Geometrie nicht geladen'};
  const feat = gj.features.find(f => f.properties.gebiet_id === gid);
  const polys = feat.geometry.type === 'Polygon' ? [feat.geometry.coordinates] : feat.geometry.coordinates;
  const inside = (lon, lat) => polys.some(rings => rings.reduce((inn, ring, k) => {
    let c = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i], [xj, yj] = ring[j];
      if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) c = !c;
    }
    return k === 0 ? c : inn && !c;  // outer ring in, holes out
  }, false));
  const pts = polys.flat(2);
  const lons = pts.map(p => p[0]), lats = pts.map(p => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const box = map.getCanvas().getBoundingClientRect();
  const fill = 'plotly-trace-layer-' + tr.uid + '-fill';
  const ok = [];
  const N = 24, R = 9;
  for (let i = 1; i < N; i++) for (let j = 1; j < N; j++) {
    const lon = x0 + (x1 - x0) * i / N, lat = y0 + (y1 - y0) * j / N;
    if (!inside(lon, lat)) continue;
    const p = map.project([lon, lat]);
    if (p.x < R || p.y < R || p.x > box.width - R || p.y > box.height - R) continue;
    const hits = map.queryRenderedFeatures([[p.x - R, p.y - R], [p.x + R, p.y + R]]);
    const only = hits.length > 0 && hits.every(h => h.layer.id === fill)
                 && new Set(hits.map(h => JSON.stringify(h.properties.ct))).size === 1;
    if (only) ok.push({x: box.left + p.x, y: box.top + p.y, lon, lat});
  }
  if (!ok.length) return {gid, error: 'kein freier Klickpunkt im Gebiet'};
  const mx = ok.reduce((s, p) => s + p.x, 0) / ok.length, my = ok.reduce((s, p) => s + p.y, 0) / ok.length;
  ok.sort((a, b) => Math.hypot(a.x - mx, a.y - my) - Math.hypot(b.x - mx, b.y - my));
  return {gid, x: ok[0].x, y: ok[0].y};
}"""

#: JS: the choropleth values of the map in the element with key ``key`` as {gebiet_id: z}.
MAP_VALUES_JS = """key => {
  const g = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  if (!g || !g._fullData) return null;
  const out = {};
  g._fullData.filter(t => t.type === 'choroplethmap' && t.visible === true && t.name !== 'Ausgewählt')
    .forEach(t => (t.locations || []).forEach((loc, i) => { out[loc] = t.z ? t.z[i] : null; }));
  return out;
}"""


def look(page: Page, name: str) -> None:
    """No exception and no refused plan on the page, then a screenshot ``tests/artifacts/e2e/<name>``."""
    errors = page.get_by_test_id("stException")
    assert errors.count() == 0, f"{name}: {errors.all_inner_texts()}"
    refused = page.get_by_text("Keine Bedarfsplanung möglich", exact=False)
    assert refused.count() == 0, f"{name}: {refused.all_inner_texts()}"
    shot(page, name)


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def number(text: str) -> float:
    """A number as the app formats it ("1.327", "-116", "−3,5")."""
    return float(text.strip().replace("\u2212", "-").replace(".", "").replace(",", "."))


def grid_rows(grid: Locator) -> list[list[str]]:
    """The rendered rows of an ``st.dataframe`` (its accessible table), header excluded.

    The grid renders only the rows in view (about 14 at the tables' height): enough for "first".
    """
    expect(grid.locator('tbody tr[role="row"]').first).to_be_attached()
    rows = grid.locator('tbody tr[role="row"]').evaluate_all(
        "rows => rows.map(r => Array.from(r.querySelectorAll('td')).map(td => td.textContent.trim()))"
    )
    return [list(r) for r in rows]


def grid_header(grid: Locator) -> list[str]:
    return [t.strip() for t in grid.locator('thead th[role="columnheader"]').all_text_contents()]


def table_rows(table: Locator) -> list[list[str]]:
    """The body rows of an ``st.table`` (an HTML table), as cell texts."""
    rows = table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.querySelectorAll('td')).map(td => td.textContent.trim()))"
    )
    return [list(r) for r in rows]


def chart_title(page: Page, key: str) -> Locator:
    return page.locator(f".st-key-{key} .gtitle")


def slider_value(page: Page, label: str) -> str:
    return str(page.locator(f'input[type="range"][aria-label="{label}"]').get_attribute("aria-valuetext"))


def go_to(page: Page, label: str) -> None:
    links = nav_links(page)
    index = next((i for i, (name, _) in enumerate(links) if name == label), None)
    assert index is not None, f"„{label}“ fehlt in der Navigation: {links}"
    follow_nav(page, index, links[index][1])
    errors = page.get_by_test_id("stException")
    assert errors.count() == 0, f"{label}: {errors.all_inner_texts()}"


def multiselect_values(page: Page, label: str) -> list[str]:
    box = page.get_by_test_id("stMultiSelect").filter(has=page.locator(f'input[aria-label="{label}"]'))
    tags = box.locator("[data-tag]").evaluate_all("ts => ts.map(t => t.getAttribute('aria-label'))")
    return [str(t) for t in tags]


def set_multiselect(page: Page, label: str, options: list[str]) -> None:
    """Empty the multiselect ``label``, then pick ``options`` in this order (as a user would)."""
    box = page.get_by_test_id("stMultiSelect").filter(has=page.locator(f'input[aria-label="{label}"]'))
    if multiselect_values(page, label):
        box.get_by_role("button", name="Clear all").click()
        wait_for_run(page)
        expect(box.locator("[data-tag]")).to_have_count(0)
    field = box.locator(f'input[aria-label="{label}"]')
    for n, option in enumerate(options, start=1):
        field.click()
        field.fill(option)
        page.get_by_role("option", name=option, exact=True).click()
        expect(box.locator("[data-tag]")).to_have_count(n)
        field.press("Escape")
        wait_for_run(page)
    assert multiselect_values(page, label) == options


def click_area(page: Page, map_key: str, name: str) -> str:
    """Click the area ``name`` on the map in element ``map_key``; returns its id."""
    page.locator(f".st-key-{map_key}").scroll_into_view_if_needed()
    wait_for_map(page)
    spot: dict[str, Any] = page.evaluate(AREA_POINT_JS, name)
    assert "error" not in spot, f"Kein Klickpunkt für „{name}“ auf der Karte: {spot}"
    page.mouse.click(spot["x"], spot["y"])
    wait_for_run(page)
    return str(spot["gid"])


def entry_lines(page: Page, district: str) -> list[str]:
    block = page.get_by_test_id("stMarkdownContainer").filter(
        has_text=f"Ist Platz in der Grundschule? ({district})"
    )
    expect(block).to_have_count(1)
    return [t.strip() for t in block.locator("li").all_inner_texts()]


def zuege(lines: list[str]) -> list[int]:
    found = [re.search(r"(\d+) Züge vorhanden", line) for line in lines]
    assert all(found), f"„Züge vorhanden“ fehlt: {lines}"
    return [int(m.group(1)) for m in found if m]


def test_kita_gaps_2028_what_if_and_shared_link(page, page_factory, base_url):
    # 1. Kita page for 2028: KPI cards, map, districts worst first.
    open_app(page, base_url, query=f"planjahr={PLAN_YEAR}", path="/kita")
    wait_for_map(page)
    expect(page.locator("h1")).to_have_text("Kita-Versorgung")
    assert slider_value(page, KITA_YEAR_SLIDER) == str(PLAN_YEAR)
    for label in ("U3-Bedarf", "U3-Plätze", "Ü3-Bedarf", "Ü3-Plätze"):
        card = page.get_by_test_id("stMetric").filter(has_text=f"{label} {PLAN_YEAR}")
        expect(card).to_have_count(1)
        expect(card.get_by_test_id("stMetricValue")).to_have_text(re.compile(r"^\d{1,3}(\.\d{3})*$"))
    for label in ("U3-Plätze", "Ü3-Plätze"):  # balance as delta under the places
        card = page.get_by_test_id("stMetric").filter(has_text=f"{label} {PLAN_YEAR}")
        expect(card.get_by_test_id("stMetricDelta")).to_have_text(re.compile(r"^-?[\d.]+$"))
    # Beside the map: the worst twelve as a plain table; all rows sortable one click away.
    ranking = page.get_by_test_id("stTable").first
    heads = [LEVEL, "U3", "Ü3", "Fehlend (U3 + Ü3)", "Spanne Fehlend (U3 + Ü3)"]
    # U3 and Ü3 side by side, never netted; the range of the sorted figure beside it
    expect(ranking.locator("thead th")).to_have_text(heads, timeout=RUN_TIMEOUT_MS)
    expect(ranking.locator("tbody tr")).to_have_count(12)
    rows = table_rows(ranking)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    page.get_by_text("Alle 32 Planungsräume (Tabelle, sortierbar)").click()
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=RUN_TIMEOUT_MS)
    assert grid_rows(grid)[:12] == rows
    assert grid_header(grid) == heads
    total = [number(r[3]) for r in rows]
    assert total == sorted(total), f"Tabelle nicht nach fehlenden Plätzen sortiert: {rows}"
    assert all(
        abs(t - min(number(r[1]), 0) - min(number(r[2]), 0)) <= 1 for t, r in zip(total, rows, strict=True)
    )
    worst = rows[0][0]
    assert total[0] < 0, f"Erste Zeile ohne Lücke: {rows[0]}"
    assert worst == "Sonnenhang", f"Größte Lücke der Demo-Kommune 2028 erwartet in Sonnenhang: {rows[:3]}"
    expect(
        page.get_by_text(
            re.compile(r"^Platzbilanz Kita negativ \(rot in der Karte\): \d+ von 32 Planungsräume")
        )
    ).to_be_visible()
    # The time series is folded (drawn only when opened); one click opens the city's.
    expect(chart_title(page, "kita_timeline")).to_have_count(0)
    page.get_by_text("Zeitverlauf: Bedarf und Plätze", exact=False).click()
    expect(chart_title(page, "kita_timeline")).to_have_text(
        "Gesamtstadt: Bedarf und Plätze", timeout=RUN_TIMEOUT_MS
    )
    look(page, "plan_01_kita_2028.png")

    # 2. Click the worst district on the map: selector, timeline title and URL follow.
    gid = click_area(page, "plan_map", worst)
    expect(chart_title(page, "kita_timeline")).to_have_text(
        f"{worst}: Bedarf und Plätze", timeout=RUN_TIMEOUT_MS
    )
    assert selected(page, DISTRICT_BOX) == f"{worst} ({gid})"
    assert query(page).get("gebiet") == gid, page.url
    wait_for_map(page)
    look(page, "plan_02_kita_gebiet.png")

    # 3. Szenarien: Basis against the new primary school, entry classes.
    go_to(page, "Szenarien")
    expect(page.locator("h1")).to_have_text("Szenarien")
    set_multiselect(page, "Szenarien vergleichen", [BASELINE, SCENARIO])
    choose(page, "Kennzahl", "Bilanz Eingangsklassen")
    settle(page)
    assert slider_value(page, "Planjahr (Kita- und Schuljahr ab 1. August)") == str(
        PLAN_YEAR
    )  # the plan year came along
    expect(chart_title(page, "compare_lines")).to_have_text(f"{worst}: Bilanz Eingangsklassen")
    expect(
        page.get_by_text(f"Unterschied {PLAN_YEAR}: „{SCENARIO}“ minus „{BASELINE}“", exact=False)
    ).to_be_visible()
    expect(page.get_by_text("1 Planungsraum ändert sich", exact=True)).to_be_visible()
    changed = page.get_by_test_id("stDataFrame").first
    assert grid_header(changed) == [LEVEL, "Differenz"]
    diff_rows = grid_rows(changed)
    assert [r[0] for r in diff_rows] == [worst], diff_rows
    assert number(diff_rows[0][1]) == SCENARIO_ZUEGE, diff_rows
    wait_for_map(page)
    values = page.evaluate(MAP_VALUES_JS, "compare_map")
    assert values, "Differenzkarte ohne Werte"
    assert values.get(gid) == SCENARIO_ZUEGE, values
    assert all(v == 0 for g, v in values.items() if g != gid), values
    expect(page.get_by_text(f"{SCENARIO}:", exact=False).first).to_be_visible()  # the measures
    look(page, "plan_03_szenarien_vergleich.png")

    # 4. Kohortenkette of the district: room in primary school, then with the scenario.
    go_to(page, "Kohortenkette")
    expect(page.locator("h1")).to_have_text("Kohortenkette")
    assert selected(page, LEVEL) == f"{worst} ({gid})"
    expect(chart_title(page, "cohort_chart")).to_have_text(
        f"{worst}: Geburt → U3 → Ü3 → Grundschule und Ganztag"
    )
    base_lines = entry_lines(page, worst)
    assert base_lines, "Keine Jahrgänge unter „Ist Platz in der Grundschule?“"
    look(page, "plan_04_kohorten_basis.png")
    choose(page, "Szenario", SCENARIO)
    settle(page)
    what_if = entry_lines(page, worst)
    assert len(what_if) == len(base_lines)
    # Every default cohort enters school from 2028 on, so each one gets the scenario's extra Züge.
    assert zuege(what_if) == [z + SCENARIO_ZUEGE for z in zuege(base_lines)], (base_lines, what_if)
    expect(page.get_by_text(f"Annahmen dieser Zahlen (Szenario „{SCENARIO}“)")).to_be_visible()
    look(page, "plan_05_kohorten_szenario.png")

    # 5. The copied link brings scenario, plan year and district back in a fresh session.
    link = page.url
    params = query(page)
    assert params.get("szenario") == SCENARIO, link
    assert params.get("planjahr") == str(PLAN_YEAR), link
    assert params.get("gebiet") == gid, link
    other = page_factory()
    parts = urlsplit(link)
    open_app(other, base_url, query=parts.query, path=parts.path)
    settle(other)
    expect(other.locator("h1")).to_have_text("Kohortenkette")
    assert selected(other, "Szenario") == SCENARIO
    assert selected(other, LEVEL) == f"{worst} ({gid})"
    assert entry_lines(other, worst) == what_if
    for key in ("szenario", "planjahr", "gebiet"):
        assert query(other).get(key) == params[key], other.url
    go_to(other, "Kita-Versorgung")
    wait_for_map(other)
    assert selected(other, "Szenario") == SCENARIO
    assert slider_value(other, KITA_YEAR_SLIDER) == str(PLAN_YEAR)
    assert selected(other, DISTRICT_BOX) == f"{worst} ({gid})"
    expect(chart_title(other, "kita_timeline")).to_have_text(f"{worst}: Bedarf und Plätze")
    for key in ("szenario", "planjahr", "gebiet"):
        assert query(other).get(key) == params[key], other.url
    look(other, "plan_06_link_kita.png")
