#!/usr/bin/env python3
"""Benchmark of `maillage watch`: time from a save to the updated page.

Starts `maillage watch --no-serve` on a site, then repeatedly changes a file
and measures, from the moment the write returns, how long it takes until the
output page shows the change (polling the page every millisecond). watch
rebuilds in two phases: a fast path that writes the changed pages (its
"rebuilt" line), then a reconciliation of the whole site in the background
(its "settled" line). For an edit it also gives the time to the "rebuilt"
line ("told"), which watch prints right after telling the browsers to
reload. Each change waits for both before the next one, so
changes do not overlap, except in the "edit while reconciling" scenario,
where each edit comes right after the previous fast path.

Scenarios: a paragraph appended to a document, the same while the previous
edit is still reconciling, a new document, a deleted document, a template
change. Besides wall-clock times it prints the CPU time (user + sys) the
watch process used per scenario and the load average, since other work on
the machine inflates wall-clock figures. Run on the seed site and on a
generated 10,000-document corpus; see docs/PERFORMANCE.md.

    cargo build --release
    nice python3 bench/watch_bench.py --corpus 10000 --runs 20
    nice python3 bench/watch_bench.py --seed --runs 20

It is a benchmark, not a test: it prints figures and asserts nothing.
"""

import argparse
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENCORPUS = REPO.parent / "shared" / "tools" / "gencorpus.py"
TIMEOUT = 120.0


class Watch:
    """A running `maillage watch`, its output lines in a queue."""

    def __init__(self, binary, root, output, debounce):
        args = [str(binary), "watch", "--root", str(root), "--no-serve"]
        if output is not None:
            args += ["--output", str(output)]
        if debounce is not None:
            args += ["--debounce", str(debounce)]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_line(lambda l: l.startswith("watching"), "the first build")

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put((time.monotonic(), line.rstrip("\n")))

    def wait_line(self, pred, what):
        deadline = time.monotonic() + TIMEOUT * 5
        while time.monotonic() < deadline:
            try:
                self.line_time, line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line.startswith("error") or line.startswith("warning"):
                print("   watch:", line, file=sys.stderr)
            if pred(line):
                return line
        raise SystemExit(f"timed out waiting for {what}")

    def cpu(self):
        """CPU time (user + sys, seconds) the process has used so far."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def rebuilt(self, since=None, told=None):
        """Waits for the fast path's line, then the reconciliation's; returns
        (fast path ms, settle ms). With `since` (a time.monotonic() taken at
        the save), appends to `told` the seconds from the save to the fast
        path's line, which watch prints right after telling the browsers to
        reload."""
        fast = rebuilt_ms(self.wait_line(lambda l: l.startswith("rebuilt"), "rebuilt"))
        if since is not None and told is not None:
            told.append(self.line_time - since)
        settled = rebuilt_ms(self.wait_line(lambda l: l.lstrip().startswith("settled"), "settled"))
        return fast, settled

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def poll(check, what):
    """Polls `check` every millisecond; returns the time it first held."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(0.001)
    raise SystemExit(f"timed out waiting for {what}")


def contains(path, marker):
    def check():
        try:
            return marker in path.read_text(encoding="utf-8")
        except OSError:
            return False

    return check


def rebuilt_ms(line):
    m = re.search(r" in (\d+) ms", line)
    return int(m.group(1)) if m else None


def page_of(line):
    """The first page a rebuilt line names: the changed document's page."""
    m = re.search(r"written \(([^,)]+)", line)
    return m.group(1).strip() if m else None


def median_of(values):
    vals = [v for v in values if v is not None]
    return f"{statistics.median(vals):7.0f}" if vals else "      -"


def summary(name, latencies, phases, cpu, reload=None):
    ms = sorted(x * 1000 for x in latencies)
    told = ""
    if reload:
        told = f" | told {statistics.median(reload) * 1000:.1f} ms"
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    fast = median_of([f for f, _ in phases])
    settled = median_of([s for _, s in phases])
    print(
        f"{name:<24} n={len(ms):<3} to page: median {statistics.median(ms):7.1f} ms"
        f"  p90 {p90:7.1f}  min {ms[0]:7.1f}  max {ms[-1]:7.1f}"
        f"{told} | fast path {fast} ms | settled {settled} ms"
        f" | watch CPU {cpu / len(ms):6.2f} s per change"
        f" | load {os.getloadavg()[0]:.2f}",
        flush=True,
    )


def settle():
    time.sleep(0.3)


def bench_edit(w, root, doc, runs, overlap=False):
    """Appends a paragraph to `doc` (relative to content/) `runs` times;
    with `overlap`, each edit comes right after the previous fast path,
    while its reconciliation still runs."""
    path = root / "content" / doc
    # A first edit, to learn the page's path from watch's own line.
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n\nParagraphe d'échauffement du banc d'essai.\n")
    line = w.wait_line(lambda l: l.startswith("rebuilt"), "the warm-up rebuild")
    page = w.output / page_of(line)
    w.wait_line(lambda l: l.lstrip().startswith("settled"), "settled")
    settle()
    latencies, phases, told = [], [], []
    cpu0 = w.cpu()
    for i in range(runs):
        marker = f"banc-{os.getpid()}-{i}-{int(overlap)}"
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"\n\nUn paragraphe ajouté par le banc d'essai, repère {marker}.\n")
        t0 = time.monotonic()
        t1 = poll(contains(page, marker), f"edit {i}")
        latencies.append(t1 - t0)
        if overlap:
            fast = rebuilt_ms(w.wait_line(lambda l: l.startswith("rebuilt"), "rebuilt"))
            phases.append((fast, None))
            time.sleep(0.05)
        else:
            phases.append(w.rebuilt(since=t0, told=told))
            settle()
    if overlap:
        w.wait_line(lambda l: l.lstrip().startswith("settled"), "settled")
    name = "edit while reconciling" if overlap else "one-paragraph edit"
    summary(name, latencies, phases, w.cpu() - cpu0, told)


