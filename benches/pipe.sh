#!/usr/bin/env bash
# Whole-process throughput: `cat F | blackbar > /dev/null` against `cat F | cat > /dev/null`
# on a 256 MiB synthetic log (corpora/gen.rs, kind sprinkled, seed 1; written to /tmp, never
# committed). Reports the median of RUNS runs each, the ratio, and blackbar's max RSS.
#
#   bash benches/pipe.sh            # RUNS=5 SIZE_MIB=256 by default
#   RUNS=3 SIZE_MIB=64 bash benches/pipe.sh
#   FEATURES=hyperscan BLACKBAR_ENGINE=hyperscan bash benches/pipe.sh   # the Hyperscan engine
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SIZE_MIB=${SIZE_MIB:-256}
KIND=${KIND:-sprinkled}
FILE=${FILE:-/tmp/blackbar-${KIND}-${SIZE_MIB}m-seed1.log}
BIN=target/release/blackbar

cargo build --release --quiet ${FEATURES:+--features "$FEATURES"} --bin blackbar --example gencorpus
if [[ ! -s $FILE || $(stat -c %s "$FILE") -ne $((SIZE_MIB * 1048576)) ]]; then
    target/release/examples/gencorpus --seed 1 --bytes $((SIZE_MIB * 1048576)) \
        --kind "$KIND" --out "$FILE"
fi

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Wall-clock seconds (ms resolution) of one run of `cat FILE | TOOL > /dev/null`.
run() {
    local TIMEFORMAT=%3R
    { time bash -c "cat '$FILE' | $1 > /dev/null"; } 2>&1 | tail -n1
}

# Warm the page cache so both pipelines read from memory.
cat "$FILE" > /dev/null

declare -a cat_s bb_s
for ((i = 0; i < RUNS; i++)); do
    cat_s+=("$(run cat)")
    bb_s+=("$(run "$BIN")")
done
# Max RSS of the blackbar process itself (not the shell or cat around it).
rss_kib=$( { cat "$FILE" | /usr/bin/time -f '%M' "$BIN" > /dev/null; } 2>&1 | tail -n1)

cat_med=$(printf '%s\n' "${cat_s[@]}" | median)
bb_med=$(printf '%s\n' "${bb_s[@]}" | median)
awk -v f="$FILE" -v mib="$SIZE_MIB" -v runs="$RUNS" -v c="$cat_med" -v b="$bb_med" \
    -v cs="${cat_s[*]}" -v bs="${bb_s[*]}" -v rss="$rss_kib" 'BEGIN {
    printf "file: %s (%d MiB), %d runs each, median wall time\n", f, mib, runs
    printf "  cat | cat      > /dev/null: %6.3f s  %8.1f MB/s (10^6 B)  runs: %s\n", c, mib * 1.048576 / c, cs
    printf "  cat | blackbar > /dev/null: %6.3f s  %8.1f MB/s (10^6 B)  runs: %s\n", b, mib * 1.048576 / b, bs
    printf "  ratio blackbar/cat: %.1fx   blackbar max RSS: %.1f MiB\n", b / c, rss / 1024
}'
