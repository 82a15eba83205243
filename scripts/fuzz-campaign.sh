#!/usr/bin/env bash
# The long fuzzing campaign, run by hand on a machine that can spare the cores for
# hours (CI runs each target for 30 s only: .ci/fuzz).
#
#   scripts/fuzz-campaign.sh [-H HOURS] [-j JOBS] [TARGET...]
#
#   -H HOURS   time per target (default 2; fractions allowed: -H 0.5)
#   -j JOBS    fuzzing processes per target (default: half the cores, at least 1)
#   TARGET...  default: every target (`cargo +nightly fuzz list`)
#
# Examples:
#   scripts/fuzz-campaign.sh -H 8 -j 4 zip_bundle analyze_bundle   # a night on the loaders
#   nohup scripts/fuzz-campaign.sh -H 2 >fuzz-campaign.log 2>&1 &  # every target, 2 h each
#
# The corpus each target grows is kept in fuzz/corpus/<target>/ between campaigns (it
# is not committed); at the end each is minimized (`cargo fuzz cmin`). Crashes, hangs
# (an input over 10 s) and memory blow-ups (over 2 GiB) are saved in
# target/fuzz-failures/<target>/ and listed at the end (exit 1). To keep a fixed one as
# a regression, copy the input into fuzz/regressions/<target>/ and commit it: CI seeds
# the fuzzers with it and tests/it/fuzz_regressions.rs replays it on every test run.
set -euo pipefail
cd "$(dirname "$0")/.."
hours=2
jobs=$(( $(nproc) / 2 ))
[ "$jobs" -ge 1 ] || jobs=1
while getopts "H:j:h" opt; do
  case $opt in
    H) hours=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) sed -n '2,21p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
seconds=$(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')
echo "fuzz campaign: ${hours} h per target, $jobs process(es), started $(date -u +%FT%TZ)"
status=0
FUZZ_JOBS=$jobs .ci/fuzz "$seconds" "$@" || status=$?
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
for target in "${targets[@]}"; do
  if [ -d "fuzz/corpus/$target" ]; then
    echo "== minimizing the corpus of $target"
    cargo +nightly fuzz cmin -a "$target" "fuzz/corpus/$target" >/dev/null 2>&1 || true
  fi
done
echo "fuzz campaign: ended $(date -u +%FT%TZ), exit $status"
exit "$status"
