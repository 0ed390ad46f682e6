#!/usr/bin/env bash
# The public pii-leak-benchmark (PyPI, pinned in .ci/run) in `ci` mode against the real
# `blackbar proxy`: its capture server plays the model provider, and the run must report CLEAN
# (no fixture value reached the upstream, every value restored, valid SSE). A control run with
# the logs' threshold (`min_confidence = "medium"`) must report LEAK, so the check can fail.
#
# Usage: .ci/pii-leak-benchmark.sh PATH/TO/pii-leak-benchmark PATH/TO/blackbar
set -euo pipefail
bench=$(realpath "$1")
bin=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=18787
gateway() {
    # The benchmark starts this in the foreground and stops it when done; its capture listens
    # on 127.0.0.1:8765.
    cat > "$work/$1.sh" <<SH
#!/bin/sh
exec "$bin" proxy --listen 127.0.0.1:$port --upstream http://127.0.0.1:8765 $2
SH
    chmod +x "$work/$1.sh"
}
gateway default ""
echo 'min_confidence = "medium"' > "$work/medium.toml"
gateway medium "--policy $work/medium.toml"

run() {
    (cd "$work" && "$bench" ci --target-base-url "http://127.0.0.1:$port/v1" \
        --start-command "$work/$1.sh" --out "$work/out-$1" > "$work/$1.log" 2>&1)
}
if ! run default; then
    cat "$work/default.log"
    echo "pii-leak-benchmark: blackbar proxy did not report CLEAN" >&2
    exit 1
fi
grep -q '^\*\*CLEAN\*\*' "$work/out-default/summary.md"
sed -n '1,/^## Required behavior/p' "$work/out-default/summary.md"
if run medium || ! grep -q '^\*\*LEAK\*\*' "$work/out-medium/summary.md"; then
    cat "$work/medium.log"
    echo "pii-leak-benchmark: the control (logs' threshold) did not report LEAK" >&2
    exit 1
fi
echo "pii-leak-benchmark: CLEAN with the proxy's defaults; the control at medium reports LEAK"
