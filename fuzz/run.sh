#!/usr/bin/env bash
# Builds and runs one fuzz target for a number of inputs, with bounded memory and time.
#
#   fuzz/run.sh TARGET RUNS [more libFuzzer flags...]
#   fuzz/run.sh deadline 200000
#   SKIP_BUILD=1 fuzz/run.sh loader 10000000 -seed=1
#
# TARGET: deadline | loader | convert_docx | convert_xlsx. RUNS: inputs to execute (-runs=N).
# Environment: SKIP_BUILD=1 runs the binary already built (no rebuild after src/ changes);
# SANITIZER (address | none; default address: see docs/fuzzing.md); CARGO_TARGET_DIR
# (default /work/target-fuzz, outside the repository). Works on the stable toolchain through
# RUSTC_BOOTSTRAP=1 (cargo-fuzz passes -Z flags).
#
# Prints the executions count, seconds, exec/s, peak RSS and the result; exits 0 when the run
# found nothing, 1 on a crash, leak, timeout or out-of-memory (the input is in
# fuzz/artifacts/TARGET/), 2 on a usage or build error. The full libFuzzer log is kept in
# $CARGO_TARGET_DIR/logs/.
set -euo pipefail

usage() { echo "usage: $0 deadline|loader|convert_docx|convert_xlsx RUNS [libFuzzer flags...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
target=$1 runs=$2
shift 2
[[ $runs =~ ^[0-9]+$ ]] || usage

case $target in
  deadline) max_len=256 ;;
  loader) max_len=65536 ;;
  convert_docx | convert_xlsx) max_len=1048576 ;;
  *) usage ;;
esac

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
cd "$fuzz_dir"
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-fuzz}
sanitizer=${SANITIZER:-address}
build_flags=(-O --debug-assertions -s "$sanitizer")

# The corpus is generated from the repository's files, never committed.
if [ ! -d "corpus/$target" ] || [ -z "$(ls -A "corpus/$target" 2>/dev/null)" ]; then
  python3 "$fuzz_dir/seed.py" "$target"
fi

flags=(-runs="$runs" -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" -print_final_stats=1)
if [ "$target" = deadline ]; then
  flags+=(-dict="$fuzz_dir/dict/deadline.dict")
fi

binary="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$target"
if [ "${SKIP_BUILD:-0}" = 1 ] && [ -x "$binary" ]; then
  echo "== using the built $binary (SKIP_BUILD=1)"
else
  echo "== building $target (sanitizer: $sanitizer, target dir: $CARGO_TARGET_DIR)"
  cargo fuzz build "${build_flags[@]}" "$target" || exit 2
fi

mkdir -p "$CARGO_TARGET_DIR/logs"
log="$CARGO_TARGET_DIR/logs/$target-$(date -u +%Y%m%dT%H%M%SZ).log"
echo "== running $target for $runs inputs: ${flags[*]} $*"
echo "   log: $log"
start=$(date +%s.%N)
set +e
# The binary itself, not `cargo fuzz run`: that would rebuild whenever src/ changed meanwhile.
mkdir -p "artifacts/$target"
"$binary" -artifact_prefix="artifacts/$target/" "${flags[@]}" "$@" "corpus/$target" >"$log" 2>&1
rc=$?
set -e
end=$(date +%s.%N)

stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
execs=$(stat number_of_executed_units)
rate=$(stat average_exec_per_sec)
rss=$(stat peak_rss_mb)
corpus_size=$(ls "corpus/$target" | wc -l)
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
# The last status line libFuzzer printed (coverage, features, corpus), for a quick look.
last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)

echo "target:      $target"
echo "executions:  ${execs:-?}"
echo "seconds:     $seconds (wall, including start-up and corpus loading)"
echo "exec/s:      ${rate:-?} (libFuzzer's average)"
echo "peak RSS:    ${rss:-?} MB"
echo "corpus:      $corpus_size files in fuzz/corpus/$target"
echo "last status: $last"
if [ $rc -eq 0 ]; then
  echo "result:      OK, no crash"
  exit 0
fi
echo "result:      FAILED (exit $rc)"
grep -E '^(==[0-9]+== ERROR|thread .* panicked|SUMMARY|Test unit written|.*panicked at)' "$log" | head -10 || true
grep -A3 'panicked at' "$log" | head -8 || true
ls -1t "artifacts/$target" 2>/dev/null | head -3 | sed "s|^|artifact:    fuzz/artifacts/$target/|"
exit 1
