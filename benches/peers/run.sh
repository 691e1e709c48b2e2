#!/usr/bin/env bash
# karta side by side with TaskJuggler (tj3) and Taskwarrior on the same generated roadmaps, in
# one run. Installs the peers with apt-get, builds karta and karta-gen in release mode, and for
# each size times the equivalent jobs:
#   scheduling:  tj3 project.tjp (schedule + CSV report)      vs  karta plan --format csv
#   tracking:    task import + task overdue                   vs  karta import + karta status --overdue
# Usage: benches/peers/run.sh [SIZES…]   (activities; default: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("${@:-1000 10000}")
limit=${PEER_TIMEOUT:-600}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! command -v tj3 >/dev/null || ! command -v task >/dev/null || ! command -v bc >/dev/null; then
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends tj3 taskwarrior bc >/dev/null
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/karta-target}"
cargo build --release --quiet --bins
bin="$CARGO_TARGET_DIR/release"
now=2024-03-01T12:00:00+10:00

# Seconds a command takes, or "—" when it fails or runs past the limit.
seconds() {
    local start end
    start=$(date +%s.%N)
    if timeout "$limit" "$@" >/dev/null 2>&1; then
        end=$(date +%s.%N)
        printf "%.2f" "$(echo "$end - $start" | bc)"
    else
        echo "—"
    fi
}
unit() { if [[ $1 == "—" ]]; then echo "—"; else echo "$1 s"; fi; }
ratio() { if [[ $1 == "—" || $2 == "—" ]]; then echo "—"; else printf "%.0f×" "$(echo "$1 / $2" | bc -l)"; fi; }

printf "| activities | occurrences | tj3 schedule | karta plan | ratio | task import + overdue | karta import + status --overdue | ratio |\n|---|---|---|---|---|---|---|---|\n"
for n in ${sizes[*]}; do
    work=$(mktemp -d)
    "$bin/karta-gen" --activities "$n" --out "$work" --events 2>/dev/null
    (cd "$work" && "$bin/karta" plan --format json > plan.json 2>/dev/null)
    occurrences=$(python3 benches/peers/convert.py "$work/plan.json" "$work/events.csv" "$work" | cut -d' ' -f1)
    tj=$(cd "$work" && seconds tj3 --silent --no-color project.tjp)
    kp=$(cd "$work" && seconds "$bin/karta" plan --format csv)
    export TASKDATA="$work/task" TASKRC="$work/taskrc"
    mkdir -p "$TASKDATA" && printf "data.location=%s\nconfirmation=off\nhooks=off\nverbose=nothing\n" "$TASKDATA" > "$TASKRC"
    tw_import=$(seconds task import "$work/tasks.json")
    tw_overdue=$( [[ $tw_import == "—" ]] && echo "—" || seconds task overdue )
    tw=$( [[ $tw_overdue == "—" ]] && echo "—" || printf "%.2f" "$(echo "$tw_import + $tw_overdue" | bc)" )
    k_import=$(cd "$work" && seconds "$bin/karta" import events.csv --by peers --now $now)
    k_status=$(cd "$work" && seconds "$bin/karta" status --overdue --now $now --format csv)
    kt=$(printf "%.2f" "$(echo "$k_import + $k_status" | bc)")
    printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n" "$n" "$occurrences" "$(unit "$tj")" "$(unit "$kp")" "$(ratio "$tj" "$kp")" "$(unit "$tw")" "$(unit "$kt")" "$(ratio "$tw" "$kt")"
    rm -rf "$work"
done
