#!/usr/bin/env bash
# Bulk-triage benchmark: `exdoctor analyze --format json` over synthetic fleets of 100
# and 1,000 hosts (gen-fleet, samples/generator), with --threads 1 and --threads 2.
# Prints per fleet: total input bytes, wall time, throughput, the 1 -> 2 thread
# speed-up and the peak RSS, against the goals
#   >= 1 GB/s per core end to end, speed-up >= 1.8x, peak RSS < 300 MB at 1,000 hosts.
#
# Usage: benches/fleet.sh [SIZES...]          (default: 100 1000)
# Environment:
#   FLEET_DIR              where fleets live (default target/fleets; never committed)
#   FLEET_SEED             gen-fleet seed (default 1)
#   FLEET_EVENTS_PER_LOG   records of System/Application per host (default 20000,
#                          ~38 MB per host; a fleet of 1,000 hosts needs ~38 GB)
#   FLEET_ZIP=1            hosts as .zip bundles instead of folders
#   FLEET_GEN_JOBS         gen-fleet --jobs (default 1)
#   EXDOCTOR               analyzer binary (default target/release/exdoctor)
# A fleet is generated only when its folder is missing; delete it to regenerate.
# Before writing a fleet the script checks the free disk space (estimate + 30 %).
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(100 1000)
FLEET_DIR=${FLEET_DIR:-target/fleets}
SEED=${FLEET_SEED:-1}
EPL=${FLEET_EVENTS_PER_LOG:-20000}
GEN_JOBS=${FLEET_GEN_JOBS:-1}
EXDOCTOR=${EXDOCTOR:-target/release/exdoctor}
GEN=target/release/gen-fleet
ZIP_FLAG=()
SUFFIX=""
if [ "${FLEET_ZIP:-0}" = 1 ]; then
    ZIP_FLAG=(--zip)
    SUFFIX="-zip"
fi

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (Debian package 'time') for peak RSS ..." >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
    else
        sudo apt-get install -y -qq time >/dev/null
    fi
fi

if [ ! -x "$EXDOCTOR" ] || [ ! -x "$GEN" ]; then
    cargo build --release -p exdoctor -p exdoctor-samples
fi
mkdir -p "$FLEET_DIR"

# Bytes per host of this configuration, measured on a 20-host probe fleet (cached).
per_host_bytes() {
    local probe="$FLEET_DIR/.probe-e$EPL$SUFFIX"
    if [ ! -f "$probe.bytes" ]; then
        rm -rf "$probe"
        "$GEN" 20 "$probe" --seed "$SEED" --events-per-log "$EPL" "${ZIP_FLAG[@]}" --quiet >/dev/null
        echo $(( $(du -sb "$probe" | cut -f1) / 20 )) >"$probe.bytes"
        rm -rf "$probe"
    fi
    cat "$probe.bytes"
}

ensure_fleet() {
    local n=$1 dir=$2
    if [ -d "$dir" ]; then
        return
    fi
    local need free
    need=$(( $(per_host_bytes) * n * 13 / 10 ))
    free=$(( $(df -B1 --output=avail "$FLEET_DIR" | tail -1) ))
    if [ "$need" -gt "$free" ]; then
        echo "fleet of $n hosts needs ~$((need / 1000000000)) GB, only $((free / 1000000000)) GB free on $FLEET_DIR:" >&2
        echo "  skipped (lower FLEET_EVENTS_PER_LOG or free some space)" >&2
        return 1
    fi
    echo "generating $n hosts into $dir ..." >&2
    /usr/bin/time -f "gen-fleet: %e s wall, %U s user, %S s sys, %M KB peak RSS" \
        "$GEN" "$n" "$dir" --seed "$SEED" --events-per-log "$EPL" --jobs "$GEN_JOBS" "${ZIP_FLAG[@]}" \
        --manifest "$dir.manifest.json" --quiet >&2
}

# Runs the analyzer once; prints "wall_seconds peak_kb exit_code cpu_seconds".
run() {
    local dir=$1 threads=$2 out=$3
    local tf
    tf=$(mktemp)
    set +e
    /usr/bin/time -v -o "$tf" "$EXDOCTOR" analyze "$dir" --format json --threads "$threads" --quiet >"$out" 2>/dev/null
    local rc=$?
    set -e
    local wall kb cpu
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tf" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$tf")
    rm -f "$tf"
    echo "$wall $kb $rc $cpu"
}

verdict() { if awk "BEGIN { exit !($1) }"; then echo "ok"; else echo "MISSED"; fi; }

printf '\n%-8s %10s %8s %10s %10s %8s %10s %5s %8s %10s\n' hosts "input MB" threads "wall s" "MB/s" "x 1->2" "peak MB" rc "CPU s" "MB/CPU-s"
for n in "${SIZES[@]}"; do
    dir="$FLEET_DIR/hosts-$n-s$SEED-e$EPL$SUFFIX"
    ensure_fleet "$n" "$dir" || continue
    bytes=$(du -sb "$dir" | cut -f1)
    mb=$(awk "BEGIN { printf \"%.1f\", $bytes / 1e6 }")
    read -r w1 kb1 rc1 c1 < <(run "$dir" 1 "$dir.report-t1.json")
    read -r w2 kb2 rc2 c2 < <(run "$dir" 2 "$dir.report-t2.json")
    t1=$(awk "BEGIN { printf \"%.0f\", $bytes / 1e6 / $w1 }")
    t2=$(awk "BEGIN { printf \"%.0f\", $bytes / 1e6 / $w2 }")
    speedup=$(awk "BEGIN { printf \"%.2f\", $w1 / $w2 }")
    printf '%-8s %10s %8s %10s %10s %8s %10s %5s %8s %10s\n' "$n" "$mb" 1 "$w1" "$t1" "" "$((kb1 / 1000))" "$rc1" "$c1" \
        "$(awk "BEGIN { printf \"%.0f\", $bytes / 1e6 / $c1 }")"
    printf '%-8s %10s %8s %10s %10s %8s %10s %5s %8s %10s\n' "" "" 2 "$w2" "$t2" "$speedup" "$((kb2 / 1000))" "$rc2" "$c2" \
        "$(awk "BEGIN { printf \"%.0f\", $bytes / 1e6 / $c2 }")"
    per_core_1=$(awk "BEGIN { print $bytes / $w1 / 1e9 }")
    per_core_2=$(awk "BEGIN { print $bytes / $w2 / 2 / 1e9 }")
    echo "  goal >= 1 GB/s per core: 1 thread $(printf '%.2f' "$per_core_1") GB/s $(verdict "$per_core_1 >= 1"), 2 threads $(printf '%.2f' "$per_core_2") GB/s per core $(verdict "$per_core_2 >= 1")"
    echo "  goal speed-up >= 1.8x: ${speedup}x $(verdict "$speedup >= 1.8")"
    if [ "$n" -ge 1000 ]; then
        echo "  goal peak RSS < 300 MB at 1,000 hosts: $((kb1 / 1000)) / $((kb2 / 1000)) MB $(verdict "$kb1 < 300000 && $kb2 < 300000")"
    fi
    if [ "$rc1" != 0 ] || [ "$rc2" != 0 ]; then
        echo "  note: exit codes $rc1/$rc2 (2 = some input unreadable; see the report's diagnostics)"
    fi
done
echo
echo "page cache: $(free -g | awk '/Mem:/ {print $7}') GB available; fleets larger than that are read from disk"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (wall times and speed-up need otherwise idle cores; MB/CPU-s does not)"
