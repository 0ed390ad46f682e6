#!/usr/bin/env bash
# Whole-process throughput on real and synthetic logs: `blackbar < FILE > /dev/null` against
# `cat < FILE > /dev/null` in the same run, for each engine and each thread count. Prints a
# Markdown table: median wall time of RUNS runs, MB/s (10^6 B), the median CPU time (user +
# system: what the work costs, steadier than wall time on a shared machine), the ratio to
# `cat`, and blackbar's peak RSS.
#
# Inputs (written to $TMPDIR, never committed):
# * the real logs of ../shared/corpora/real/ (or $REAL), each repeated to SIZE_MIB or more:
#   Apache access (text), auth.log (text), NGINX Plus status (`--format json`);
# * the synthetic corpora of corpora/gen.rs (seed 1): `clean` (no IPs, no `@`, no long
#   digit runs) and `sprinkled` (one value every ~4 KiB), SIZE_MIB each.
#
#   bash benches/pipe.sh                          # RUNS=3 SIZE_MIB=64, threads 1 and nproc
#   RUNS=5 SIZE_MIB=256 bash benches/pipe.sh
#   ONLY=auth THREADS="1 2" bash benches/pipe.sh  # inputs whose name contains ONLY
#   FEATURES=hyperscan ENGINES="rust hyperscan" bash benches/pipe.sh
#   WORST=1 ONLY=worst bash benches/pipe.sh       # the worst cases: all digits, an IPv4 on
#                                                 # every line, 1 MiB lines of @, 10,000
#                                                 # findings on one line
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZE_MIB=${SIZE_MIB:-64}
REAL=${REAL:-../shared/corpora/real}
TMP=${TMPDIR:-/tmp}
THREADS=${THREADS:-"1 $(nproc)"}
ENGINES=${ENGINES:-rust}
ONLY=${ONLY:-}
BIN=target/release/blackbar

cargo build --release --quiet ${FEATURES:+--features "$FEATURES"} --bin blackbar --example gencorpus

want=$((SIZE_MIB * 1048576))
# Repeats a real log until it holds at least SIZE_MIB (whole copies: every line stays real).
scaled() {
    local src=$1 out=$TMP/blackbar-bench-$(basename "$1")-${SIZE_MIB}m
    if [[ ! -s $out || $(stat -c %s "$out") -lt $want ]]; then
        : > "$out"
        while [[ $(stat -c %s "$out") -lt $want ]]; do cat "$src" >> "$out"; done
    fi
    echo "$out"
}
synthetic() {
    local out=$TMP/blackbar-bench-$1-${SIZE_MIB}m-seed1.log
    if [[ ! -s $out || $(stat -c %s "$out") -ne $want ]]; then
        target/release/examples/gencorpus --seed 1 --bytes "$want" --kind "$1" --out "$out"
    fi
    echo "$out"
}

# name|file|extra flags
inputs=()
for f in apache-access.log auth.log; do
    [[ -s $REAL/$f ]] && inputs+=("real: $f|$(scaled "$REAL/$f")|")
done
[[ -s $REAL/nginx-plus-status.jsonl ]] &&
    inputs+=("real: nginx-plus-status.jsonl|$(scaled "$REAL/nginx-plus-status.jsonl")|--format json")
inputs+=("synthetic: clean|$(synthetic clean)|" "synthetic: sprinkled|$(synthetic sprinkled)|")
# The worst cases (WORST=1): each a SIZE_MIB file of one shape.
worst() {
    local out=$TMP/blackbar-bench-worst-$1-${SIZE_MIB}m
    if [[ ! -s $out ]]; then
        python3 - "$1" "$want" "$out" <<'PY'
import random, sys
kind, want, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(1)
if kind == "digits":  # lines of 120 random digits
    line = lambda: "".join(rnd.choice("0123456789") for _ in range(120)) + "\n"
elif kind == "ipv4":  # an IPv4 address on every line
    line = lambda: "Dec  6 10:00:%02d host sshd[%d]: Accepted publickey for deploy from %d.%d.%d.%d port %d ssh2\n" % (
        rnd.randrange(60), rnd.randrange(99999), rnd.randrange(1, 255), rnd.randrange(256),
        rnd.randrange(256), rnd.randrange(1, 255), rnd.randrange(1024, 65535))
elif kind == "at":  # lines of a megabyte of @
    line = lambda: "@" * (1 << 20) + "\n"
elif kind == "findings":  # 10,000 e-mail addresses on one line
    line = lambda: " ".join("u%d@example.com" % rnd.randrange(10**6) for _ in range(10000)) + "\n"
with open(out, "w") as f:
    n = 0
    while n < want:
        l = line(); f.write(l); n += len(l)
PY
    fi
    echo "$out"
}
if [[ -n ${WORST:-} ]]; then
    for k in digits ipv4 at findings; do inputs+=("worst: $k|$(worst $k)|"); done
fi

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Wall-clock and CPU (user + system) seconds, ms resolution, of one run of
# `CMD < FILE > /dev/null`: "wall cpu".
seconds() {
    local TIMEFORMAT='%3R %3U %3S'
    { time bash -c "$1 < '$2' > /dev/null"; } 2>&1 | tail -n1 | awk '{ print $1, $2 + $3 }'
}

echo "blackbar $($BIN --version | head -n1 | cut -d' ' -f2), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(date -u +%Y-%m-%d), median of $RUNS"
echo
echo "| input | size | engine | threads | blackbar | MB/s | CPU | \`cat\` | × \`cat\` | peak RSS |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for entry in "${inputs[@]}"; do
    IFS='|' read -r name file flags <<< "$entry"
    [[ -n $ONLY && $name != *"$ONLY"* ]] && continue
    bytes=$(stat -c %s "$file")
    cat "$file" > /dev/null # the page cache holds it for every run
    for engine in $ENGINES; do
        for t in $THREADS; do
            cmd="$BIN --engine $engine --threads $t $flags"
            cat_s=() bb_s=() bb_cpu=()
            for ((i = 0; i < RUNS; i++)); do
                cat_s+=("$(seconds cat "$file" | cut -d' ' -f1)")
                read -r wall cpu <<< "$(seconds "$cmd" "$file")"
                bb_s+=("$wall") bb_cpu+=("$cpu")
            done
            rss_kib=$( { /usr/bin/time -f '%M' $cmd < "$file" > /dev/null; } 2>&1 | tail -n1)
            c=$(printf '%s\n' "${cat_s[@]}" | median)
            b=$(printf '%s\n' "${bb_s[@]}" | median)
            u=$(printf '%s\n' "${bb_cpu[@]}" | median)
            awk -v n="$name" -v by="$bytes" -v e="$engine" -v t="$t" -v c="$c" -v b="$b" -v u="$u" -v rss="$rss_kib" 'BEGIN {
                printf "| %s | %.0f MiB | %s | %d | %.2f s | %.0f | %.2f s | %.3f s | %.1f | %.0f MiB |\n",
                    n, by / 1048576, e, t, b, by / 1e6 / b, u, c, b / c, rss / 1024
            }'
        done
    done
done
