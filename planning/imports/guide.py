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
- deutsche Zahlen: `1.374` (Tausenderpunkt), `35,5 %`, `1.234,5`;
- Altersgruppen, die nicht zur Summe „insgesamt“ passen (Warnung);
- Kitas und Schulen: fehlendes Gebiet wird aus den Koordinaten bestimmt; Standorte außerhalb aller Gebiete
  oder in einem anderen als dem angegebenen Gebiet werden gemeldet (Warnung);
- Gebiete: fehlendes Koordinatensystem (Shapefile ohne .prj), ungültige Geometrien (werden repariert, Warnung),
  Lage außerhalb Deutschlands (falsches Koordinatensystem), doppelte Kennungen; ZIP-Archive werden vor dem
  Entpacken auf Größe und Packdichte geprüft (Schutz vor ZIP-Bomben).

Jede Meldung nennt Datei, Zeile (wie im Tabellenprogramm) und Spalte.

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
        lines.append("")
    return "\n".join(lines)


def write_guide(path: Path) -> None:
    path.write_text(import_guide(), encoding="utf-8")


if __name__ == "__main__":
    write_guide(Path(__file__).resolve().parents[2] / "docs" / "import.md")
