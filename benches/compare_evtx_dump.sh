#!/usr/bin/env bash
# Compares exdoctor's EVTX reading with evtx_dump (the `evtx` crate's own CLI) on the
# same files, in the same run, at one thread each:
#   rules : exdoctor analyze --threads 1 --format json FILE   (every record counted, the
#           events the rules use decoded with their EventData: what analyze does)
#   parse : exdoctor parse FILE                               (every event normalized,
#           written as JSONL)
#   dump  : evtx_dump -o jsonl -t 1 FILE                      (every record as JSON)
# and prints the medians and the ratios rules/dump and parse/dump (goal: rules/dump <= 0.8).
#
# Installs nothing: expects `evtx_dump` on PATH (cargo install evtx --version 0.15.1
# --locked) and uses hyperfine when present (apt-get install -y hyperfine), else a
# loop timed with `date +%s%N`. Builds exdoctor in release mode.
#
# Usage: benches/compare_evtx_dump.sh [FILE.evtx ...]
#   default file: $EXDOCTOR_CORPUS (or ../shared/corpus)/evtx/DFIRArtifactMuseum/
#   Win2012R2-StolenSzechuan/System.evtx; RUNS=N sets the number of timed runs (10).
set -euo pipefail

cd "$(dirname "$0")/.."
if ! command -v evtx_dump >/dev/null 2>&1; then
    echo "evtx_dump not found on PATH (cargo install evtx --version 0.15.1 --locked)" >&2
    exit 2
fi
corpus="${EXDOCTOR_CORPUS:-../shared/corpus}"
if [ "$#" -eq 0 ]; then
    set -- "$corpus/evtx/DFIRArtifactMuseum/Win2012R2-StolenSzechuan/System.evtx"
fi
runs="${RUNS:-10}"

cargo build --release --quiet --bin exdoctor
exdoctor="$PWD/target/release/exdoctor"
echo "evtx_dump: $(evtx_dump --version 2>/dev/null || echo unknown version)"

# median_ms NAME COMMAND... : median wall time of COMMAND in milliseconds (output discarded)
median_ms() {
    shift
    if command -v hyperfine >/dev/null 2>&1; then
        local csv
        csv="$(mktemp)"
        hyperfine --shell=none --warmup 2 --runs "$runs" --export-csv "$csv" "$*" >/dev/null 2>&1
        awk -F, 'NR == 2 { printf "%.1f", $4 * 1000 }' "$csv"
        rm -f "$csv"
    else
        local times=() start end
        "$@" >/dev/null 2>&1 || true
        for _ in $(seq "$runs"); do
            start=$(date +%s%N)
            "$@" >/dev/null 2>&1 || true
            end=$(date +%s%N)
            times+=($(((end - start) / 1000)))
        done
        printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
    fi
}

for file in "$@"; do
    if [ ! -f "$file" ]; then
        echo "skipped (not found): $file" >&2
        continue
    fi
    size_mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1e6 }')
    rules=$(median_ms rules "$exdoctor" analyze --threads 1 --format json "$file")
    parse=$(median_ms parse "$exdoctor" parse "$file")
    dump=$(median_ms dump evtx_dump -o jsonl -t 1 "$file")
    echo "$file ($size_mb MB), median of $runs runs:"
    awk -v r="$rules" -v p="$parse" -v d="$dump" -v mb="$size_mb" 'BEGIN {
        printf "  exdoctor analyze (rule events) %8.1f ms  %7.1f MB/s  ratio to evtx_dump %.2f\n", r, mb / r * 1000, r / d
        printf "  exdoctor parse (all, JSONL)    %8.1f ms  %7.1f MB/s  ratio to evtx_dump %.2f\n", p, mb / p * 1000, p / d
        printf "  evtx_dump -o jsonl -t 1        %8.1f ms  %7.1f MB/s\n", d, mb / d * 1000
        printf "  goal rules/evtx_dump <= 0.80: %s\n", (r / d <= 0.8 ? "met" : "NOT met")
    }'
done
