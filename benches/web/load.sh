#!/usr/bin/env bash
# Load on the web app's pages, before and after render-once: the same release binary with
# `[web] page_cache = false` (every request renders its page, as karta did before) and `true`
# (pages kept per view, session and address; ETag/304), same machine, same run. wrk, 2 threads,
# 8 connections, $1 seconds (20) per page, on loopback, sharing the 2 cores with the server; the
# clock moves (no --now), signed in as a viewer with gzip. Then the first request after a report
# (median of 9) and the regional model's timeline size. Prints one table.
#
#   benches/web/load.sh [SECONDS]        # builds the release binary first (or uses $KARTA_BIN)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-20}"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/karta-target}"
if [ -z "${KARTA_BIN:-}" ]; then cargo build --release --quiet --bin karta; fi
karta="${KARTA_BIN:-$CARGO_TARGET_DIR/release/karta}"

work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r roadmaps "$work/"
cd "$work"
export KARTA_DB="$work/karta.db" KARTA_ROADMAPS="$work/roadmaps" KARTA_CONFIG="$work/karta.toml"
echo 'пароль-нагрузки' | "$karta" user add load --name "Нагрузка" --role viewer >/dev/null
echo 'пароль-админа-1' | "$karta" user add admin --name "Администратор" --role admin >/dev/null
api=$("$karta" user token admin | grep -Eo '[A-Za-z0-9_-]{32,}' | head -1)
pages=("/r/lazo-2023-2024" "/r/khabarovsk-model-2023-2024" "/" "/healthz")
occurrence=$("$karta" status --roadmap lazo-2023-2024 --all --format json | python3 -c '
import json, sys
print(next(o["id"] for o in json.load(sys.stdin)["occurrences"] if o["state"] not in ("done_on_time", "done_late", "cancelled")))')

start() {
    printf '[web]\nsecure_cookies = false\npage_cache = %s\n' "$1" > karta.toml
    "$karta" serve --listen 127.0.0.1:0 --interval 3600 > serve.out 2> serve.log &
    server=$!
    for _ in $(seq 100); do grep -q "http://" serve.out 2>/dev/null && break; sleep 0.1; done
    base=$(sed -n 's|karta serve: http://127.0.0.1\(:[0-9]*\)/|http://localhost\1|p' serve.out)
    # Sign in like a browser: the form's token and its cookie, then the session cookie.
    rm -f jar
    token=$(curl -s -c jar "$base/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
    curl -s -b jar -c jar -o /dev/null --data-urlencode "login=load" --data-urlencode "password=пароль-нагрузки" \
         --data-urlencode "_csrf=$token" "$base/login"
    session=$(awk '$6 == "karta_session" {print $7}' jar)
    [ -n "$session" ] || { echo "sign-in failed" >&2; exit 1; }
}

stop() { kill "$server"; wait "$server" 2>/dev/null || true; }

# The first page after a report: a report through the API, then the page (median of 9, ms).
after_report() {
    for _ in $(seq 9); do
        curl -s -o /dev/null -H "Authorization: Bearer $api" -H 'Content-Type: application/json' \
             -d '{"kind": "partial", "percent": 10}' "$base/api/occurrences/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$occurrence")/report"
        curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: karta_session=$session" -H "Accept-Encoding: gzip" "$base/r/lazo-2023-2024"
    done | sort -n | sed -n 5p | awk '{printf "%.0f", $1 * 1000}'
}

printf '%-34s %-6s %10s %10s\n' "page" "cache" "req/s" "p99"
for cache in false true; do
    start "$cache"
    for page in "${pages[@]}"; do
        curl -s -o /dev/null -H "Cookie: karta_session=$session" "$base$page"
        out=$(wrk -t2 -c8 -d"${seconds}s" --latency -H "Cookie: karta_session=$session" -H "Accept-Encoding: gzip" "$base$page")
        rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
        errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
        printf '%-34s %-6s %10s %10s %s\n' "$page" "$cache" "$rps" "$p99" "${errors:+(non-2xx: $errors)}"
    done
    printf '%-34s %-6s %10s ms\n' "first page after a report" "$cache" "$(after_report)"
    stop
done
start true
bytes=$(curl -s -H "Cookie: karta_session=$session" "$base/r/khabarovsk-model-2023-2024/timeline" | wc -c)
gz=$(curl -s -H "Cookie: karta_session=$session" -H "Accept-Encoding: gzip" "$base/r/khabarovsk-model-2023-2024/timeline" | wc -c)
echo "regional model timeline: $bytes bytes ($gz gzipped)"
stop
