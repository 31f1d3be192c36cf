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
  postgresql python3-aiosmtpd libcpp-httplib-dev libkainjow-mustache-dev
)
# Only for the tests of the Request Tracker connector (ctest label rt): a private RT 5 instance.
TERMIJN_RT_TEST_PACKAGES=(request-tracker5 rt5-db-sqlite rt5-standalone)

# Only for the tests of the web console in a real browser (scripts/test); curl for its requests
# outside the browser.
TERMIJN_BROWSER_TEST_PACKAGES=(chromium chromium-driver python3-selenium libnss3-tools curl)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# install_packages [PACKAGE...]: installs those of the PACKAGEs (default: TERMIJN_PACKAGES) that
# are missing.
install_packages() {
  local missing=() wanted=("$@")
  ((${#wanted[@]})) || wanted=("${TERMIJN_PACKAGES[@]}")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
      echo "need root to install: ${missing[*]}" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Waits for another apt run (a second checkout building at the same time) instead of failing.
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# build [TARGET...]: builds the TARGETs, or without any, every target including the tests. A
# first build of TARGETs leaves the tests out; a build folder that has them keeps them (turning
# them off there left ctest running test programs older than the code they test).
build() {
  local tests=(-DTERMIJN_BUILD_TESTS=ON) target_args=()
  if (($#)); then
    tests=()
    [[ -f $TERMIJN_ROOT/build/CMakeCache.txt ]] || tests=(-DTERMIJN_BUILD_TESTS=OFF)
    target_args=(--target "$@")
  fi
  log "building ${*:-everything}"
  cmake -S "$TERMIJN_ROOT" -B "$TERMIJN_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "${tests[@]}" >/dev/null
  cmake --build "$TERMIJN_ROOT/build" -j2 "${target_args[@]}"
}

# private_dir DIR...: each DIR, and everything already in it, for its owner only (folders 0700,
# files 0600). Pair with `umask 077` for what is made later.
private_dir() {
  local dir
  for dir in "$@"; do
    mkdir -p "$dir"
    chmod -R go-rwx "$dir"
  done
}

# demo_cluster_dir STATE: the folder of STATE's PostgreSQL cluster, owned by postgres, mode 0700.
# STATE itself is 0700 and root's, so postgres cannot enter it (nor a clone under /root): the
# cluster lives in postgres's home, found again through the link STATE/pg. A cluster of an older
# layout (a folder STATE/pg) is stopped and moved there.
demo_cluster_dir() {
  local state=$1 dir
  if [[ -L "$state/pg" ]]; then
    dir=$(readlink "$state/pg")
  else
    local home
    home=$(getent passwd postgres | cut -d: -f6)
    dir="$home/termijn-$(printf '%s' "$state" | sha256sum | cut -c1-16)"
    if [[ -d "$state/pg" ]]; then
      pg_stop "$state/pg"
      rm -rf "$dir"
      # -T: renamed to that name, never into a folder a link postgres put there points to.
      mv -T "$state/pg" "$dir"
    fi
    ln -sfn "$dir" "$state/pg"
  fi
  # Made and closed by postgres itself: its home is postgres's to change, so root follows no
  # path in it (a link there could point anywhere).
  runuser -u postgres -- mkdir -p "$dir"
  runuser -u postgres -- chmod 700 "$dir"
  echo "$dir"
}

# The OS users that may use the cluster's roles over the unix socket (peer authentication), as
# "OS-user role" lines of pg_ident.conf. Everything runs as root; pg_ctl runs as postgres.
TERMIJN_PEER_MAP=(
  "postgres postgres"
  "root postgres"
  "root termijn"
  "root termijn_app"
)

# The cluster's authentication, written at every start so that older clusters made with trust
# are brought in line: the socket only (in a folder only root and postgres can enter), peer
# authentication through TERMIJN_PEER_MAP; TCP is not listened on and would need a password.
# Written by postgres, whose data folder it is: root writing there would follow whatever link
# postgres put in place of a file.
write_pg_auth() {
  local data=$1 line
  runuser -u postgres -- sh -c 'umask 077 && cat >"$1"' sh "$data/pg_hba.conf" <<'HBA'
# Written by scripts/lib.sh (write_pg_auth); changes are overwritten at the next start.
# TYPE  DATABASE  USER  ADDRESS  METHOD
local   all       all            peer map=termijn
host    all       all   all      scram-sha-256
HBA
  {
    echo "# Written by scripts/lib.sh (write_pg_auth): MAPNAME OS-USER ROLE"
    for line in "${TERMIJN_PEER_MAP[@]}"; do echo "termijn $line"; done
  } | runuser -u postgres -- sh -c 'umask 077 && cat >"$1"' sh "$data/pg_ident.conf"
  runuser -u postgres -- chmod 600 "$data/pg_hba.conf" "$data/pg_ident.conf"
}

# pg_start DIR: a private cluster in DIR/data with its unix socket in DIR (mode 0700, owned by
# postgres: only root and postgres reach it), database and login role "termijn". Prints the
# connection URL. DIR is root's (a new folder of mktemp -d) or already postgres's.
pg_start() {
  local dir=$1
  [[ -L "$dir" ]] && { echo "pg_start: $dir is a symbolic link; refusing to use it" >&2; return 1; }
  [[ $(stat -c %U "$dir") == root ]] && chown -h postgres "$dir"
  runuser -u postgres -- chmod 700 "$dir"
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=peer --auth-host=reject \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  write_pg_auth "$dir/data"
  if runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" reload >/dev/null
  else
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c unix_socket_permissions=0700 -c max_connections=200 -c fsync=${PG_FSYNC:-on}" \
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

# demo_state STATE: the demo's local state in STATE for root only (folders 0700, files 0600):
# mail/, certs/ (development certificates) and a started PostgreSQL cluster that only root and
# postgres can reach. Prints the schema owner's database URL.
demo_state() {
  local state=$1 pg_dir
  umask 077
  mkdir -p "$state"
  # First: an older cluster under STATE is moved out while postgres can still reach it.
  pg_dir=$(demo_cluster_dir "$state")
  private_dir "$state" "$state/mail" "$state/certs"
  log "starting PostgreSQL in $pg_dir"
  pg_start "$pg_dir"
  "$TERMIJN_ROOT/scripts/dev-certs" "$state/certs" >&2
}

# The service role's URL for a URL of the owner (see pg_start).
app_url() { echo "${1/user=termijn/user=termijn_app}"; }

pg_stop() {
  local dir=$1
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
