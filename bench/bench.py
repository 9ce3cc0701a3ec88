#!/usr/bin/env python3
"""Build benchmark for maillage (issue 6). Standard library only.

Generates corpora with ../shared/tools/gencorpus.py (once, cached), then for
each size runs, several times (each run all of them in this order; with
--interleave, run 1 of every size, then run 2 of every size…):

  full     maillage build into an empty output folder
  rebuild  the same build again, nothing changed (must write nothing):
           it stops after reading the site (fingerprint unchanged)
  rebuild-full  the same, without the record of the last build
           (.maillage-state removed): every page rendered and compared
  floor    examples/floor.rs: read + pulldown-cmark + write, nothing else
  hugo     (with --hugo, if `hugo` is installed) the same corpus, Hugo format

and prints the median wall time, CPU time (user + system), peak resident
memory of the process (getrusage of the child, via os.wait4), output files
and bytes, and maillage's own per-stage timings (`--timings`).

With --topics-compare N it also builds N documents with a 20-topic and a
1,000-topic catalog, and times each step alone on both
(examples/stage_costs.rs: each step run 3 times on one thread, medians).

Usage (from the repository root; output on tmpfs by default):

    python3 bench/bench.py                       # 1k and 10k, 5 runs
    python3 bench/bench.py --sizes 100000 --runs 3
    python3 bench/bench.py --sizes 10000,100000 --runs 3 --interleave --no-cargo
    python3 bench/bench.py --sizes 10000,100000 --runs 3 --settle 10 --no-cargo
    python3 bench/bench.py --sizes 10000 --hugo --topics-compare 10000
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_GENCORPUS = os.path.join(os.path.dirname(REPO), "shared", "tools", "gencorpus.py")
if not os.path.exists(DEFAULT_GENCORPUS):
    DEFAULT_GENCORPUS = "/work/shared/tools/gencorpus.py"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1000,10000", help="comma-separated document counts")
    p.add_argument("--runs", type=int, default=5, help="runs per scenario (median quoted)")
    p.add_argument("--corpora", default="/tmp/bench-corpora", help="where generated corpora are cached")
    p.add_argument("--out", default="/dev/shm/maillage-bench", help="scratch output folder (tmpfs)")
    p.add_argument("--gencorpus", default=DEFAULT_GENCORPUS)
    p.add_argument("--hugo", action="store_true", help="also build the Hugo-format corpus with hugo")
    p.add_argument("--topics-compare", type=int, default=0, metavar="N",
                   help="compare 20 and 1000 topics at N documents")
    p.add_argument("--no-floor", action="store_true")
    p.add_argument("--settle", type=float, default=0, metavar="S",
                   help="wait S seconds before each full build, floor and Hugo run, so that each starts "
                        "from the same machine state (see docs/PERFORMANCE.md, \"Scaling\")")
    p.add_argument("--interleave", action="store_true",
                   help="run 1 of every size, then run 2 of every size… (not every run of one size in a row)")
    p.add_argument("--no-cargo", action="store_true", help="use the binaries already built")
    p.add_argument("--json", help="append every measurement as a JSON line to this file")
    return p.parse_args()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def corpus(args, fmt, docs, topics=None):
    topics = None if topics == 20 else topics  # 20 is gencorpus's default
    name = f"{fmt}-{docs}" + (f"-t{topics}" if topics else "")
    path = os.path.join(args.corpora, name)
    if not os.path.exists(os.path.join(path, ".complete")):
        log(f"generating {path} …")
        shutil.rmtree(path, ignore_errors=True)
        cmd = [sys.executable, args.gencorpus, "--format", fmt, "--docs", str(docs), "--out", path, "--quiet"]
        if topics:
            cmd += ["--topics", str(topics)]
        subprocess.run(cmd, check=True)
        open(os.path.join(path, ".complete"), "w").close()
    return path


def measure(cmd):
    """Runs cmd; returns wall s, cpu s (user, sys), peak RSS MiB, stdout, stderr.

    The peak is the child's `ru_maxrss` (from `wait4`), unless that is no
    more than the harness's own high-water mark: Linux counts the parent's
    mark in a child started with vfork/exec, so a small process (the floor,
    a rebuild) would report the harness's size. Then the peak is the
    child's own `VmHWM`, sampled from /proc every 10 ms while it runs."""
    own = vm_hwm_kib("self") or 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read the pipes (in threads, so a chatty child cannot block) and sample
    # the child's own high-water mark until it has been reaped; wait4 gives
    # the child's own rusage (CPU and peak RSS), not the harness's.
    out, err, sampled = [], [], [0]
    done = threading.Event()
    readers = [threading.Thread(target=lambda: out.append(proc.stdout.read())),
               threading.Thread(target=lambda: err.append(proc.stderr.read()))]

    def sample():
        while not done.wait(0.01):
            sampled[0] = max(sampled[0], vm_hwm_kib(proc.pid) or 0)

    sampler = threading.Thread(target=sample)
    for t in readers + [sampler]:
        t.start()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    for t in readers + [sampler]:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[0].decode(errors='replace')}")
    own_peak = ru.ru_maxrss > own
    peak = ru.ru_maxrss if own_peak else sampled[0]
    return {
        "wall": wall,
        "cpu": ru.ru_utime + ru.ru_stime,
        "user": ru.ru_utime,
        "sys": ru.ru_stime,
        "rss_mib": peak / 1024,
        "rss_sampled": not own_peak,
        "stdout": out[0].decode(errors="replace"),
        "stderr": err[0].decode(errors="replace"),
    }


