#!/usr/bin/env bash
# Side by side, same generated ~100 MB setup log, same run:
#   grep -c '\[ERROR\]'                  (GNU grep, output to a file: with /dev/null it
#                                         stops at the first match)
#   exdoctor full parse, one core        (criterion bench setup_log/full_parse_100MB:
#                                         records, runs, tasks, errors, readiness, gaps)
#   exdoctor analyze --threads 1         (end to end: mmap, parse, rules, JSONL report)
# Prints MiB/s and the parse/grep time ratio (goal: within 2x).
# Usage: benches/compare_grep.sh [repetitions]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
file=target/bench-setup-100MB.log
cargo build --release --quiet
if [ ! -s "$file" ]; then
  EXDOCTOR_BENCH_WRITE="$PWD/$file" cargo bench --quiet --bench setup_log -- --test >/dev/null
fi
size=$(stat -c %s "$file")
cat "$file" > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
best_ms() { # best wall time of $reps runs of "$@", stdout to a file
  local best=999999999
  for _ in $(seq "$reps"); do
    local s e
    s=$(date +%s%N); "$@" > "$tmp/out" || true; e=$(date +%s%N)
    local ms=$(( (e - s) / 1000000 ))
    [ "$ms" -lt "$best" ] && best=$ms
  done
  echo "$best"
}
grep_ms=$(best_ms grep -c '\[ERROR\]' "$file")
cli_ms=$(best_ms ./target/release/exdoctor analyze --threads 1 --format jsonl "$file")
parse_line=$(cargo bench --quiet --bench setup_log -- full_parse --warm-up-time 1 --measurement-time 5 2>/dev/null | grep -A2 'full_parse_100MB' | grep 'thrpt' | head -1)
# thrpt:  [low unit mid unit high unit] -> the middle estimate in MiB/s
parse_mibs=$(echo "$parse_line" | awk '{ v = $4; u = $5; if (u ~ /GiB/) v *= 1024; printf "%.0f", v }')
awk -v size="$size" -v g="$grep_ms" -v c="$cli_ms" -v p="$parse_mibs" 'BEGIN {
  mib = size / 1048576
  gr = mib * 1000 / (g ? g : 1)
  printf "input: %.0f MiB\n", mib
  printf "grep -c \x27\\[ERROR\\]\x27          %6d ms  %6.0f MiB/s\n", g, gr
  printf "exdoctor full parse (1 core)  %6.0f ms  %6.0f MiB/s\n", (p ? mib * 1000 / p : 0), p
  printf "exdoctor analyze --threads 1  %6d ms  %6.0f MiB/s (end to end)\n", c, mib * 1000 / (c ? c : 1)
  printf "parse time / grep time: %.2f\n", (p ? gr / p : 0)
}'
