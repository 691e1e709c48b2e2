#!/usr/bin/env bash
# The API against its own generated OpenAPI document, with schemathesis (from PyPI; .ci/deps
# installs it): a live `karta serve` on the bundled roadmaps and a fresh SQLite store, a real
# bearer token of an admin (who may write everything, so writes are exercised, not just refused),
# every check on. Prints schemathesis's summary; fails on any failure.
#
#   tests/api/schemathesis.sh [KARTA_BINARY]    # default: target/debug/karta (cargo build first)
set -euo pipefail
cd "$(dirname "$0")/../.."
karta="${1:-${CARGO_TARGET_DIR:-target}/debug/karta}"
work=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cp -r roadmaps "$work/"
export KARTA_DB="$work/karta.db" KARTA_ROADMAPS="$work/roadmaps" KARTA_CONFIG="$work/karta.toml"
now=2023-10-16T10:00:00+10:00
"$karta" user add admin --name "Администратор" --role admin --now "$now" <<< 'длинный-пароль-1' >/dev/null
token=$("$karta" user token admin --now "$now" | grep -Eo '[A-Za-z0-9_-]{32,}' | head -1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$karta" serve --listen "127.0.0.1:$port" --base-url "http://127.0.0.1:$port" --uploads "$work/uploads" \
    --now "$now" > "$work/serve.log" 2>&1 &
server=$!
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
PY
config="$PWD/tests/api/schemathesis.toml"
cd "$work"
st --config-file "$config" --no-color run "http://127.0.0.1:$port/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --max-examples "${KARTA_SCHEMATHESIS_EXAMPLES:-100}" \
    --seed 20261205 \
    --workers 2
