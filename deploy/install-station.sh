#!/usr/bin/env bash
# Installs, upgrades or removes an EcoSight field station on Debian / Raspberry Pi OS
# (bookworm or later, arm64 or x86-64). Safe to run again: a second run with the
# same sources changes nothing.
#
# Usage: sudo deploy/install-station.sh [options]
#
#   --app-source DIR  Built EcoSight tree to install from: a checkout after
#                     `npm ci && npm run build`, or an unpacked release tarball.
#                     It must contain package.json, dist/ and models/.
#                     Default: the tree this script lives in.
#   --skip-npm        Do not run `npm ci --omit=dev` in /opt/ecosight. node_modules
#                     is then copied from the app source if it has one (a tarball
#                     built on the same architecture), else left as it is.
#   --root DIR        Install into DIR instead of / (an SD-card image, a test root).
#                     User creation and unit enabling go through useradd -R and
#                     systemctl --root; the running system is not touched.
#   --no-system       Change files only: print the useradd/usermod/chown/systemctl
#                     commands instead of running them, and record the ownership
#                     each path would get in ROOT/ecosight-install.ownership
#                     ("user:group mode path" per line). For tests and dry runs.
#   --uninstall       Stop and remove the service, the app, the unit, the command
#                     wrappers and /etc/ecosight (copied first to
#                     /var/lib/ecosight/config-backup). Recorded data in
#                     /var/lib/ecosight and the ecosight user are kept.
#   -h, --help        Show this help.
#
# What it installs:
#   /opt/ecosight                       the app (root-owned, read-only to the service)
#   /etc/ecosight/station.yaml          config, 0640 root:ecosight, never overwritten
#   /etc/ecosight/station.yaml.example  the newest example, refreshed on every run
#   /etc/ecosight/station.env           secrets for the unit's EnvironmentFile, 0640, never overwritten
#   /var/lib/ecosight                   data (clips, SQLite outbox, OTA models), 0750 ecosight:ecosight
#   /etc/systemd/system/ecosight-station.service
#   /usr/local/bin/ecosight-station     command wrapper (doctor, classify, run)
#   flac, opus-tools (apt)              clip encoders, when missing and apt-get is there
# The service is enabled but not started on a first install (edit the config,
# run `ecosight-station doctor`, then `systemctl start ecosight-station`); an
# upgrade restarts it if it was running and something changed.
set -euo pipefail

readonly SERVICE=ecosight-station
readonly SVC_USER=ecosight
readonly SVC_GROUP=ecosight
readonly AUDIO_GROUP=audio
readonly APP_DIR=/opt/ecosight
readonly CONF_DIR=/etc/ecosight
readonly DATA_DIR=/var/lib/ecosight
readonly UNIT_PATH=/etc/systemd/system/${SERVICE}.service
readonly BIN_DIR=/usr/local/bin
readonly NODE_BIN=/usr/bin/node
readonly MIN_NODE=20.19.0
readonly NPM_STAMP=.npm-ci-stamp

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
APP_SOURCE=$(cd "$SCRIPT_DIR/.." && pwd)
ROOT=""
SKIP_NPM=0
NO_SYSTEM=0
UNINSTALL=0

APP_CHANGED=0
UNIT_CHANGED=0
WAS_ACTIVE=0
OWNERSHIP=()

log() { printf '%s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --app-source) [ $# -ge 2 ] || die "--app-source needs a directory"; APP_SOURCE=$2; shift 2 ;;
      --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT=$2; shift 2 ;;
      --skip-npm) SKIP_NPM=1; shift ;;
      --no-system) NO_SYSTEM=1; shift ;;
      --uninstall) UNINSTALL=1; shift ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option: $1 (see --help)" ;;
    esac
  done
  if [ -n "$ROOT" ]; then
    [ -d "$ROOT" ] || die "--root $ROOT is not a directory"
    ROOT=$(cd "$ROOT" && pwd)
    [ "$ROOT" = / ] && ROOT=""
  fi
  if [ "$NO_SYSTEM" = 0 ] && [ "$(id -u)" != 0 ]; then
    die "run as root (sudo), or use --no-system for a dry run into --root"
  fi
}

# Runs a command that changes the system (users, ownership, systemd), or only
# prints it with --no-system.
system() {
  if [ "$NO_SYSTEM" = 1 ]; then
    log "[no-system] would run:$(printf ' %q' "$@")"
  else
    "$@"
  fi
}

