#!/usr/bin/env python3
"""How long a change takes to answer in `mistakesim serve`, by trial count (a benchmark, not a test).

Starts one server per trial count on a copy of the study, then sends changes round-robin across
them (interleaved, so machine noise hits every count alike): each change a new value of a mistake's
probability (never a cached one), alone and with an intervention switched on. Reports the minimum
and median round trip per count, the median CPU time the server spent on it (clock ticks of
10 ms: a busy machine stretches the round trip, not the CPU time), and the precision the count gives (95% CI half-width of the mean
yearly cost and of the paired change from the study as loaded).

usage: bench_latency.py MISTAKESIM STUDY [--threads 2] [--repeats 15] [--trials 10000,20000,40000]
"""

import argparse
import http.client
import json
import statistics
import subprocess
import os
import time


def cpu_ms(pid):
    """User + system CPU time of a process so far [ms] (a busy machine stretches wall time, not this)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return 1000 * (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

p = argparse.ArgumentParser()
p.add_argument("exe")
p.add_argument("study")
p.add_argument("--threads", default="2")
p.add_argument("--repeats", type=int, default=15)
p.add_argument("--trials", default="10000,20000,40000")
p.add_argument("--intervention", default="")
a = p.parse_args()

servers = {}
for n in [int(x) for x in a.trials.split(",")]:
    proc = subprocess.Popen([a.exe, "serve", a.study, "--trials", str(n), "--threads", a.threads],
                            stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()
    url = proc.stdout.readline().strip()
    port = int(url.split(":")[2].split("/")[0])
    servers[n] = (proc, port, url.split("token=")[1], [], {}, [])

path = "mistake.pilot-no-criteria.probability"
try:
    for r in range(a.repeats):
        mode = f"{0.11 + 0.005 * r:.3f}"  # a new value every time: no cached answer
        for n, (proc, port, token, times, last, cpu) in servers.items():
            body = {"edits": {path: {"dist": "pert", "min": "0.1", "mode": mode, "max": "0.5"}},
                    "interventions": [a.intervention] if a.intervention else [], "view": "bench"}
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            cpu0 = cpu_ms(proc.pid)
            start = time.perf_counter()
            c.request("POST", f"/api/run?token={token}", body=json.dumps(body),
                      headers={"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"})
            answer = json.loads(c.getresponse().read())
            times.append(1000 * (time.perf_counter() - start))
            cpu.append(cpu_ms(proc.pid) - cpu0)
            c.close()
            last.update(answer)
    print(f"change of {path}{' with ' + a.intervention if a.intervention else ''}, "
          f"{a.threads} threads, {a.repeats} repeats")
    print(f"{'trials':>8} {'min ms':>8} {'median ms':>10} {'CPU ms':>8} {'mean cost':>12} {'+- 95% CI':>10} "
          f"{'change +-':>10}")
    for n, (proc, port, token, times, last, cpu) in servers.items():
        m = last["headline"]["mean"]
        d = last["difference"]
        print(f"{n:>8} {min(times):>8.0f} {statistics.median(times):>10.0f} {statistics.median(cpu):>8.0f} "
              f"{m['mean']:>12,.0f} "
              f"{(m['hi'] - m['lo']) / 2:>10,.0f} {(d['hi'] - d['lo']) / 2:>10,.0f}")
finally:
    for proc, *_ in servers.values():
        proc.terminate()
        proc.wait()
