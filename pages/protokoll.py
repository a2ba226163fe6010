"""Änderungsprotokoll: every write with person, time, object, before and after (read only)."""

import datetime as dt

import pandas as pd
import streamlit as st

from planning import audit, pages
from planning.auth import Permission, current
from planning.exports import csv_bytes
from planning.formatting import audit_text, local_stamp, number
from ui import data as uidata
from ui.frame import context

context()  # ensures the app frame ran (deep links)
st.title(pages.title("protokoll"))
who = current()
if not who.can(Permission.ADMINISTER):
    st.warning("Das Änderungsprotokoll sehen nur Personen mit der Rolle Administration.")
    st.stop()
st.caption(
    "Jede Änderung an Daten, Szenarien, Zielen, Kommentaren, Sitzungen, Beschlüssen, Arbeitsaufträgen "
    "und Benutzern – mit Person, Zeitpunkt und den Werten vorher und nachher. "
    "Einträge können nicht geändert oder gelöscht werden."
)
engine = uidata.engine()
chain = audit.verify_chain(engine)  # every visit: the chain is the proof nobody edited the trail
if chain.ok:
    st.success(chain.message, icon=":material/verified:")
else:
    st.error(chain.message, icon=":material/gpp_bad:")
c1, c2, c3, c4 = st.columns([1.2, 1.2, 1.4, 2])
objects = {"": "alle", **audit.OBJECT_LABELS}
kind = c1.selectbox("Objekt", list(objects), format_func=lambda k: objects[k], key="audit_objekt")
person = c2.text_input("Benutzername", key="audit_person", placeholder="z. B. j.planer")
today = dt.date.today()
span = c3.date_input(
    "Zeitraum", value=(today - dt.timedelta(days=30), today), format="DD.MM.YYYY", key="audit_zeitraum"
)
text = c4.text_input("Suche in Bezeichnung und Werten", key="audit_suche")
since, until = (span[0], span[-1]) if isinstance(span, tuple) and span else (None, None)
flt = audit.AuditFilter(actor=person.strip().lower(), object_type=kind, since=since, until=until, text=text)
table = audit.events(engine, flt)
# Stored in UTC; shown (and downloaded) in the municipality's time like every other time of the app.
table = table.rename(columns={"Zeitpunkt (UTC)": "Zeitpunkt"})
stamps = pd.to_datetime(table["Zeitpunkt"])
for column in ("vorher", "nachher"):  # the stored JSON, read as German "Feld: Wert" lines
    table[column] = [audit_text(v) for v in table[column]]
table["Zeitpunkt"] = [local_stamp(t.to_pydatetime(), seconds=True) for t in stamps]
st.write(f"**{number(len(table))}** Einträge" + (" (die neuesten 1000)" if len(table) >= 1000 else ""))
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "Zeitpunkt": st.column_config.TextColumn(help="Ortszeit (Europe/Berlin)"),
        "vorher": st.column_config.TextColumn(width="medium"),
        "nachher": st.column_config.TextColumn(width="medium"),
    },
)
st.download_button(
    "Als CSV herunterladen",
    csv_bytes(table, sep=";", bom=True),
    file_name=f"aenderungsprotokoll-{today:%Y-%m-%d}.csv",
    mime="text/csv",
    disabled=table.empty,
    on_click="ignore",
)