# Numeric ids from the target root's own passwd/group files, so ownership is
# right inside an image too (chown by name would use the host's databases).
uid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$ROOT/etc/passwd" 2>/dev/null || true; }
gid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$ROOT/etc/group" 2>/dev/null || true; }

# Sets mode now and ownership now (or records it with --no-system). Neither
# touches mtimes, so repeating it is invisible to the idempotency check.
own() {
  local user=$1 group=$2 mode=$3 path=$4
  chmod "$mode" "$ROOT$path"
  if [ "$NO_SYSTEM" = 1 ]; then
    OWNERSHIP+=("$user:$group $mode $path")
    return
  fi
  local uid gid
  uid=$(uid_of "$user")
  gid=$(gid_of "$group")
  if [ -z "$uid" ] || [ -z "$gid" ]; then die "user $user or group $group missing in $ROOT/etc"; fi
  chown "$uid:$gid" "$ROOT$path"
}

same_exec_bit() { if [ -x "$1" ]; then [ -x "$2" ]; else [ ! -x "$2" ]; fi; }

# Replaces dst with src only when the bytes (or the executable bit) differ;
# the copy is renamed into place so a running reader never sees half a file.
# Returns 0 when it changed something.
install_file() {
  local src=$1 dst=$2
  if [ -f "$dst" ] && [ ! -L "$dst" ] && cmp -s "$src" "$dst" && same_exec_bit "$src" "$dst"; then
    return 1
  fi
  mkdir -p "$(dirname "$dst")"
  [ -d "$dst" ] && [ ! -L "$dst" ] && rm -rf "$dst"
  cp --preserve=mode,timestamps "$src" "$dst.ecosight-new"
  chmod go-w "$dst.ecosight-new"
  mv -f "$dst.ecosight-new" "$dst"
  return 0
}

# Writes text content to dst if it differs. Returns 0 when it changed something.
install_text() {
  local content=$1 dst=$2 tmp
  tmp=$(mktemp)
  printf '%s\n' "$content" >"$tmp"
  if [ -f "$dst" ] && cmp -s "$tmp" "$dst"; then
    rm -f "$tmp"
    return 1
  fi
  mkdir -p "$(dirname "$dst")"
  mv -f "$tmp" "$dst"
  return 0
}

# Makes directory dst mirror src (regular files, symlinks, directories),
# touching only entries that differ and deleting entries src no longer has.
sync_tree() {
  local src=$1 dst=$2 rel link unchanged=1
  [ -d "$dst" ] || { mkdir -p "$dst"; unchanged=0; }
  while IFS= read -r -d '' rel; do
    [ -d "$dst/$rel" ] && [ ! -L "$dst/$rel" ] && continue
    rm -f "$dst/$rel"
    mkdir -p "$dst/$rel"
    unchanged=0
  done < <(cd "$src" && find . -mindepth 1 -type d -print0)
  while IFS= read -r -d '' rel; do
    if [ -L "$src/$rel" ]; then
      link=$(readlink "$src/$rel")
      if [ ! -L "$dst/$rel" ] || [ "$(readlink "$dst/$rel")" != "$link" ]; then
        rm -rf "${dst:?}/$rel"
        ln -s "$link" "$dst/$rel"
        unchanged=0
      fi
    elif install_file "$src/$rel" "$dst/$rel"; then
      unchanged=0
    fi
  done < <(cd "$src" && find . \( -type f -o -type l \) -print0)
  while IFS= read -r -d '' rel; do
    if [ ! -e "$src/$rel" ] && [ ! -L "$src/$rel" ]; then
      rm -rf "${dst:?}/$rel"
      unchanged=0
    fi
  done < <(cd "$dst" && find . -mindepth 1 -depth -print0)
  return $unchanged
}

mark_app() { APP_CHANGED=1; }

