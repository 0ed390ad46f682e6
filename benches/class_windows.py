"""How much of a log a character-class skip pass would leave to the PII automaton.

The keyword-less PII patterns (phones, cards, IBANs, IPs, national ids) have no literal to
look for, so the lazy DFA walks every byte. A skip pass would find the bytes where such a
match can be (a digit, or a `:` for IPv6 and MAC addresses) and walk only windows around
them: from a few bytes before a trigger (the longest a pattern runs before its first digit)
to the longest match after it. This prints, for each log, the share of bytes such windows
cover: the bytes the DFA would still walk.

    python3 benches/class_windows.py ../shared/corpora/real/*.log ../shared/corpora/real/*.jsonl

The first trigger is the sound one for the catalog (every keyword-less pattern has a digit
or a `:`, except the all-letter forms of an Italian fiscal code, which would need a third
trigger); the others show what weaker triggers (not sound for every pattern) would leave.
"""

import re
import sys

TRIGGERS = [
    (rb"[0-9:]", 6, 45, "a digit or ':' (sound)"),
    (rb"[0-9]", 6, 45, "a digit"),
    (rb"[0-9]{2}", 6, 20, "two digits, shorter windows"),
]


def walked(data, trigger, before, after):
    """The share of `data` within `before` bytes before and `after` bytes after a trigger."""
    n = len(data)
    covered, end = 0, 0
    for m in re.finditer(trigger, data):
        a, b = max(end, m.start() - before, 0), min(n, m.end() + after)
        if b > a:
            covered += b - a
            end = b
    return covered / n if n else 0.0


def main():
    print("| log | trigger | window | bytes walked |")
    print("| --- | --- | --- | ---: |")
    for path in sys.argv[1:]:
        data = open(path, "rb").read()
        name = path.rsplit("/", 1)[-1]
        for trigger, before, after, what in TRIGGERS:
            share = walked(data, trigger, before, after)
            print(f"| {name} | {what} | -{before}/+{after} | {100 * share:.1f}% |")


if __name__ == "__main__":
    main()
