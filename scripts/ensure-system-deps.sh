#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (real browser for end-to-end tests).
# Idempotent: does nothing when everything is present. Never downloads a browser of its own.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "Fehlende Systempakete: ${need[*]} (bitte als root installieren: apt-get install ${need[*]})" >&2
  exit 0
fi

echo "Installiere Systempakete: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
