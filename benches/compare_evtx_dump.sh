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
# loop timed with `date +%s%N` (also with NO_HYPERFINE=1). Builds exdoctor in release mode.
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

# measure COMMAND... : "median min cpu" in milliseconds over $runs runs (output discarded);
# cpu = user + system time. On a busy machine the wall times wander; the CPU time and the
# minimum are the steadier figures.
measure() {
    if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
        local csv
        csv="$(mktemp)"
        hyperfine --shell=none --warmup 2 --runs "$runs" --export-csv "$csv" "$*" >/dev/null 2>&1
        awk -F, 'NR == 2 { printf "%.1f %.1f %.1f", $4 * 1000, $7 * 1000, ($5 + $6) * 1000 }' "$csv"
        rm -f "$csv"
    else
        local times=() start end cpu0 cpu1 me=$BASHPID
        "$@" >/dev/null 2>&1 || true
        cpu0=$(awk '{ print $16 + $17 }' "/proc/$me/stat" 2>/dev/null || echo 0)
        for _ in $(seq "$runs"); do
            start=$(date +%s%N)
            "$@" >/dev/null 2>&1 || true
            end=$(date +%s%N)
            times+=($(((end - start) / 1000)))
        done
        cpu1=$(awk '{ print $16 + $17 }' "/proc/$me/stat" 2>/dev/null || echo 0)
        printf '%s\n' "${times[@]}" | sort -n | awk -v c="$((cpu1 - cpu0))" -v n="$runs" -v hz="$(getconf CLK_TCK)" \
            '{ a[NR] = $1 } END { printf "%.1f %.1f %.1f", a[int((NR + 1) / 2)] / 1000, a[1] / 1000, c / hz * 1000 / n }'
    fi
}

for file in "$@"; do
    if [ ! -f "$file" ]; then
        echo "skipped (not found): $file" >&2
        continue
    fi
    size_mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1e6 }')
    rules=$(measure "$exdoctor" analyze --threads 1 --format json "$file")
    parse=$(measure "$exdoctor" parse "$file")
    dump=$(measure evtx_dump -o jsonl -t 1 "$file")
    echo "$file ($size_mb MB), $runs runs each; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "                                  median ms   min ms   cpu ms   ratio to evtx_dump (median/min/cpu)"
    awk -v r="$rules" -v p="$parse" -v d="$dump" 'BEGIN {
        split(r, R, " "); split(p, P, " "); split(d, D, " ")
        printf "  exdoctor analyze (rule events) %9.1f %8.1f %8.1f   %.2f / %.2f / %.2f\n", R[1], R[2], R[3], R[1] / D[1], R[2] / D[2], R[3] / D[3]
        printf "  exdoctor parse (all, JSONL)    %9.1f %8.1f %8.1f   %.2f / %.2f / %.2f\n", P[1], P[2], P[3], P[1] / D[1], P[2] / D[2], P[3] / D[3]
        printf "  evtx_dump -o jsonl -t 1        %9.1f %8.1f %8.1f\n", D[1], D[2], D[3]
        ok = (R[2] / D[2] <= 0.8 && R[3] / D[3] <= 0.8)
        printf "  goal analyze/evtx_dump <= 0.80 (min and cpu): %s\n", (ok ? "met" : "NOT met")
    }'
done
