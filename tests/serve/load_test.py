#!/usr/bin/env python3
"""`mistakesim serve` under load and under attack, on loopback only.

20 clients x 50 changes each (each client its own page view, on its own keep-alive connection):
every answer equals the one the server gave for the same edit when asked alone, nothing crashes,
the server's memory stays flat. Then requests that must be refused: no token, a wrong token, a
foreign Origin, a foreign Host (DNS rebinding), a body over the limit, malformed JSON, a form post,
an unknown parameter, save names that leave the study's folder or replace the study: each gets its
status and nothing is written. Bounded: about 1,000 re-runs of 500 trials.

usage: load_test.py MISTAKESIM SOURCE_DIR
"""

import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

CLIENTS, CHANGES, TRIALS = 20, 50, 500
exe, source = sys.argv[1], sys.argv[2]

work = tempfile.mkdtemp(prefix="serve-load-")
study_dir = os.path.join(work, "study")
os.makedirs(study_dir)
shutil.copy(os.path.join(source, "configs", "mid-market.toml"), study_dir)
study = os.path.join(study_dir, "mid-market.toml")
original = open(study, "rb").read()


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def listening_addresses(port):
    """Local addresses of listening TCP sockets on `port` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in open(table).readlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                found.append(address)
    return found


server = subprocess.Popen([exe, "serve", study, "--trials", str(TRIALS)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
failures = []
try:
    server.stdout.readline()
    url = server.stdout.readline().strip()
    port = int(url.split(":")[2].split("/")[0])
    token = url.split("token=")[1]
    host = f"127.0.0.1:{port}"
    assert listening_addresses(port) == ["0100007F"], listening_addresses(port)  # 127.0.0.1 only

    def request(method, path, body=None, headers=None, conn=None, raw=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        h = {"Host": host, "Content-Type": "application/json"}
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        payload = r.read()
        if conn is None:
            c.close()
        return r.status, payload

    def run_edit(value, view, conn=None):
        body = {"edits": {"mistake.pilot-no-criteria.probability": {"dist": "pert", "min": "0.05", "mode": value,
                                                                    "max": "0.5"}},
                "interventions": [], "view": view}
        status, payload = request("POST", f"/api/run?token={token}", body, conn=conn)
        assert status == 200, (status, payload[:300])
        return json.loads(payload)["headline"]["mean"]["mean"]

    values = [f"{0.05 + 0.01 * k:.2f}" for k in range(24)]  # more than the server caches
    expected = {v: run_edit(v, "warmup") for v in values}
    assert len(set(expected.values())) == len(values), expected  # every edit moves the cost
    rss_before = rss_kib(server.pid)

    def client(k):
        rng = random.Random(k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            for _ in range(CHANGES):
                v = rng.choice(values)
                got = run_edit(v, f"client{k}", conn)
                if got != expected[v]:
                    failures.append(f"client {k}: mode {v} gave {got}, alone it gave {expected[v]}")
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(f"client {k}: {e!r}")
        finally:
            conn.close()

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    seconds = time.monotonic() - start
    assert not any(t.is_alive() for t in threads), "clients still running after 240 s"
    assert server.poll() is None, "the server died under load"
    assert not failures, "\n".join(failures[:10])
    rss_after = rss_kib(server.pid)
    # Flat: runs are cached a few at a time and views are bounded; 1,000 runs must not add up.
    assert rss_after - rss_before < 96 * 1024, (rss_before, rss_after)

    # Refusals, each with its status; nothing may be written.
    def files():
        return sorted(os.listdir(study_dir)) + sorted(os.listdir(work))

    before = files()
    good = {"edits": {}, "interventions": [], "view": "x"}
    checks = [
        ("no token", request("POST", "/api/run", good)[0], 403),
        ("no token on the page", request("GET", "/")[0], 403),
        ("wrong token", request("POST", "/api/run?token=" + "0" * 32, good)[0], 403),
        ("foreign Origin", request("POST", f"/api/run?token={token}", good, {"Origin": "http://evil.example"})[0], 403),
        ("foreign Host", request("GET", f"/api/study?token={token}", headers={"Host": f"evil.example:{port}"})[0], 403),
        ("body over the limit", request("POST", f"/api/run?token={token}", raw=b"{" + b" " * 200_000 + b"}")[0], 413),
        ("malformed JSON", request("POST", f"/api/run?token={token}", raw=b'{"edits": {')[0], 400),
        ("JSON of the wrong shape", request("POST", f"/api/run?token={token}", [1, 2])[0], 400),
        ("form post", request("POST", f"/api/run?token={token}", raw=b"a=b",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})[0], 415),
        ("unknown parameter", request("POST", f"/api/run?token={token}",
                                      {"edits": {"study.seed": 5}})[0], 400),
        ("a value the reader refuses", request("POST", f"/api/run?token={token}",
                                               {"edits": {"pipeline.close_rate": "2"}})[0], 422),
    ]
    for name in ("../escape.toml", "/tmp/escape.toml", "sub/escape.toml", "..%2fescape.toml", ".hidden.toml",
                 "escape.sh", "x" * 200 + ".toml"):
        checks.append((f"save name {name[:30]!r}",
                       request("POST", f"/api/save?token={token}", {"name": name, "edits": {}, "overwrite": True})[0],
                       400))
    checks.append(("replacing the study itself",
                   request("POST", f"/api/save?token={token}",
                           {"name": "mid-market.toml", "edits": {"team.reps": "3"}, "overwrite": True})[0], 409))
    for name, got, want in checks:
        if got != want:
            failures.append(f"{name}: HTTP {got}, expected {want}")
    assert files() == before, (before, files())
    assert open(study, "rb").read() == original
    assert not os.path.exists("/tmp/escape.toml") or os.path.getmtime("/tmp/escape.toml") < start
    assert server.poll() is None, "the server died on a refused request"
    assert not failures, "\n".join(failures)
    print(f"ok: {CLIENTS} clients x {CHANGES} changes in {seconds:.1f} s, every answer as when asked alone; "
          f"RSS {rss_before // 1024} -> {rss_after // 1024} MiB; {len(checks)} refusals as expected")
finally:
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(work, ignore_errors=True)
