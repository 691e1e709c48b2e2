#!/usr/bin/env bash
# The API against its own generated OpenAPI document, with schemathesis (from PyPI; .ci/deps
# installs it): a live `karta serve` on the bundled roadmaps and a fresh SQLite store, a real
# bearer token of an admin (who may write everything, so writes are exercised, not just refused),
# every check on. Two passes: every mode on generated ids (bodies and parameters both right and
# wrong), then right data only on real ids (a district's late occurrence, its roadmap and
# executor, a pending move request), so that writes reach karta's rules instead of 404. A fixed
# id cannot be made wrong, so the second pass leaves wrong data to the first. Prints
# schemathesis's summaries; fails on any failure.
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
# A pending request to move a deadline, for the decision operation.
export KARTA_ROADMAP=khabarovsk-model-2023-2024 KARTA_EXECUTOR=mo-amursky
export KARTA_OCCURRENCE=khabarovsk-model-2023-2024/w-d3-inform@2023-10-03/mo-amursky
encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$KARTA_OCCURRENCE")
# Schemathesis puts path values in as they are: the id goes percent-encoded ('/' is in it).
KARTA_MOVE=$(python3 - "$port" "$token" "$encoded" <<'PY'
import json, sys, urllib.request
port, token, occurrence = sys.argv[1:]
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/api/occurrences/{occurrence}/move",
    data=json.dumps({"to": "2023-11-01", "reason": "каникулы"}).encode(),
    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
)
print(json.load(urllib.request.urlopen(request))["request"])
PY
)
export KARTA_MOVE
export KARTA_OCCURRENCE="$encoded"
cd "$work"
run() {
    st --config-file "$1" --no-color run "http://127.0.0.1:$port/api/openapi.json" \
        --header "Authorization: Bearer $token" \
        --checks all \
        --max-examples "${KARTA_SCHEMATHESIS_EXAMPLES:-100}" \
        --seed 20261205 \
        --workers 2 \
        "${@:2}"
}
run "$config"
run "${config%.toml}-ids.toml" --mode positive
