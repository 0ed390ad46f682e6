"""Writes `NAME.labels.jsonl` for the real logs in this directory: the answer key of
`blackbar eval` on them, made without blackbar.

    python3 corpora/real/label.py

A label is a value that belongs to a person and must change: an IPv4 address (four decimal
octets of at most 255, not part of a longer dotted or digit run, not a version after a name
and `/`) that a host can have, or an e-mail address. The unspecified address a server listens
on (`0.0.0.0`), loopbacks (`127.0.0.1`) and `255.` netmasks name no one's device: they stay. Everything else must stay as it is: paths, status codes, byte
counts, timestamps, counters, process ids, host names such as `ip-10-77-20-248`, the sudo
`PWD=` working directory, OpenSSH algorithm names (`rijndael-cbc@lysator.liu.se`).
"""

import json
import pathlib
import re

HERE = pathlib.Path(__file__).parent
FILES = ["apache-access.log", "auth.log", "nginx-plus-status.jsonl"]

IPV4 = re.compile(rb"(?<![0-9A-Za-z.\-])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![0-9A-Za-z]|\.[0-9])")
# A software version in a user agent: a product token and `/` (`Firefox/2.0.0.4`, the token
# starting a word), or Gecko's `rv:`.
VERSION_BEFORE = re.compile(rb"(?:(?:^|[ (;\"])[A-Za-z][A-Za-z0-9._-]*/|rv:)$")
EMAIL = re.compile(rb"(?<![A-Za-z0-9._%-])[A-Za-z0-9_%-][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}")
# First octets of addresses no host has: this network (0/8), loopback (127/8), broadcast and
# netmasks (255.).
NO_HOST = (0, 127, 255)
# OpenSSH names its algorithms after the domain of whoever defined them.
ALGORITHM_DOMAINS = (b"@lysator.liu.se", b"@openssh.com", b"@libssh.org")


def labels(data):
    out = []
    for m in IPV4.finditer(data):
        before = data[max(0, m.start() - 64):m.start()]
        octets = [int(g) for g in m.groups()]
        if (all(o <= 255 for o in octets) and octets[0] not in NO_HOST
                and not VERSION_BEFORE.search(before)):
            out.append((m.start(), m.end(), "ipv4"))
    for m in EMAIL.finditer(data):
        if not m.group().endswith(ALGORITHM_DOMAINS):
            out.append((m.start(), m.end(), "email"))
    return sorted(out)


def main():
    for name in FILES:
        data = (HERE / name).read_bytes()
        with open(HERE / f"{name}.labels.jsonl", "w") as f:
            for start, end, rule in labels(data):
                f.write(json.dumps({"start": start, "end": end, "rule": rule, "category": "pii"},
                                   separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
