#!/usr/bin/python3
"""Where a running process's threads wait: samples every thread's state 20 times a second
until the process exits (bench/RESULTS.md, "Ten million customers: where the threads wait").

usage: bench/thread_states.py PID OUT

OUT: per (thread name, state, the futex address a sleeping thread waits on — which condition
variable — or its syscall) the share of samples, then each thread name's user and system CPU
seconds at its last sample (threads of one name summed: e.g. the 117 `cx-commit` threads of a
10 M replay). OUT.series: one line per sample, for joint views. Linux only (/proc)."""
import os, sys, time
pid, out = sys.argv[1], sys.argv[2]
counts = {}   # (comm, state, futex) -> samples
cpu = {}      # tid -> (comm, utime ticks, stime ticks), last seen
start = time.monotonic()
series = open(out + ".series", "w")
n = 0
while os.path.exists(f"/proc/{pid}"):
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        break
    row = []
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                s = f.read()
            comm = s[s.index("(") + 1:s.rindex(")")]
            state = s[s.rindex(")") + 2]
            fields = s[s.rindex(")") + 2:].split()
            cpu[tid] = (comm if tid != pid else "main", int(fields[11]), int(fields[12]))
            fut = ""
            if state in "SD":
                with open(f"/proc/{pid}/task/{tid}/syscall") as f:
                    sc = f.read().split()
                if sc and sc[0] == "202":
                    fut = sc[1]
                elif sc:
                    fut = "sys" + sc[0]
            if tid == pid:
                comm = "main"
            key = (comm, state, fut)
            counts[key] = counts.get(key, 0) + 1
            row.append(f"{comm}:{state}:{fut}")
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    series.write(f"{time.monotonic()-start:.2f} " + " ".join(row) + "\n")
    n += 1
    time.sleep(0.05)
with open(out, "w") as f:
    f.write(f"samples {n}\n")
    tick = os.sysconf("SC_CLK_TCK")
    per = {}
    for comm, u, st in cpu.values():
        a = per.setdefault(comm, [0, 0, 0]); a[0] += u; a[1] += st; a[2] += 1
    for comm, (u, st, k) in sorted(per.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
        f.write(f"cpu {comm:16} user {u/tick:8.1f} s  sys {st/tick:7.1f} s  threads {k}\n")
    for key, c in sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1])):
        f.write(f"{key[0]:16} {key[1]} {key[2]:20} {c:7} {100.0*c/n:6.1f}%\n")
