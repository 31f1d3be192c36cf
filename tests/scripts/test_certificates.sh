#!/usr/bin/env bash
# The certificates of the end-to-end tests, made once per test run (CTest fixture
# e2e_certificates) into DIR: DIR/main (the demo's CA and principals, plus "stranger" and an
# expired "expired") and DIR/other-ca (a herent-dpo of another CA). Each test process copies them,
# so that what one test revokes or issues stays its own.
set -euo pipefail
dir=$1
dev_certs="$(dirname "$0")/../../scripts/dev-certs"
rm -rf "$dir"
mkdir -p "$dir"
"$dev_certs" "$dir/main" >/dev/null
"$dev_certs" "$dir/main" stranger >/dev/null
EXPIRED=1 "$dev_certs" "$dir/main" expired >/dev/null
"$dev_certs" "$dir/other-ca" herent-dpo >/dev/null
