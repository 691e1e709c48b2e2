#!/usr/bin/env bash
# Two `karta serve` instances on one PostgreSQL database under wrk load, while a third process
# imports a region's reports: every response must be 2xx and every report must be in the
# database afterwards. Uses the release binaries and a PostgreSQL server of its own (initdb in a
# temporary directory, as the `postgres` user when run as root, on a free port).
#
#     cargo build --release --bins && benches/instances/run.sh [ACTIVITIES] [SECONDS]
#
# Needs wrk (apt-get install wrk) and PostgreSQL (.ci/deps).
set -euo pipefail
activities=${1:-10000}
seconds=${2:-20}
bin=$(cd "${CARGO_TARGET_DIR:-$(dirname "$0")/../../target}" && pwd)/release
now=2024-03-01T12:00:00+10:00
work=$(mktemp -d)
pg_bin=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
    kill "${pids[@]}" 2>/dev/null || true
    as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
pids=()
trap cleanup EXIT
mkdir -p "$work/pg" && [ "$(id -u)" = 0 ] && chown postgres "$work" "$work/pg"
as_pg "$pg_bin/initdb" -D "$work/pg" --auth=trust -U postgres --no-sync >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -o "-p $port -c listen_addresses=127.0.0.1 -k $work/pg" -l "$work/pg/log" -w start >/dev/null
db="postgres://postgres@127.0.0.1:$port/postgres"

"$bin/karta-gen" --activities "$activities" --out "$work/region" --events >/dev/null
cd "$work/region"
export KARTA_DB=$db KARTA_NOW=$now
echo "a-long-password-1" | "$bin/karta" user add admin --name Администратор --role admin >/dev/null
token=$("$bin/karta" user token admin)
for p in 0 1; do
    "$bin/karta" serve --listen 127.0.0.1:0 --interval 60 >"$work/serve-$p.out" 2>"$work/serve-$p.log" &
    pids+=($!)
done
for p in 0 1; do
    until grep -q "karta serve: http://" "$work/serve-$p.out" 2>/dev/null; do sleep 0.2; done
done
a=$(sed 's|karta serve: ||' "$work/serve-0.out"); b=$(sed 's|karta serve: ||' "$work/serve-1.out")
roadmap=$(ls roadmaps | grep -m1 -v directory | sed 's/\.yaml$//')
curl -fsS -H "Authorization: Bearer $token" "${a}api/overview" >/dev/null
curl -fsS -H "Authorization: Bearer $token" "${b}api/roadmaps/$roadmap" >/dev/null

echo "region: $activities activities, $(($(wc -l <events.csv) - 1)) reports to import; instances $a $b"
wrk -t1 -c4 -d"${seconds}s" --latency -H "Authorization: Bearer $token" "${a}api/roadmaps/$roadmap" >"$work/wrk-a" &
wa=$!
wrk -t1 -c4 -d"${seconds}s" --latency -H "Authorization: Bearer $token" "${b}api/overview" >"$work/wrk-b" &
wb=$!
sleep 2
start=$(date +%s.%N)
"$bin/karta" import events.csv --by gen >"$work/import.out"
echo "import (third process, during the load): $(echo "$(date +%s.%N) - $start" | bc) s: $(cat "$work/import.out")"
wait $wa $wb
for side in a b; do
    echo "--- instance $side"
    grep -E "Requests/sec|Non-2xx|Socket errors|requests in|99%" "$work/wrk-$side" || true
done
reports=$(($(wc -l <events.csv) - 1))
psql=$(command -v psql || echo "$pg_bin/psql")
stored=$("$psql" -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT count(*) FROM events" postgres)
echo "reports in the database: $stored of $reports"
errors=$(cat "$work"/serve-*.log | grep -c " ERROR " || true)
echo "errors logged by the instances: $errors"
[ "$stored" = "$reports" ] && ! grep -q "Non-2xx\|Socket errors" "$work"/wrk-*
