#!/usr/bin/env bash
# karta side by side with TaskJuggler (tj3) and Taskwarrior on the same generated roadmaps, in
# one run. Installs the peers with apt-get, builds karta and karta-gen in release mode, and for
# each size times the equivalent jobs:
#   scheduling:  tj3 project.tjp (schedule + CSV report)      vs  karta plan --format csv
#   tracking:    task import + task overdue                   vs  karta import + karta status --overdue
# Each job runs PEER_RUNS times (default 5), alternating with its peer; karta both cold
# (`--no-cache`) and warm (the cache of files and plan the run before left).
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

# Seconds a command takes under `timeout` (to the millisecond), or "—" when it fails or runs past
# the limit. Read from the shell's own clock ($EPOCHREALTIME, bash 5): `date` run before and after
# added two more processes' start to each figure, about 1.8 ms here, a seventh of a warm
# `karta plan` at 1,000 activities. `timeout` itself still costs each command of either side
# about 1.3 ms (`timeout 600 true` takes 3.1 ms, `true` 1.8 ms).
seconds() {
    local start end
    start=${EPOCHREALTIME/[.,]/}
    if timeout "$limit" "$@" >/dev/null 2>&1; then
        end=${EPOCHREALTIME/[.,]/}
        printf "%d.%03d" $(( (end - start) / 1000000 )) $(( (end - start) / 1000 % 1000 ))
    else
        echo "—"
    fi
}
# "min / median / max s" of the samples given, or "—" when one failed.
spread() {
    if printf "%s\n" "$@" | grep -q "—"; then echo "—"; return; fi
    printf "%s\n" "$@" | sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.3f / %.3f / %.3f s", v[1], m, v[NR]}'
}
median() { printf "%s\n" "$@" | sort -g | awk '{v[NR]=$1} END {printf "%.4f", NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
ratio() {
    if printf "%s\n" "$@" | grep -q "—"; then echo "—"; return; fi
    printf "%.0f×" "$(echo "$1 / $2" | bc -l)"
}
runs=${PEER_RUNS:-5}

printf "%s runs of each job, alternating, in one run; min / median / max; ratios of the medians. karta cold: \`--no-cache\`; warm: the cache the run before left.\n\n" "$runs"
printf "| activities | occurrences | job | peer | karta cold | karta warm | ratio cold | ratio warm |\n|---|---|---|---|---|---|---|---|\n"
for n in ${sizes[*]}; do
    work=$(mktemp -d)
    "$bin/karta-gen" --activities "$n" --out "$work" --events 2>/dev/null
    (cd "$work" && "$bin/karta" plan --no-cache --format json > plan.json 2>/dev/null)
    occurrences=$(python3 benches/peers/convert.py "$work/plan.json" "$work/events.csv" "$work" | cut -d' ' -f1)
    export TASKDATA="$work/task" TASKRC="$work/taskrc"
    printf "data.location=%s\nconfirmation=off\nhooks=off\nverbose=nothing\n" "$TASKDATA" > "$TASKRC"
    tj=(); kp_cold=(); kp_warm=(); tw=(); kt_cold=(); kt_warm=()
    for _ in $(seq "$runs"); do
        tj+=("$(cd "$work" && seconds tj3 --silent --no-color project.tjp)")
        kp_cold+=("$(cd "$work" && seconds "$bin/karta" plan --no-cache --format csv)")
        (cd "$work" && "$bin/karta" plan --format csv >/dev/null 2>&1)
        kp_warm+=("$(cd "$work" && seconds "$bin/karta" plan --format csv)")
        rm -rf "$TASKDATA" && mkdir -p "$TASKDATA"
        tw_import=$(seconds task import "$work/tasks.json")
        tw_overdue=$( [[ $tw_import == "—" ]] && echo "—" || seconds task overdue )
        tw+=("$( [[ $tw_overdue == "—" ]] && echo "—" || printf "%.3f" "$(echo "$tw_import + $tw_overdue" | bc)" )")
        rm -f "$work"/karta.db*
        k_import=$(cd "$work" && seconds "$bin/karta" import events.csv --by peers --now $now --no-cache)
        k_status=$(cd "$work" && seconds "$bin/karta" status --overdue --now $now --format csv --no-cache)
        kt_cold+=("$(printf "%.3f" "$(echo "$k_import + $k_status" | bc)")")
        rm -f "$work"/karta.db*
        (cd "$work" && "$bin/karta" status --overdue --now $now --format csv >/dev/null 2>&1)
        k_import=$(cd "$work" && seconds "$bin/karta" import events.csv --by peers --now $now)
        k_status=$(cd "$work" && seconds "$bin/karta" status --overdue --now $now --format csv)
        kt_warm+=("$(printf "%.3f" "$(echo "$k_import + $k_status" | bc)")")
    done
    printf "| %s | %s | schedule: \`tj3\` vs \`karta plan\` | %s | %s | %s | %s | %s |\n" "$n" "$occurrences" \
        "$(spread "${tj[@]}")" "$(spread "${kp_cold[@]}")" "$(spread "${kp_warm[@]}")" \
        "$(ratio "$(median "${tj[@]}")" "$(median "${kp_cold[@]}")")" "$(ratio "$(median "${tj[@]}")" "$(median "${kp_warm[@]}")")"
    printf "| %s | %s | track: \`task import\` + \`task overdue\` vs \`karta import\` + \`karta status --overdue\` | %s | %s | %s | %s | %s |\n" "$n" "$occurrences" \
        "$(spread "${tw[@]}")" "$(spread "${kt_cold[@]}")" "$(spread "${kt_warm[@]}")" \
        "$(ratio "$(median "${tw[@]}")" "$(median "${kt_cold[@]}")")" "$(ratio "$(median "${tw[@]}")" "$(median "${kt_warm[@]}")")"
    rm -rf "$work"
done