def vm_hwm_kib(pid):
    """`VmHWM` of a process (KiB), or None once it has exited."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def settle(seconds):
    """Waits `seconds` before a measurement from scratch (full build, floor,
    Hugo). On this VM (virtio-balloon with free page reporting), memory
    freed by one process, or by deleting its output, goes back to the host
    within seconds; until then the next process gets it cheaply, and after
    that each page it touches first costs a fault on the host too. Without
    a pause, a build that follows one of its own size reuses most of the
    memory it needs (a 10,000-document build needs 1 GB, memory and output),
    one of 100,000 documents cannot (9 GB): their ratio then measures the
    machine. With a pause every build starts from the same state."""
    if seconds > 0:
        time.sleep(seconds)


def tree_size(path):
    files = size = 0
    for root, _, names in os.walk(path):
        for n in names:
            files += 1
            size += os.lstat(os.path.join(root, n)).st_size
    return files, size


def stage_timings(stderr):
    """{stage: (wall, cpu)} from `--timings` ("stage wall/cpu, ...")."""
    m = re.search(r"timings \(s, wall/cpu\): (.*)", stderr)
    if not m:
        return {}
    out = {}
    for part in m.group(1).split(", "):
        name, value = part.rsplit(None, 1)
        wall, _, cpu = value.partition("/")
        out[name] = (float(wall), float(cpu or "nan"))
    return out


def written_count(stdout):
    m = re.search(r"\((\d+) written,", stdout)
    return int(m.group(1)) if m else None


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


class Bench:
    def __init__(self, args):
        self.args = args
        self.maillage = os.path.join(REPO, "target", "release", "maillage")
        self.floor = os.path.join(REPO, "target", "release", "examples", "floor")
        self.matching = os.path.join(REPO, "target", "release", "examples", "stage_costs")
        self.matching_lines = []
        self.load_start = os.getloadavg()[0]
        self.results = []  # (size label, scenario, [runs])

    def record(self, label, scenario, runs):
        self.results.append((label, scenario, runs))
        if self.args.json:
            with open(self.args.json, "a") as f:
                for r in runs:
                    row = {k: v for k, v in r.items() if k not in ("stdout", "stderr")}
                    f.write(json.dumps({"corpus": label, "scenario": scenario, **row}) + "\n")

    def maillage_build(self, root, out):
        r = measure([self.maillage, "build", "--root", root, "--output", out, "--timings"])
        r["stages"] = stage_timings(r["stderr"])
        r["written"] = written_count(r["stdout"])
        r["files"], r["bytes"] = tree_size(out)
        return r

    def run_size(self, docs, topics=None, label=None, extra=True):
        """Every run of one corpus, one after the other."""
        size = self.size(docs, topics, label, extra)
        for i in range(self.args.runs):
            self.one_run(size, i)
        self.finish(size)

    def run_interleaved(self, sizes):
        """Run 1 of every corpus, then run 2 of every corpus…: each size meets
        the machine in the same state (what ran just before), which matters
        on this VM, where memory freed by one build costs the next one system
        time to touch again (see docs/PERFORMANCE.md, "Scaling")."""
        states = [self.size(docs) for docs in sizes]
        for i in range(self.args.runs):
            for size in states:
                self.one_run(size, i)
        for size in states:
            self.finish(size)

    def size(self, docs, topics=None, label=None, extra=True):
        args = self.args
        return {
            "label": label or f"{docs}",
            "root": corpus(args, "maillage", docs, topics),
            "hugo_root": corpus(args, "hugo", docs) if extra and args.hugo else None,
            "extra": extra,
            "runs": {name: [] for name in ("full", "rebuild", "rebuild-full", "floor", "hugo")},
        }

    def one_run(self, size, i):
        args = self.args
        label, root, extra, runs = size["label"], size["root"], size["extra"], size["runs"]
        out = os.path.join(args.out, "site")
        floor_out = os.path.join(args.out, "floor")
        hugo_out = os.path.join(args.out, "hugo")
        log(f"[{label}] run {i + 1}/{args.runs}")
        shutil.rmtree(out, ignore_errors=True)
        settle(args.settle)
        runs["full"].append(self.maillage_build(root, out))
        if extra:
            runs["rebuild"].append(self.maillage_build(root, out))
            state = os.path.join(out, ".maillage-state")
            if os.path.exists(state):
                os.remove(state)
                runs["rebuild-full"].append(self.maillage_build(root, out))
        if extra and not args.no_floor:
            shutil.rmtree(floor_out, ignore_errors=True)
            settle(args.settle)
            r = measure([self.floor, os.path.join(root, "content"), floor_out])
            r["files"], r["bytes"] = tree_size(floor_out)
            runs["floor"].append(r)
        if size["hugo_root"]:
            shutil.rmtree(hugo_out, ignore_errors=True)
            settle(args.settle)
            r = measure(["hugo", "--quiet", "--source", size["hugo_root"], "--destination", hugo_out])
            r["files"], r["bytes"] = tree_size(hugo_out)
            runs["hugo"].append(r)
        # Each corpus starts from an empty scratch folder, whatever ran before.
        shutil.rmtree(args.out, ignore_errors=True)

    def finish(self, size):
        for name, runs in size["runs"].items():
            if runs:
                self.record(size["label"], name, runs)

    def topic_matching(self, docs, topics):
        if not os.path.exists(self.matching):
            log("examples/stage_costs.rs is missing: no timing of matching alone")
            return
        root = corpus(self.args, "maillage", docs, topics)
        r = measure([self.matching, root, "3"])
        steps = dict(re.findall(r"^(.+?)\s+median ([0-9.]+) s", r["stdout"], re.M))
        median = float(steps["topics (matching)"])
        line = f"{topics} topics: " + ", ".join(f"{k} {v} s" for k, v in steps.items())
        self.matching_lines.append((topics, median, line))

    def report_scaling(self):
        """Each size against the one before it (e.g. 100000 against 10000):
        the ratio of wall, user and system time, for the full build and the
        floor — the floor does no cross-document work, so its own ratio shows
        what the machine adds at scale."""
        by = {}
        for label, scenario, runs in self.results:
            if label.isdigit() and scenario in ("full", "floor"):
                by.setdefault(scenario, {})[int(label)] = runs
        full = by.get("full", {})
        sizes = sorted(full)
        lines = []
        for small, large in zip(sizes, sizes[1:]):
            parts = []
            for scenario in ("full", "floor"):
                runs = by.get(scenario, {})
                if small in runs and large in runs:
                    ratio = {k: median_of(runs[large], k) / median_of(runs[small], k)
                             for k in ("wall", "user", "sys")}
                    parts.append(f"{scenario} {ratio['wall']:.1f} × wall "
                                 f"(user {ratio['user']:.1f} ×, system {ratio['sys']:.1f} ×)")
            lines.append(f"- {large} / {small} documents: " + "; ".join(parts))
        if lines:
            print("\nscaling (medians):\n")
            print("\n".join(lines))

    def report(self):
        print(f"\nmachine: {os.cpu_count()} cores, load average at start {self.load_start:.2f}, "
              f"at end {os.getloadavg()[0]:.2f}; "
              f"medians of {self.args.runs} runs; output in {self.args.out}\n")
        print("| corpus | scenario | wall s | CPU s | user s | sys s | peak RSS MiB | files | MB written | notes |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
        full_wall = {}
        sampled = False
        for label, scenario, runs in self.results:
            wall = median_of(runs, "wall")
            notes = []
            if scenario == "full":
                full_wall[label] = wall
            if scenario.startswith("rebuild"):
                notes.append(f"written: max {max(r['written'] for r in runs)}")
            if scenario == "floor" and label in full_wall:
                notes.append(f"full / floor = {full_wall[label] / wall:.2f}")
            if scenario == "hugo" and label in full_wall:
                notes.append(f"maillage / hugo = {full_wall[label] / wall:.2f}")
            rss = f"{median_of(runs, 'rss_mib'):.0f}"
            if any(r.get("rss_sampled") for r in runs):
                rss += "*"
                sampled = True
            print(f"| {label} | {scenario} | {wall:.2f} | {median_of(runs, 'cpu'):.2f} | "
                  f"{median_of(runs, 'user'):.2f} | {median_of(runs, 'sys'):.2f} | "
                  f"{rss} | {runs[0]['files']} | {runs[0]['bytes'] / 1e6:.1f} | "
                  f"{'; '.join(notes)} |")
        if sampled:
            print("\n\\* peak sampled from /proc every 10 ms (a lower bound): the process stayed "
                  "under the harness's own size, which `wait4` would have reported")
        self.report_scaling()
        print("\nmaillage full build, stage medians (wall / CPU s):\n")
        stages = None
        for label, scenario, runs in self.results:
            if scenario != "full":
                continue
            stages = stages or list(runs[0]["stages"])
            def cell(s):
                wall = statistics.median(r["stages"].get(s, (0, 0))[0] for r in runs)
                cpu = statistics.median(r["stages"].get(s, (0, 0))[1] for r in runs)
                return f"{wall:.2f} / {cpu:.2f}"
            print(f"| {label} | " + " | ".join(cell(s) for s in stages) + " |")
        if stages:
            print("\n(columns: " + ", ".join(stages) + "; each wall / CPU seconds)")
        if len(self.matching_lines) > 1:
            print("\neach step alone, one thread (examples/stage_costs.rs):\n")
            for _, _, line in self.matching_lines:
                print(f"- {line}")
            base = self.matching_lines[0][1]
            for topics, median, _ in self.matching_lines[1:]:
                print(f"- {topics} topics / 20 topics = {median / base:.2f}")


def main():
    args = parse_args()
    if args.hugo and not shutil.which("hugo"):
        log("hugo is not installed (apt-get install hugo): skipping the Hugo comparison")
        args.hugo = False
    if not args.no_cargo:
        examples = sorted(f[:-3] for f in os.listdir(os.path.join(REPO, "examples")) if f.endswith(".rs"))
        cmd = ["cargo", "build", "--release", "--locked", "--bin", "maillage"]
        for e in examples:
            cmd += ["--example", e]
        subprocess.run(cmd, cwd=REPO, check=True)
    log(f"load average at start: {os.getloadavg()}")
    bench = Bench(args)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.interleave:
        bench.run_interleaved(sizes)
    else:
        for docs in sizes:
            bench.run_size(docs)
    if args.topics_compare:
        n = args.topics_compare
        bench.run_size(n, topics=20, label=f"{n} · 20 topics", extra=False)
        bench.run_size(n, topics=1000, label=f"{n} · 1000 topics", extra=False)
        bench.topic_matching(n, 20)
        bench.topic_matching(n, 1000)
    bench.report()


if __name__ == "__main__":
    main()
