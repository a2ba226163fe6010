"""The German import guide (docs/import.md), generated from the format registry so it never drifts.

``make docs`` rewrites the file; ``tests/test_docs.py`` fails when it is out of date.
"""

from __future__ import annotations

from pathlib import Path

from planning.imports.formats import KINDS

INTRO = """\
# Daten importieren

Planungsatlas übernimmt Dateien der Fachämter als **Datenstände**: jeder Import wird erst vollständig
geprüft und dann in einem Schritt geschrieben. Eine Datei mit Fehlern ändert nichts an der Datenbank.
Jeder Datenstand behält Quelle, Lizenz, Stand (Stichtag), Dateiname, Prüfsumme, Importzeit und Person;
je Datenart ist einer aktiv, ältere bleiben lesbar (`python -m planning versions`, `activate NR`).

## Zwei Wege

- **App**, Bereich *Daten › Import*: Datenart wählen, Datei hochladen, Vorschau ansehen, Spalten zuordnen,
  Prüfbericht lesen, Quelle/Lizenz/Stand angeben, *Importieren*.
- **Kommandozeile** (für wiederkehrende Lieferungen und geplante Läufe):

```bash
python -m planning check KIND DATEI [--mapping PROFIL]            # nur prüfen, Exit-Code 1 bei Fehlern
python -m planning import KIND DATEI [--mapping PROFIL] [--stand 2025-12-31] [--source TEXT] [--licence TEXT]
python -m planning template KIND --out vorlage.csv                # oder .xlsx; Gebiete: .geojson
python -m planning mapping add PROFIL KIND QUELLSPALTE=feld …      # Zuordnung speichern
```

## Was die Prüfung erkennt

- Zeichenkodierung (UTF-8 mit/ohne BOM, Windows-1252, UTF-16 aus Excel) und Trennzeichen (`;`, `,`, Tab, `|`),
  Titelzeilen über der Kopfzeile und Fußnoten darunter;
- HTML-Seiten, die als .csv gespeichert wurden, leere Dateien, Binärdateien, altes .xls, zu große Dateien (100 MB);
- fehlende Pflichtspalten, Werte, die keine Zahl sind, negative Anzahlen, doppelte Zeilen, unbekannte
  Gebietskennungen – mit Hinweis, wenn Excel führende Nullen entfernt hat (`101` statt `0101`);
- Tabellenformeln in Textfeldern (`=HYPERLINK(…)`) werden abgelehnt;
- Fehlwerte `-9999`, `.`, `-`, `x`, leere Zellen gelten als **fehlend, nie als 0**;
- Zahlen in der Schreibweise der Datei, je Spalte aus den Werten bestimmt – für jedes Trennzeichen und jede
  Kodierung gleich: `12,5` oder `1.234,5` zeigen deutsche, `6.25` oder `1,234.5` englische Schreibweise;
  eine Spalte nur mit Werten wie `1.234` übernimmt die Schreibweise der übrigen Spalten, bei ganzen Zahlen
  (Anzahlen, Jahre) die einzige ganzzahlige Lesart – sonst **fragt** die Prüfung (App: *Zahlenformat*;
  Kommandozeile: `--zahlenformat de|en`; im Profil gespeichert), statt zu raten. Eine Spalte, die beide
  Schreibweisen mischt, ist ein Fehler;
- Altersgruppen, die nicht zur Summe „insgesamt“ passen (Warnung);
- Summenzeilen (Stadt, Stadtbezirke) werden erkannt, mit der Summe ihrer Teile verglichen und nicht importiert
  (siehe *Tabellen, wie Städte sie veröffentlichen*);
- Werte für Kennzahlen, die die App selbst berechnet (z. B. `grundschueler`), werden abgelehnt – die Meldung
  nennt die Daten, aus denen sie berechnet werden;
- **Lieferungen, die schrumpfen:** hat eine Lieferung weniger als die Hälfte der Zeilen oder Gebiete des aktiven
  Datenstands, den sie ersetzt (z. B. 1 Kita statt 90), sagt die Prüfung das mit Zahlen, und der Import
  braucht eine ausdrückliche Bestätigung (App: „Ja, ersetzen“; Kommandozeile: `--bestaetigen`). Der bisherige
  Datenstand bleibt erhalten (`python -m planning activate NR`). Kennzahlen vergleichen nur die gelieferten
  Kennzahlen und Jahre, denn die übrigen werden übernommen;
- Kitas und Schulen auch als Geodaten: GeoJSON-Punkte (auch als .txt/.csv gespeichert), Esri JSON,
  gezipptes Shapefile, GeoPackage – das Koordinatensystem der Datei wird umgerechnet; die „Zeile“ einer
  Meldung ist dann die Nummer des Objekts. Tabellen mit Rechts-/Hochwert ordnen die Spalten `x`/`y` zu und
  nennen das Koordinatensystem (`--koordinatensystem EPSG:25832`); ohne Angabe ist das ein Fehler;
- Kitas und Schulen: fehlendes Gebiet wird aus den Koordinaten bestimmt; Standorte außerhalb aller Gebiete
  oder in einem anderen als dem angegebenen Gebiet werden gemeldet (Warnung);
- Gebiete: fehlendes Koordinatensystem (Shapefile ohne .prj), ungültige Geometrien (werden repariert, Warnung),
  Lage außerhalb Deutschlands (falsches Koordinatensystem), doppelte Kennungen; ZIP-Archive werden vor dem
  Entpacken auf Größe und Packdichte geprüft (Schutz vor ZIP-Bomben).

Jede Meldung nennt Datei, Zeile (wie im Tabellenprogramm) und Spalte. Die Zahl der Fehler im Ergebnis ist
die Zahl der Einzelmeldungen: je Art werden die ersten 25 gezeigt, dann „… und N weitere“; eine Zeile, die
schon einen Fehler hat, erzeugt keine Folgemeldung (etwa „Doppelte Zeile“).

## Altersgruppen

`alter` ist ein Einzelalter (`4`) oder ein Band, so wie Statistikämter es schreiben:

| Angabe | gelesen als |
| --- | --- |
| `4`, `04`, `4 Jahre` | 4 |
| `0-2`, `0–2 J.`, `6 bis 9 Jahre` | einschließlich: 0–2, 6–9 |
| `unter 3`, `unter 3 Jahre`, `<3` | 0–2 |
| `0 bis unter 3`, `3 bis u. 6`, `3 - unter 6`, `00 - < 03`, `3 bis unter 6 Jahren` | ohne die Obergrenze: 0–2, 3–5 |
| `75+`, `75 und älter`, `80 u. älter`, `über 80`, `ab 75`, `65 Jahre und mehr` | offen nach oben |
| `insgesamt`, `zusammen`, `gesamt`, `Summe` | alle Alter |

Mehrdeutige Angaben werden **nicht geraten**, sondern als Fehler mit Datei, Zeile und Spalte gemeldet:
`bis 3` (einschließlich 3 oder unter 3?), `>80` (80 und älter oder ab 81?). Fehlt die Zeile „insgesamt“,
ergibt sich die Summe aus Bändern, die alle Alter genau einmal abdecken (z. B. `unter 3` … `75 und älter`).
Bänder werden **als Bänder gespeichert**. Kennzahlen für eine
Altersspanne (z. B. Kinder 3 bis unter 6) werden aus Einzelaltern gebildet, wenn alle vorhanden sind, sonst aus
Bändern, die die Spanne genau abdecken; sonst gilt der Wert als fehlend. Es wird **nicht** stillschweigend
auf Einzelalter verteilt: eine Aufteilung ist ein eigener, ausgewiesener Schritt (z. B. gleichmäßig je Jahrgang),
der in einem Import-Rezept dokumentiert wird.

## Datenarten und ihr Standardformat

Eine Datei in diesem Format wird ohne Zuordnung übernommen (Spaltennamen wie angegeben, Groß-/Kleinschreibung
und Umlaute egal). `*` = Pflichtspalte.

"""


