#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: a real browser for the end-to-end tests and
# the chart export (kaleido), PostgreSQL + PostGIS for the database tests (the tests start their own
# throwaway cluster; the packaged cluster is neither needed nor started), Pango for the PDF export
# (weasyprint) and poppler-utils (the tests read the PDFs with pdftotext/pdftoppm). Idempotent and
# quiet: does nothing when everything is present. Never downloads a browser of its own.
set -euo pipefail

# Newest installed PostgreSQL major version (Debian layout /usr/lib/postgresql/NN/bin), or empty.
installed_pg_major() {
  local d major=""
  for d in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$d" ] || continue
    d=${d#/usr/lib/postgresql/}
    d=${d%%/*}
    if [ -z "$major" ] || [ "$d" -gt "$major" ]; then major=$d; fi
  done
  echo "$major"
}

# The major version Debian's `postgresql` metapackage stands for (needs the package lists).
candidate_pg_major() {
  apt-cache depends postgresql 2>/dev/null | sed -n 's/^ *Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n 1
}

# Is the shared library $1 (soname) known to the dynamic linker? Matched on the captured cache, not
# with `| grep -q`, whose early exit would fail the pipeline under pipefail. ldconfig lives in /sbin.
has_lib() {
  local ldc cache
  ldc=$(command -v ldconfig || echo /sbin/ldconfig)
  cache=$("$ldc" -p 2>/dev/null || true)
  [[ "$cache" == *"$1 "* ]]
}

# --runtime: only what the app itself needs (`make run`: chart and PDF export), not the test tools.
runtime_only=0
[ "${1:-}" = "--runtime" ] && runtime_only=1

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
has_lib libpango-1.0.so.0 || need+=(libpango-1.0-0)
has_lib libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)

postgis_missing=0
if [ "$runtime_only" -eq 0 ]; then
  [ -x /usr/bin/pdftoppm ] || need+=(poppler-utils)
  pg_major=$(installed_pg_major)
  [ -n "$pg_major" ] || need+=(postgresql)
  postgis_missing=1
  if [ -n "$pg_major" ] && [ -f "/usr/share/postgresql/$pg_major/extension/postgis.control" ]; then
    postgis_missing=0
  fi
fi

if [ ${#need[@]} -eq 0 ] && [ "$postgis_missing" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  missing="${need[*]}"
  [ "$postgis_missing" -eq 0 ] || missing="$missing postgresql-${pg_major:-NN}-postgis-3"
  missing="${missing# }"
  echo "Fehlende Systempakete: ${missing} (bitte als root installieren: apt-get install ${missing})" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ "$postgis_missing" -eq 1 ]; then
  [ -n "$pg_major" ] || pg_major=$(candidate_pg_major)
  if [ -z "$pg_major" ]; then
    echo "PostgreSQL-Version des Debian-Pakets „postgresql“ nicht gefunden; PostGIS bitte von Hand installieren." >&2
  else
    need+=("postgresql-$pg_major-postgis-3")
  fi
fi
[ ${#need[@]} -gt 0 ] || exit 0

echo "Installiere Systempakete: ${need[*]}"
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
