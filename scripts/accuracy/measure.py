"""Runs test cases (JSON lines from cases.py) through the real blackbar pipe and reports, per
suite and family, the share of positive examples changed (caught) and of negative examples
changed (false positives).

    python3 scripts/accuracy/cases.py noseyparker /path/to/noseyparker > np.jsonl
    python3 scripts/accuracy/measure.py --blackbar target/ci/blackbar np.jsonl
    python3 scripts/accuracy/measure.py --blackbar target/ci/blackbar --list neg np.jsonl

A case counts as changed when blackbar's output for it differs from its input, which is what a
user sees. Cases go through one process, separated by a boundary line; a case that could open a
multi-line match (a PEM block) runs alone. Extra arguments after `--` go to blackbar (for
example `-- --min-confidence low`). `--list pos|neg` prints the positives missed or the
negatives changed: these are the sources' own example strings.
"""

import argparse
import collections
import json
import subprocess
import sys

BOUNDARY = "\n\n===== blackbar case boundary =====\n\n"


def run(blackbar, extra, texts):
    """blackbar's output for each text."""
    batch, alone = [], []
    for k, t in enumerate(texts):
        (alone if "-----BEGIN" in t or "BEGIN " in t else batch).append(k)
    out = [None] * len(texts)
    if batch:
        joined = BOUNDARY.join(texts[k] for k in batch)
        got = subprocess.run([blackbar, *extra], input=joined.encode(), capture_output=True,
                             check=True).stdout.decode("utf-8", "replace")
        parts = got.split(BOUNDARY)
        if len(parts) != len(batch):
            raise SystemExit(f"boundary lost: {len(parts)} parts for {len(batch)} cases")
        for k, p in zip(batch, parts):
            out[k] = p
    for k in alone:
        out[k] = subprocess.run([blackbar, *extra], input=texts[k].encode(), capture_output=True,
                                check=True).stdout.decode("utf-8", "replace")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--blackbar", default="target/ci/blackbar")
    ap.add_argument("--list", choices=["pos", "neg"])
    ap.add_argument("--family", help="only families starting with this")
    ap.add_argument("--json", action="store_true", help="one JSON document instead of a table")
    ap.add_argument("cases")
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()
    cases = [json.loads(line) for line in open(a.cases)]
    if a.family:
        cases = [c for c in cases if c["family"].startswith(a.family)]
    outs = run(a.blackbar, a.extra, [c["text"] for c in cases])
    stats = collections.defaultdict(lambda: [0, 0, 0, 0])  # pos, pos changed, neg, neg changed
    for c, o in zip(cases, outs):
        changed = o != c["text"]
        s = stats[(c["suite"], c["family"])]
        tot = stats[(c["suite"], "ALL")]
        col = 0 if c["kind"] == "pos" else 2
        for x in (s, tot):
            x[col] += 1
            x[col + 1] += changed
        if a.list == c["kind"] and changed == (c["kind"] == "neg"):
            print(f"{c['family']}\t{c['rule']}\t{json.dumps(c['text'])}\n\t-> {json.dumps(o)}")
    if a.list:
        return
    if a.json:
        print(json.dumps({f"{k[0]}/{k[1]}": v for k, v in sorted(stats.items())}, indent=1))
        return
    pct = lambda n, d: f"{100 * n / d:5.1f}%" if d else "    -"
    print(f"{'suite/family':40} {'pos':>5} {'caught':>7} {'neg':>5} {'changed':>7}")
    for (suite, fam), (p, pc, n, nc) in sorted(stats.items(), key=lambda kv: (kv[0][1] == "ALL", kv[0])):
        print(f"{suite + '/' + fam:40} {p:5} {pct(pc, p):>7} {n:5} {pct(nc, n):>7}")


if __name__ == "__main__":
    sys.exit(main())
