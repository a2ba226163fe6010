"""Reading vector files safely: GeoJSON (incl. the legacy ``crs`` member), GeoPackage, Shapefile (zipped).

Zip archives are checked before anything is extracted: member count, total expanded size and
compression ratio are limited (a zip bomb is refused), paths may not leave the target folder, and
a Shapefile needs its ``.prj`` – a layer without a coordinate reference system is refused.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from pathlib import Path

import geopandas as gpd
import pyogrio

MAX_VECTOR_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
MAX_ZIP_EXPANDED = 500 * 1024 * 1024
MAX_ZIP_RATIO = 200
SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")


class VectorFileError(ValueError):
    """A vector file that cannot be read; the message is German and names the file."""


def read_vector(path: Path, name: str | None = None, max_features: int | None = None) -> gpd.GeoDataFrame:
    """Read the first layer of a vector file; refuses missing CRS, zip bombs and unknown formats.
    ``max_features``: only the first features (a preview of columns and rows, not the whole file)."""
    name = name or path.name
    if not path.is_file() or path.stat().st_size == 0:
        raise VectorFileError(f"{name}: Die Datei ist leer oder fehlt.")
    if path.stat().st_size > MAX_VECTOR_BYTES:
        raise VectorFileError(f"{name}: Die Datei ist zu groß (erlaubt sind {MAX_VECTOR_BYTES // 2**20} MB).")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise VectorFileError(
            f"{name}: Unbekanntes Geodatenformat „{suffix}“. Erwartet: GeoJSON, GeoPackage "
            "oder gezipptes Shapefile (.zip)."
        )
    if suffix == ".zip":
        with tempfile.TemporaryDirectory() as tmp:
            shp = _extract_shapefile(path, Path(tmp), name)
            return _read(shp, name, max_features=max_features)
    return _read(path, name, suffix, max_features)


def _read(
    path: Path, name: str, suffix: str | None = None, max_features: int | None = None
) -> gpd.GeoDataFrame:
    if suffix in (".geojson", ".json"):
        head = path.open("rb").read(512).lstrip().lower()
        if head.startswith((b"<!doctype", b"<html")):
            raise VectorFileError(f"{name}: Die Datei ist eine HTML-Seite, keine GeoJSON-Datei.")
    try:
        gdf = gpd.read_file(path, engine="pyogrio", max_features=max_features)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise VectorFileError(
            f"{name}: Die Geodaten können nicht gelesen werden ({str(exc)[:200]})."
        ) from None
    if gdf.crs is None:
        raise VectorFileError(
            f"{name}: Kein Koordinatenbezugssystem angegeben (bei Shapefiles fehlt die .prj-Datei). "
            "Ohne Bezugssystem können die Gebiete nicht verortet werden."
        )
    return gdf


def archive_problem(
    zf: zipfile.ZipFile,
    name: str,
    max_members: int = MAX_ZIP_MEMBERS,
    max_expanded: int = MAX_ZIP_EXPANDED,
    max_ratio: float = MAX_ZIP_RATIO,
) -> str | None:
    """Why an archive must not be unpacked (German, names the file), or None.

    Read from the archive's directory only, before anything is expanded: too many members, too
    large once unpacked, or compressed suspiciously well (a zip bomb). XLSX files are archives too.
    """
    members = [m for m in zf.infolist() if not m.is_dir()]
    if len(members) > max_members:
        return f"{name}: Das Archiv enthält zu viele Dateien ({len(members)})."
    expanded = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if expanded > max_expanded or expanded / packed > max_ratio:
        return (
            f"{name}: Das Archiv würde sich auf {expanded / 2**20:.0f} MB entpacken "
            f"(Verhältnis {expanded / packed:.0f}:1) und wird aus Sicherheitsgründen abgelehnt."
        )
    return None


#: Exceptions of a broken archive while reading it (CRC mismatch, truncated stream, bad header).
ARCHIVE_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    zipfile.LargeZipFile,
)


def archive_error(exc: BaseException, name: str, what: str = "Das ZIP-Archiv") -> str:
    """A German message (naming the file) for an archive that broke while being read."""
    text = str(exc).lower()
    if "crc" in text:
        why = "ist beschädigt: ein Inhalt passt nicht zu seiner Prüfsumme (CRC)"
    elif isinstance(exc, EOFError) or "end-of-stream" in text or "truncated" in text:
        why = "ist unvollständig (abgeschnitten)"
    elif "not a zip file" in text:
        why = "ist kein gültiges ZIP-Archiv"
    else:
        why = "ist beschädigt und kann nicht entpackt werden"
    return f"{name}: {what} {why}. Bitte die Datei neu exportieren oder neu speichern."


def _extract_shapefile(path: Path, target: Path, name: str) -> Path:
    try:
        return _extract(path, target, name)
    except ARCHIVE_ERRORS as exc:
        raise VectorFileError(archive_error(exc, name)) from None


def _extract(path: Path, target: Path, name: str) -> Path:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise VectorFileError(f"{name}: Das ZIP-Archiv ist beschädigt.") from None
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        problem = archive_problem(zf, name)
        if problem:
            raise VectorFileError(problem)
        shps = [m for m in members if m.filename.lower().endswith(".shp")]
        gpkgs = [m for m in members if m.filename.lower().endswith((".gpkg", ".geojson", ".json"))]
        if not shps and not gpkgs:
            raise VectorFileError(f"{name}: Im Archiv ist kein Shapefile (.shp), GeoPackage oder GeoJSON.")
        if len(shps) > 1:
            raise VectorFileError(
                f"{name}: Das Archiv enthält mehrere Shapefiles: "
                f"{', '.join(m.filename for m in shps)}. Bitte nur eines je Archiv."
            )
        main = shps[0] if shps else gpkgs[0]
        stem = main.filename[: -len(Path(main.filename).suffix)]
        if shps:
            have = {m.filename.lower() for m in members}
            for ext in (".dbf", ".shx", ".prj"):
                if f"{stem}{ext}".lower() not in have:
                    what = "das Koordinatenbezugssystem" if ext == ".prj" else "ein Pflichtbestandteil"
                    raise VectorFileError(
                        f"{name}: Zum Shapefile fehlt die Datei {Path(stem).name}{ext} ({what})."
                    )
        root = target.resolve()
        for m in members:
            dest = (target / m.filename).resolve()
            if not dest.is_relative_to(root):
                raise VectorFileError(f"{name}: Das Archiv enthält unzulässige Pfade ({m.filename}).")
            if m.filename.startswith(stem) or m is main:
                zf.extract(m, target)
        return target / main.filename