TABLES = """\
## Tabellen, wie Städte sie veröffentlichen

Statistikstellen veröffentlichen selten das Standardformat. Das **Zuordnungsprofil** hält neben der
Spaltenzuordnung fest, wie die Tabelle gebaut ist; im nächsten Jahr genügt dann ein Schritt
(`--mapping PROFIL`, in der App die Auswahl des Profils; dort stehen die Optionen unter *Tabellenform*,
*Zahlenformat*, *Koordinatensystem* und – bei Gebieten – *Ebenen*). Die Optionen:

{options}

Zeilen übergeordneter Gebiete (z. B. Stadtbezirke `001`–`009` über den Stadtteilen) erkennt die Prüfung
selbst, wenn die Datei auch die Zeilen ihrer Teile enthält; sie werden mit der Summe ihrer Teile verglichen
(Warnung bei Abweichung) und nicht importiert, mit einer Zusammenfassung im Prüfbericht. Dateien nur mit
Bezirkszahlen und Kennzahlen von Bezirken (Quoten sind keine Summen) bleiben, wie sie sind. Eine
Stadt-Summenzeile (`000`) nennt man in `summen_ids`.

### Beispiel: breite Tabelle mit Altersgruppen, Jahr im Dateinamen, Summenzeilen

`bevoelkerung_stadtteile_2012.csv` (Windows-1252, Semikolon, eine Titelzeile):

```text
Bevölkerung nach Altersgruppen am 31.12.
Stadtteil;Name;unter 3;3 bis u. 6;6 - unter 18;18 bis 64 Jahre;65 u. älter;Insgesamt
000;Stadt insgesamt;18;30;42;540;66;696
01;Nord;11;22;33;440;55;561
0101;Altstadt;10;20;30;400;50;510
…
```

```bash
python -m planning mapping add bev-breit bevoelkerung Stadtteil=gebiet_id \\
    --breit alter --jahr-aus-dateiname --summen-ids 000
python -m planning check bevoelkerung bevoelkerung_stadtteile_2012.csv --mapping bev-breit
python -m planning import bevoelkerung bevoelkerung_stadtteile_2012.csv --mapping bev-breit
```

Jede Altersspalte wird zu Zeilen (`alter` = Spaltenkopf, `anzahl` = Zelle), das Jahr kommt aus dem
Dateinamen, `000` und die Bezirke `01`, `02` werden geprüft und ausgelassen. Fehlt die Spalte „Insgesamt“,
ergibt sich die Summe aus den Altersgruppen, weil sie alle Alter abdecken.

### Beispiel: lange Datei mit mehreren Tabellen

```text
Tabelle;Gebiet;Jahr;Merkmal;Anzahl
Alter;0101;2012;unter 3;10
Alter;0101;2012;3 bis u. 6;20
Geschlecht;0101;2012;männlich;255
Migration;0101;2012;mit Migrationshintergrund;3
…
```

```bash
python -m planning mapping add bev-lang bevoelkerung Gebiet=gebiet_id Jahr=jahr Merkmal=alter Anzahl=anzahl \\
    --filter Tabelle=Alter
python -m planning import bevoelkerung langform.csv --mapping bev-lang
```

Nur die Zeilen der Tabelle „Alter“ werden gelesen; der Prüfbericht nennt, wie viele Zeilen der Filter behielt.

### Beispiel: Stadtbezirke aus einer zweiten Gebietsdatei

Die Stadtteile (`stadtteile.zip`, Spalten `STT_ID`, `STT_NAME`) haben keine Spalte mit dem Stadtbezirk; die
Stadtbezirke liegen als eigene Datei vor (`stadtbezirke.zip`, Spalten `BEZ_NR`, `BEZ_NAME`):

```bash
python -m planning mapping add stadtteile gebiete STT_ID=gebiet_id STT_NAME=name \
    --ober-datei-id BEZ_NR --ober-datei-name BEZ_NAME
python -m planning import gebiete stadtteile.zip --mapping stadtteile --ober-datei stadtbezirke.zip \
    --gebietsstand 2024 --kommune Musterstadt --ebenen "Stadtbezirk,Stadtteil"
```

Jeder Stadtteil kommt in den Stadtbezirk, in dem der größte Teil seiner Fläche liegt; liegt er zu weniger als
90 % darin, nennt die Prüfung beide Anteile, liegt er in keinem, ist das ein Fehler. Die Grenzen der
Stadtbezirke entstehen aus ihren Stadtteilen (keine Lücken zwischen den Ebenen). Auf der Import-Seite: die
zweite Datei unter „Übergeordnete Ebene“ hochladen und die beiden Spalten wählen.

### Auf der Import-Seite

Datei hochladen, Spalten zuordnen, unter „Tabellenform“ die Form der Tabelle angeben, Quelle und Lizenz
eintragen und mit „Zuordnung als Profil speichern“ sichern: das Profil ist dann gewählt und hält Zuordnung,
Tabellenform, Quelle und Lizenz. Im nächsten Jahr genügt es, die neue Datei hochzuladen und das Profil zu
wählen.

## Kommandozeile: alle Optionen

{cli}
"""

