#!/usr/bin/env bash
# Side-by-side on the same generated ~100 MB setup log, same run: `grep -c '\[ERROR\]'`
# versus `exdoctor analyze` (mmap + full parse + summary) on one thread.
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
cat "$file" > /dev/null   # page cache warm for both
best() { # best of $reps wall times in ms for the command "$@"
  local best=999999999
  for _ in $(seq "$reps"); do
    local s e ms
    s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N)
    ms=$(( (e - s) / 1000000 )); [ "$ms" -lt "$best" ] && best=$ms
  done
  echo "$best"
}
g=$(best grep -c '\[ERROR\]' "$file")
x=$(best ./target/release/exdoctor analyze --threads 1 --format json "$file")
mb=$(( size / 1048576 ))
echo "input: $file ($mb MiB)"
echo "grep -c '\[ERROR\]':            ${g} ms  ($(( size * 1000 / (g > 0 ? g : 1) / 1048576 )) MiB/s)"
echo "exdoctor analyze --threads 1:  ${x} ms  ($(( size * 1000 / (x > 0 ? x : 1) / 1048576 )) MiB/s)"
awk -v x="$x" -v g="$g" 'BEGIN { printf "ratio exdoctor/grep: %.2f\n", (g > 0 ? x / g : 0) }'
