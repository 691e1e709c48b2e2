#!/usr/bin/env bash
# Load on the web app: wrk against the roadmap page of the regional model (9,793 occurrences)
# on loopback, signed in as a coordinator, for 30 s (or $1 seconds). Prints wrk's report with
# latency percentiles. Installs wrk from Debian when it is missing.
#
#   benches/web/load.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-30}"
connections="${2:-16}"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/karta-target}"
cargo build --release --quiet --bin karta
karta="$CARGO_TARGET_DIR/release/karta"

work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r roadmaps "$work/"
cd "$work"
export KARTA_DB="$work/karta.db" KARTA_ROADMAPS="$work/roadmaps"
echo 'пароль-нагрузки' | "$karta" user add load --name "Нагрузка" --role coordinator --executor mo-amursky >/dev/null
"$karta" serve --listen 127.0.0.1:0 --interval 3600 --now 2023-10-16T10:00:00+10:00 > serve.out 2> serve.log &
server=$!
for _ in $(seq 100); do grep -q "http://" serve.out 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's|karta serve: http://127.0.0.1\(:[0-9]*\)/|http://localhost\1|p' serve.out)

# Sign in like a browser: the form's token and its cookie, then the session cookie.
token=$(curl -s -c jar "$base/login" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -s -b jar -c jar -o /dev/null --data-urlencode "login=load" --data-urlencode "password=пароль-нагрузки" \
     --data-urlencode "_csrf=$token" "$base/login"
session=$(awk '$6 == "karta_session" {print $7}' jar)
[ -n "$session" ] || { echo "sign-in failed" >&2; exit 1; }

page="/r/khabarovsk-model-2023-2024"
bytes=$(curl -s -H "Cookie: karta_session=$session" -H "Accept-Encoding: gzip" "$base$page" | wc -c)
echo "page $page: $bytes bytes gzipped"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Cookie: karta_session=$session" -H "Accept-Encoding: gzip" "$base$page"