#: Mapping targets beside the canonical columns (accepted by profiles and the area reader).
EXTRA_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "gebiete": (("ober_name", "Name des übergeordneten Gebiets (zu `ober_gebiet_id`)"),),
}


def _options_table() -> str:
    from planning.imports.shape import OPTIONS

    rows = ["| Option | Beispiel | Bedeutung | Kommandozeile |", "| --- | --- | --- | --- |"]
    rows += [
        f"| `{o.key}` | `{o.example}` | {o.help_de} | `{o.cli.replace('|', chr(92) + '|')}` |"
        for o in OPTIONS
    ]
    return "\n".join(rows)


def _cli_tables() -> str:
    import argparse

    from planning.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    out = []
    for command in ("check", "import", "mapping"):
        parser = sub.choices[command]
        out += [f"### `python -m planning {command}`", "", "| Option | Bedeutung |", "| --- | --- |"]
        for action in parser._actions:
            if not action.option_strings or "--help" in action.option_strings:
                continue
            arg = ""
            if action.choices:
                arg = " " + "|".join(map(str, action.choices))
            elif action.nargs != 0:
                arg = " " + (action.metavar or action.dest.upper())
            text = (action.help or "").replace("|", "\\|")
            option = f"{action.option_strings[-1]}{arg}".replace("|", "\\|")
            out.append(f"| `{option}` | {text} |")
        out.append("")
    return "\n".join(out).rstrip()


def import_guide() -> str:
    lines = [INTRO.rstrip("\n"), ""]
    for kind, spec in KINDS.items():
        lines += [
            f"### `{kind}` – {spec.label_de}",
            "",
            spec.help_de,
            "",
            "| Spalte | Bedeutung | Beispiel |",
            "| --- | --- | --- |",
        ]
        for f in spec.fields:
            lines.append(f"| `{f.name}`{' *' if f.required else ''} | {f.help_de} | {f.example or '–'} |")
        for fname, help_de in EXTRA_FIELDS.get(kind, ()):
            lines.append(f"| `{fname}` | {help_de} | – |")
        lines.append("")
    lines.append(TABLES.format(options=_options_table(), cli=_cli_tables()))
    return "\n".join(lines)


def write_guide(path: Path) -> None:
    path.write_text(import_guide(), encoding="utf-8")


if __name__ == "__main__":
    write_guide(Path(__file__).resolve().parents[2] / "docs" / "import.md")
