#!/usr/bin/env bash
# Verifies that the demo's local state (scripts/run's demo_state) is for root only: another local
# user can neither connect to its PostgreSQL cluster nor read .termijn/; no trust authentication;
# an older state with readable files is tightened. Needs root and PostgreSQL; fails without them.
source "$(dirname "$0")/../../scripts/lib.sh"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
[[ $(id -u) -eq 0 ]] || fail "must run as root (it creates a cluster and acts as user nobody)"
[[ -x "$PG_BIN/initdb" ]] || fail "PostgreSQL 15 is not installed ($PG_BIN)"
id nobody >/dev/null || fail "no user nobody to test with"

work=$(mktemp -d /tmp/termijn-local-security.XXXXXX)
state="$work/.termijn"
cleanup() {
  if [[ -L "$state/pg" ]]; then
    local pg_dir
    pg_dir=$(readlink "$state/pg")
    pg_stop "$pg_dir"
    rm -rf "$pg_dir"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"  # like a checkout: others may enter the repository, just not .termijn/

# An older state: a breach description written with mode 0644.
mkdir -p "$state/mail"
chmod 755 "$state" "$state/mail"
(umask 022 && echo "Subject: laptop stolen" >"$state/mail/old.eml")

url=$(PG_FSYNC=off demo_state "$state" 2>"$work/setup.log") || {
  cat "$work/setup.log" >&2
  fail "demo_state failed"
}
pg_dir=$(readlink "$state/pg")
admin="postgresql:///postgres?host=$pg_dir&user=postgres"
echo "state $state, cluster $pg_dir"

# Root (what termijnd and the tests run as) still connects, as owner and as service role.
[[ $(psql "$url" -tAc "SELECT 1") == 1 ]] || fail "root cannot connect as termijn"
[[ $(psql "$(app_url "$url")" -tAc "SELECT 1") == 1 ]] || fail "root cannot connect as termijn_app"

# No trust anywhere, no TCP, a socket for its owner only.
[[ $(psql "$admin" -tAc "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust'") == 0 ]] ||
  fail "pg_hba.conf still has trust lines"
[[ $(psql "$admin" -tAc "SHOW unix_socket_permissions") == 0700 ]] || fail "socket is not 0700"
[[ -z $(psql "$admin" -tAc "SHOW listen_addresses") ]] || fail "the cluster listens on TCP"

# Another local user connects neither as the owner nor as the superuser.
for user in termijn termijn_app postgres; do
  if out=$(cd / && runuser -u nobody -- psql "postgresql:///termijn?host=$pg_dir&user=$user" \
    -tAc "SELECT 1" 2>&1); then
    fail "nobody connected as $user: $out"
  fi
  echo "nobody as $user: refused: $out"
done

# ... and reads nothing under .termijn/.
for path in "$state" "$state/mail" "$state/mail/old.eml" "$state/certs" "$state/certs/herent-dpo.key" \
  "$state/certs/ca.key" "$pg_dir"; do
  if runuser -u nobody -- cat "$path" >/dev/null 2>&1 || runuser -u nobody -- ls "$path" >/dev/null 2>&1; then
    fail "nobody can read $path"
  fi
done
loose=$(find "$state" "$pg_dir" \( -type d -perm /077 \) -o \( -type f -perm /077 \) -print)
[[ -z "$loose" ]] || fail "readable by others: $loose"

# A second start (the cluster is running: reload) keeps all of it.
PG_FSYNC=off demo_state "$state" >/dev/null 2>>"$work/setup.log" || fail "second demo_state failed"
[[ $(psql "$admin" -tAc "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust'") == 0 ]] ||
  fail "trust after a restart"
runuser -u nobody -- psql "postgresql:///termijn?host=$pg_dir&user=termijn" -tAc "SELECT 1" \
  >/dev/null 2>&1 && fail "nobody connected after a restart"
echo "PASS"
