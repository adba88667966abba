#!/usr/bin/env bash
# Installs the Debian packages EcoSight's tests and tools use (idempotent; needs root or sudo):
#   sox, libsox-fmt-all   write/convert real WAV files in tests; data:fetch conversion
#   flac, opus-tools      the station's clip encoders (flac, opusenc); the codec bench
#   alsa-utils            arecord (live capture) and arecord -l (doctor, installer)
#   mosquitto             a real broker the integration tests start on private ports
#   postgresql            initdb/pg_ctl: the index tests start a private server on both engines (testkit/src/postgres.ts)
#   systemd               systemd-analyze verify (unit test), systemd-notify (sd_notify)
#   shellcheck            lints deploy/install-station.sh
#   python3               receives sd_notify datagrams on a unix socket in tests
#   chromium              the dashboard's browser test (headless, driven by playwright-core)
#   dpkg-dev              dpkg-deb for the data:fetch tests (fake .deb packages)
set -euo pipefail
PACKAGES=(sox libsox-fmt-all flac opus-tools alsa-utils mosquitto postgresql systemd shellcheck python3 chromium dpkg-dev)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "missing packages: ${missing[*]} (run: apt-get install -y ${missing[*]} as root)" >&2
    exit 1
  fi
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packaged broker and database cluster are not needed as services: tests start their own on private ports.