# A field box runs the station only: of dist/ it gets shared/ and station/, never
# the cloud, the training project (ml/) or test kits. Returns 0 when anything changed.
readonly STATION_DIST_PARTS="shared station"
sync_station_dist() {
  local src=$1 dst=$2 part entry changed=1
  [ -d "$dst" ] || { mkdir -p "$dst"; changed=0; }
  for part in $STATION_DIST_PARTS; do
    if [ -d "$src/$part" ]; then
      sync_tree "$src/$part" "$dst/$part" && changed=0
    elif [ -e "$dst/$part" ]; then
      rm -rf "${dst:?}/$part"; changed=0
    fi
  done
  for entry in "$dst"/* "$dst"/.[!.]*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    case " $STATION_DIST_PARTS " in *" $(basename "$entry") "*) continue ;; esac
    rm -rf "$entry"; changed=0
  done
  return $changed
}

check_app_source() {
  [ -d "$APP_SOURCE" ] || die "app source $APP_SOURCE is not a directory"
  APP_SOURCE=$(cd "$APP_SOURCE" && pwd)
  [ -f "$APP_SOURCE/package.json" ] || die "$APP_SOURCE has no package.json"
  [ -f "$APP_SOURCE/dist/station/src/cli.js" ] ||
    die "$APP_SOURCE is not built (no dist/station/src/cli.js): run 'npm ci && npm run build' there first"
  [ -d "$APP_SOURCE/models" ] || die "$APP_SOURCE has no models/ (the shipped model must be installed)"
  if [ "$SKIP_NPM" = 0 ] && [ ! -f "$APP_SOURCE/package-lock.json" ]; then
    die "$APP_SOURCE has no package-lock.json, which 'npm ci' needs (or use --skip-npm)"
  fi
}

install_app() {
  local app=$ROOT$APP_DIR
  mkdir -p "$app"
  install_file "$APP_SOURCE/package.json" "$app/package.json" && mark_app
  if [ -f "$APP_SOURCE/package-lock.json" ]; then
    install_file "$APP_SOURCE/package-lock.json" "$app/package-lock.json" && mark_app
  fi
  sync_station_dist "$APP_SOURCE/dist" "$app/dist" && mark_app
  sync_tree "$APP_SOURCE/models" "$app/models" && mark_app
  if [ -f "$APP_SOURCE/docs/field-install.md" ]; then
    install_file "$APP_SOURCE/docs/field-install.md" "$app/docs/field-install.md" && mark_app
  fi
  install_node_modules
  own root root 0755 "$APP_DIR"
}

install_node_modules() {
  local app=$ROOT$APP_DIR
  if [ "$SKIP_NPM" = 1 ]; then
    if [ -d "$APP_SOURCE/node_modules" ]; then
      sync_tree "$APP_SOURCE/node_modules" "$app/node_modules" && mark_app
    elif [ ! -d "$app/node_modules" ]; then
      warn "--skip-npm and no node_modules in $APP_SOURCE: run 'npm ci --omit=dev' in $APP_DIR before starting"
    fi
    return 0
  fi
  command -v npm >/dev/null || die "npm not found: install Node.js >= $MIN_NODE (see docs/field-install.md) or use --skip-npm"
  # npm ci deletes node_modules first, so run it only when the lock file or the
  # Node ABI changed: that keeps upgrades with unchanged dependencies a no-op.
  local stamp
  stamp="$(sha256sum "$app/package-lock.json" | cut -d' ' -f1) abi=$(node -p process.versions.modules)"
  if [ -d "$app/node_modules" ] && [ -f "$app/$NPM_STAMP" ] && [ "$(cat "$app/$NPM_STAMP")" = "$stamp" ]; then
    return 0
  fi
  # npm ci empties node_modules: a running station could fail a lazy import meanwhile.
  if [ "$WAS_ACTIVE" = 1 ]; then
    log "Stopping $SERVICE for the dependency update"
    systemctl stop "$SERVICE.service"
  fi
  log "Installing production dependencies (npm ci --omit=dev) in $APP_DIR ..."
  (cd "$app" && npm ci --omit=dev --no-audit --no-fund) || die "npm ci failed in $app"
  printf '%s\n' "$stamp" >"$app/$NPM_STAMP"
  mark_app
}

install_wrappers() {
  local wrapper=$BIN_DIR/ecosight-station
  # The wrapper reads the unit's EnvironmentFile when it may, so a hand-run
  # `ecosight-station doctor` sees the same credentials as the service.
  if install_text "#!/bin/sh
# Installed by install-station.sh: runs the EcoSight station CLI with the
# environment the service gets from $CONF_DIR/station.env (when readable).
if [ -r $CONF_DIR/station.env ]; then set -a; . $CONF_DIR/station.env; set +a; fi
exec $NODE_BIN $APP_DIR/dist/station/src/cli.js \"\$@\"" "$ROOT$wrapper"; then
    mark_app
  fi
  own root root 0755 "$wrapper"
}

install_config() {
  mkdir -p "$ROOT$CONF_DIR"
  own root "$SVC_GROUP" 0750 "$CONF_DIR"
  if [ ! -e "$ROOT$CONF_DIR/station.yaml" ]; then
    cp "$SCRIPT_DIR/station.example.yaml" "$ROOT$CONF_DIR/station.yaml"
    log "Created $CONF_DIR/station.yaml from the example: set stationId, source and upload before starting."
  fi
  own root "$SVC_GROUP" 0640 "$CONF_DIR/station.yaml"
  install_file "$SCRIPT_DIR/station.example.yaml" "$ROOT$CONF_DIR/station.yaml.example" || true
  own root root 0644 "$CONF_DIR/station.yaml.example"
  if [ ! -e "$ROOT$CONF_DIR/station.env" ]; then
    cat >"$ROOT$CONF_DIR/station.env" <<'EOF'
# Environment for ecosight-station.service and the ecosight-station command
# (KEY=value per line; no spaces around =, quote values with spaces or $).
# Secrets go here rather than in station.yaml. Examples:
#AWS_ACCESS_KEY_ID=
#AWS_SECRET_ACCESS_KEY=
#ECOSIGHT_MQTT_PASSWORD=
#ECOSIGHT_STATION_TOKEN=
EOF
  fi
  own root "$SVC_GROUP" 0640 "$CONF_DIR/station.env"
}

install_data_dir() {
  mkdir -p "$ROOT$DATA_DIR"
  own "$SVC_USER" "$SVC_GROUP" 0750 "$DATA_DIR"
}

install_unit() {
  if install_file "$SCRIPT_DIR/${SERVICE}.service" "$ROOT$UNIT_PATH"; then
    UNIT_CHANGED=1
  fi
  own root root 0644 "$UNIT_PATH"
}

# With --root the useradd family edits the image's own /etc files (-R).
root_opt() { if [ -n "$ROOT" ]; then printf '%s\n' --root "$ROOT"; fi; }

ensure_user() {
  local opts=()
  mapfile -t opts < <(root_opt)
  if [ -z "$(gid_of "$SVC_GROUP")" ]; then
    system groupadd "${opts[@]}" --system "$SVC_GROUP"
  fi
  if [ -z "$(uid_of "$SVC_USER")" ]; then
    system useradd "${opts[@]}" --system --gid "$SVC_GROUP" --groups "$AUDIO_GROUP" \
      --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin \
      --comment "EcoSight station" "$SVC_USER"
  elif ! awk -F: -v g="$AUDIO_GROUP" -v u="$SVC_USER" \
    '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 } END { exit !found }' \
    "$ROOT/etc/group"; then
    system usermod "${opts[@]}" --append --groups "$AUDIO_GROUP" "$SVC_USER"
  fi
}

check_node() {
  local version
  if [ ! -x "$ROOT$NODE_BIN" ]; then
    warn "$NODE_BIN not found: install Node.js >= $MIN_NODE (e.g. from NodeSource); the unit runs $NODE_BIN"
    return 0
  fi
  [ -n "$ROOT" ] && return 0
  version=$("$NODE_BIN" -p process.versions.node)
  if [ "$(printf '%s\n%s\n' "$MIN_NODE" "$version" | sort -V | head -n1)" != "$MIN_NODE" ]; then
    warn "Node.js $version at $NODE_BIN is older than $MIN_NODE; the station will not start"
  fi
}

# A capture device is needed for a mic source, but the installer must also work
# on a box whose USB microphone is not plugged in yet: warn, never fail.
check_capture_device() {
  local listing
  if ! command -v arecord >/dev/null; then
    warn "arecord not found: install alsa-utils (apt-get install alsa-utils) for microphone capture"
    return 0
  fi
  listing=$(arecord -l 2>&1 || true)
  if printf '%s\n' "$listing" | grep -qE '^card [0-9]+:'; then
    log "Capture devices (arecord -l):"
    printf '%s\n' "$listing" | grep -E '^card [0-9]+:' | sed 's/^/  /'
  else
    warn "no audio capture device found (arecord -l); plug in the microphone before starting a mic station"
  fi
}

# Clips are FLAC by default (Opus when configured): the station runs these encoders.
# Without them it still works, writing WAV clips (it logs why), so a box with no
# package mirror at hand gets a warning, not a failed install.
install_clip_encoders() {
  local missing=()
  command -v flac >/dev/null || missing+=(flac)
  command -v opusenc >/dev/null || missing+=(opus-tools)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -n "$ROOT" ] || ! command -v apt-get >/dev/null; then
    warn "clip encoders missing: apt-get install ${missing[*]} (until then clips are written as WAV)"
    return 0
  fi
  log "Installing clip encoders: ${missing[*]}"
  system apt-get install -y -qq --no-install-recommends "${missing[@]}" || warn "could not install ${missing[*]}: clips are written as WAV until they are"
}

enable_service() {
  if [ -n "$ROOT" ]; then
    system systemctl --root="$ROOT" enable "$SERVICE.service"
    return 0
  fi
  if [ "$UNIT_CHANGED" = 1 ]; then system systemctl daemon-reload; fi
  if [ "$NO_SYSTEM" = 1 ] || ! systemctl is-enabled --quiet "$SERVICE.service" 2>/dev/null; then
    system systemctl enable "$SERVICE.service"
  fi
  if [ "$WAS_ACTIVE" = 1 ]; then
    if [ "$APP_CHANGED" = 1 ] || [ "$UNIT_CHANGED" = 1 ]; then
      log "Restarting $SERVICE (new version)"
      systemctl restart "$SERVICE.service"
    fi
  else
    log "Next: edit $CONF_DIR/station.yaml, run 'sudo -u $SVC_USER ecosight-station doctor --config $CONF_DIR/station.yaml',"
    log "      then 'sudo systemctl start $SERVICE' and follow it with 'journalctl -u $SERVICE -f'."
  fi
}

# With --no-system the intended ownership is the test's (and a reviewer's) only
# evidence, so it is written out; rewritten only when it differs.
write_ownership_record() {
  [ "$NO_SYSTEM" = 1 ] || return 0
  local text=""
  if [ ${#OWNERSHIP[@]} -gt 0 ]; then text=$(printf '%s\n' "${OWNERSHIP[@]}"); fi
  install_text "$text" "$ROOT/ecosight-install.ownership" || true
  chmod 0644 "$ROOT/ecosight-install.ownership"
}

do_install() {
  check_app_source
  if [ -z "$ROOT" ] && [ "$NO_SYSTEM" = 0 ] && systemctl is-active --quiet "$SERVICE.service" 2>/dev/null; then
    WAS_ACTIVE=1
  fi
  ensure_user
  install_app
  install_wrappers
  install_config
  install_data_dir
  install_unit
  write_ownership_record
  check_node
  check_capture_device
  install_clip_encoders
  enable_service
  if [ "$APP_CHANGED" = 0 ] && [ "$UNIT_CHANGED" = 0 ]; then
    log "EcoSight station is up to date in ${ROOT:-/}."
  else
    log "EcoSight station installed in ${ROOT:-/}."
  fi
}

do_uninstall() {
  if [ -z "$ROOT" ] && [ -e "$UNIT_PATH" ]; then
    system systemctl disable --now "$SERVICE.service"
  elif [ -n "$ROOT" ] && [ -e "$ROOT$UNIT_PATH" ]; then
    system systemctl --root="$ROOT" disable "$SERVICE.service"
  fi
  rm -f "$ROOT$UNIT_PATH"
  [ -z "$ROOT" ] && system systemctl daemon-reload
  rm -f "$ROOT$BIN_DIR/ecosight-station"
  if [ -d "$ROOT$CONF_DIR" ]; then
    mkdir -p "$ROOT$DATA_DIR/config-backup"
    chmod 0700 "$ROOT$DATA_DIR/config-backup"
    cp -a "$ROOT$CONF_DIR/." "$ROOT$DATA_DIR/config-backup/"
    rm -rf "$ROOT$CONF_DIR"
    log "Configuration copied to $DATA_DIR/config-backup before removal."
  fi
  rm -rf "$ROOT$APP_DIR"
  rm -f "$ROOT/ecosight-install.ownership"
  log "EcoSight station removed. Kept: $DATA_DIR (recorded data) and the $SVC_USER user."
  log "To remove those too: 'sudo rm -rf $DATA_DIR' and 'sudo userdel $SVC_USER'."
}

main() {
  parse_args "$@"
  if [ "$UNINSTALL" = 1 ]; then do_uninstall; else do_install; fi
}

main "$@"
