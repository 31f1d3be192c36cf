# Shared by scripts/run and scripts/test: packages, build, a private PostgreSQL, certificates.
# Source it; every function stops the script on failure.
set -euo pipefail

TERMIJN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN=/usr/lib/postgresql/15/bin

TERMIJN_PACKAGES=(
  build-essential cmake pkg-config ccache git openssl ca-certificates tzdata
  libgrpc++-dev libabsl-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpqxx-dev libhowardhinnant-date-dev libspdlog-dev libgtest-dev libgmock-dev
  libtomlplusplus-dev libcli11-dev libssl-dev libcurl4-openssl-dev
  postgresql python3-aiosmtpd
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_packages() {
  local missing=()
  for p in "${TERMIJN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
      echo "need root to install: ${missing[*]}" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build() {
  log "building"
  cmake -S "$TERMIJN_ROOT" -B "$TERMIJN_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$TERMIJN_ROOT/build" -j2
}

# A folder the postgres user can enter: $1 if it can, otherwise a fresh one under /tmp.
postgres_reachable_dir() {
  local want=$1
  mkdir -p "$want"
  if runuser -u postgres -- test -x "$want" 2>/dev/null && chown postgres "$want" 2>/dev/null &&
    runuser -u postgres -- test -w "$want"; then
    echo "$want"
  else
    local dir
    dir=$(mktemp -d /tmp/termijn-pg.XXXXXX)
    chmod 755 "$dir"
    chown postgres "$dir"
    echo "$dir"
  fi
}

# pg_start DIR: a private cluster in DIR/data with its unix socket in DIR (mode 755), database
# and login role "termijn". Prints the connection URL.
pg_start() {
  local dir=$1
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  chmod 755 "$dir"
  if ! runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c unix_socket_permissions=0777 -c max_connections=200 -c fsync=${PG_FSYNC:-on}" \
      start >/dev/null
  fi
  local admin="postgresql:///postgres?host=$dir&user=postgres"
  # termijn owns the schema and applies migrations; termijn_app is what termijnd runs as: a
  # member of termijn_service, which may not change the audit trail.
  psql "$admin" -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE ROLE termijn LOGIN CREATEDB'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'termijn') \gexec
SELECT 'CREATE ROLE termijn_service NOLOGIN'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'termijn_service') \gexec
SELECT 'CREATE ROLE termijn_app LOGIN IN ROLE termijn_service'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'termijn_app') \gexec
-- The owner may end the service's sessions, e.g. to drop a test database.
GRANT termijn_app TO termijn;
GRANT pg_signal_backend TO termijn;
SQL
  if [[ -z $(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = 'termijn'") ]]; then
    psql "$admin" -qc "CREATE DATABASE termijn OWNER termijn" >/dev/null
  fi
  echo "postgresql:///termijn?host=$dir&user=termijn"
}

# The service role's URL for a URL of the owner (see pg_start).
app_url() { echo "${1/user=termijn/user=termijn_app}"; }

pg_stop() {
  local dir=$1
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
