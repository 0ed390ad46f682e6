#!/usr/bin/env python3
"""Idle-input latency: how long a completed line takes to come out of `blackbar` while its
stdin stays open (the `tail -f` case). Usage: python3 benches/latency.py target/release/blackbar"""
import subprocess, time, os, statistics, sys
p = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
time.sleep(0.5)
lat = []
for i in range(30):
    line = f"{i} user alice{i}@example.com card 4111 1111 1111 1111 done\n".encode()
    t = time.perf_counter()
    p.stdin.write(line)
    got = b""
    while not got.endswith(b"\n"):
        got += os.read(p.stdout.fileno(), 4096)
    lat.append((time.perf_counter() - t) * 1000)
    assert b"[EMAIL]" in got and b"[CREDIT_CARD]" in got, got
    time.sleep(0.05)
p.stdin.close(); p.wait()
lat.sort()
print(f"idle-input line latency over {len(lat)} lines: median {statistics.median(lat):.2f} ms, p90 {lat[int(len(lat)*0.9)]:.2f} ms, max {max(lat):.2f} ms")