def bench_create_delete(w, root, runs):
    created, deleted, phases_c, phases_d = [], [], [], []
    cpu_c = cpu_d = 0.0
    for i in range(runs):
        slug = f"banc-nouveau-document-{os.getpid()}-{i}"
        path = root / "content" / f"{slug}.md"
        page = w.output / slug / "index.html"
        c0 = w.cpu()
        path.write_text(
            f'+++\ntitle = "Banc nouveau document {os.getpid()} {i}"\n+++\n'
            "## Partie\n\nUn document tout neuf.\n",
            encoding="utf-8",
        )
        t0 = time.monotonic()
        created.append(poll(page.exists, f"new page {i}") - t0)
        phases_c.append(w.rebuilt())
        c1 = w.cpu()
        cpu_c += c1 - c0
        settle()
        c1 = w.cpu()
        path.unlink()
        t0 = time.monotonic()
        deleted.append(poll(lambda: not page.exists(), f"page {i} removed") - t0)
        phases_d.append(w.rebuilt())
        cpu_d += w.cpu() - c1
        settle()
    summary("new document", created, phases_c, cpu_c)
    summary("deleted document", deleted, phases_d, cpu_d)


def bench_template(w, root, page, runs):
    template = root / "templates" / "document.html"
    template.parent.mkdir(exist_ok=True)
    base = (REPO / "templates" / "document.html").read_text(encoding="utf-8")
    latencies, phases = [], []
    cpu0 = w.cpu()
    for i in range(runs):
        marker = f"banc-gabarit-{os.getpid()}-{i}"
        marked = re.sub(r"(\{%-? block content %\})", r"\1<!-- " + marker + " -->", base, count=1)
        template.write_text(marked, encoding="utf-8")
        t0 = time.monotonic()
        latencies.append(poll(contains(page, marker), f"template {i}") - t0)
        phases.append(w.rebuilt())
        settle()
    cpu = w.cpu() - cpu0
    template.unlink()
    w.rebuilt()
    summary("template change", latencies, phases, cpu)


def prepare(args):
    if args.seed:
        root = Path(args.dir or "/tmp/bench-corpora/maillage-watch-seed")
        if root.exists():
            shutil.rmtree(root)
        (root / "content").mkdir(parents=True)
        for f in (REPO / "content").iterdir():
            shutil.copy(f, root / "content" / f.name)
        shutil.copy(REPO / "site.toml", root / "site.toml")
        doc = sorted(p.name for p in (root / "content").glob("*.txt"))[0]
        return root, doc
    root = Path(args.dir or f"/tmp/bench-corpora/maillage-watch-{args.corpus}")
    if not (root / "content").is_dir():
        print(f"generating {args.corpus} documents in {root}", flush=True)
        subprocess.run(
            [sys.executable, str(GENCORPUS), "--format", "maillage", "--docs",
             str(args.corpus), "--out", str(root), "--quiet"],
            check=True,
        )
    shutil.rmtree(root / "templates", ignore_errors=True)
    return root, "doc-00042.md"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=str(REPO / "target" / "release" / "maillage"))
    ap.add_argument("--seed", action="store_true", help="bench the seed site")
    ap.add_argument("--corpus", type=int, default=10000, help="documents to generate")
    ap.add_argument("--dir", help="where the site lives (default: /tmp/bench-corpora/…)")
    ap.add_argument(
        "--output",
        help="where watch writes (default: /dev/shm/maillage-watch-bench, on tmpfs)",
        default="/dev/shm/maillage-watch-bench",
    )
    ap.add_argument("--runs", type=int, default=20, help="edits to time")
    ap.add_argument("--debounce", type=int, help="watch --debounce MS")
    args = ap.parse_args()

    root, doc = prepare(args)
    print(f"site {root}; load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} cpus", flush=True)
    t0 = time.monotonic()
    output = Path(args.output)
    shutil.rmtree(output, ignore_errors=True)
    w = Watch(args.binary, root, output, args.debounce)
    w.output = output
    print(
        f"first build and watch start: {time.monotonic() - t0:.1f} s, CPU {w.cpu():.1f} s",
        flush=True,
    )
    try:
        bench_edit(w, root, doc, args.runs)
        bench_edit(w, root, doc, max(3, args.runs // 2), overlap=True)
        bench_create_delete(w, root, max(3, args.runs // 4))
        page_line = next(
            (p for p in output.glob("*/index.html") if p.parent.name not in ("topics", "search")),
            None,
        )
        if page_line is not None:
            bench_template(w, root, page_line, max(2, args.runs // 10))
    finally:
        w.stop()
    print(f"load average at the end {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
