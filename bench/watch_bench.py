#!/usr/bin/env python3
"""Benchmark of `maillage watch`: time from a save to the updated page.

Starts `maillage watch --no-serve` on a site, then repeatedly changes a file
and measures, from the moment the write returns, how long it takes until the
output page shows the change (polling the page every millisecond). Each
change waits for watch's "rebuilt" line (the whole rebuild, site.json
included) before the next one, so changes do not overlap.

Scenarios: a paragraph appended to a document, a new document, a deleted
document, a template change. Run on the seed site and on a generated
10,000-document corpus; see docs/PERFORMANCE.md.

    cargo build --release
    python3 bench/watch_bench.py --corpus 10000 --runs 20
    python3 bench/watch_bench.py --seed --runs 20

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

    def __init__(self, binary, root, debounce):
        args = [str(binary), "watch", "--root", str(root), "--no-serve"]
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
            self.lines.put(line.rstrip("\n"))

    def wait_line(self, pred, what):
        deadline = time.monotonic() + TIMEOUT * 5
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line.startswith("error") or line.startswith("warning"):
                print("   watch:", line, file=sys.stderr)
            if pred(line):
                return line
        raise SystemExit(f"timed out waiting for {what}")

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


def summary(name, latencies, totals):
    ms = sorted(x * 1000 for x in latencies)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    tot = [t for t in totals if t is not None]
    total = f"{statistics.median(tot):7.0f}" if tot else "      -"
    print(
        f"{name:<28} n={len(ms):<3} median {statistics.median(ms):7.1f} ms"
        f"   p90 {p90:7.1f} ms   min {ms[0]:7.1f}   max {ms[-1]:7.1f}"
        f"   whole rebuild (median) {total} ms",
        flush=True,
    )


def settle():
    time.sleep(0.3)


def bench_edit(w, root, doc, runs):
    """Appends a paragraph to `doc` (relative to content/) `runs` times."""
    path = root / "content" / doc
    # A first edit, to learn the page's path from watch's own line.
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n\nParagraphe d'échauffement du banc d'essai.\n")
    line = w.wait_line(lambda l: l.startswith("rebuilt"), "the warm-up rebuild")
    page = root / "output" / page_of(line)
    settle()
    latencies, totals = [], []
    for i in range(runs):
        marker = f"banc-{os.getpid()}-{i}"
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"\n\nUn paragraphe ajouté par le banc d'essai, repère {marker}.\n")
        t0 = time.monotonic()
        t1 = poll(contains(page, marker), f"edit {i}")
        latencies.append(t1 - t0)
        totals.append(rebuilt_ms(w.wait_line(lambda l: l.startswith("rebuilt"), "rebuilt")))
        settle()
    summary("one-paragraph edit", latencies, totals)


def bench_create_delete(w, root, runs):
    created, deleted, totals_c, totals_d = [], [], [], []
    for i in range(runs):
        slug = f"banc-nouveau-document-{os.getpid()}-{i}"
        path = root / "content" / f"{slug}.md"
        page = root / "output" / slug / "index.html"
        path.write_text(
            f'+++\ntitle = "Banc nouveau document {os.getpid()} {i}"\n+++\n'
            "## Partie\n\nUn document tout neuf.\n",
            encoding="utf-8",
        )
        t0 = time.monotonic()
        created.append(poll(page.exists, f"new page {i}") - t0)
        totals_c.append(rebuilt_ms(w.wait_line(lambda l: l.startswith("rebuilt"), "rebuilt")))
        settle()
        path.unlink()
        t0 = time.monotonic()
        deleted.append(poll(lambda: not page.exists(), f"page {i} removed") - t0)
        totals_d.append(rebuilt_ms(w.wait_line(lambda l: l.startswith("rebuilt"), "rebuilt")))
        settle()
    summary("new document", created, totals_c)
    summary("deleted document", deleted, totals_d)


def bench_template(w, root, page, runs):
    template = root / "templates" / "document.html"
    template.parent.mkdir(exist_ok=True)
    base = (REPO / "templates" / "document.html").read_text(encoding="utf-8")
    latencies, totals = [], []
    for i in range(runs):
        marker = f"banc-gabarit-{os.getpid()}-{i}"
        marked = re.sub(r"(\{%-? block content %\})", r"\1<!-- " + marker + " -->", base, count=1)
        template.write_text(marked, encoding="utf-8")
        t0 = time.monotonic()
        latencies.append(poll(contains(page, marker), f"template {i}") - t0)
        totals.append(rebuilt_ms(w.wait_line(lambda l: l.startswith("rebuilt"), "rebuilt")))
        settle()
    template.unlink()
    w.wait_line(lambda l: l.startswith("rebuilt"), "rebuilt")
    summary("template change", latencies, totals)


def prepare(args):
    if args.seed:
        root = Path(args.dir or "/tmp/maillage-bench-seed")
        if root.exists():
            shutil.rmtree(root)
        (root / "content").mkdir(parents=True)
        for f in (REPO / "content").iterdir():
            shutil.copy(f, root / "content" / f.name)
        shutil.copy(REPO / "site.toml", root / "site.toml")
        doc = sorted(p.name for p in (root / "content").glob("*.txt"))[0]
        return root, doc
    root = Path(args.dir or f"/tmp/maillage-bench-{args.corpus}")
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
    ap.add_argument("--dir", help="where the site lives (default: /tmp/maillage-bench-…)")
    ap.add_argument("--runs", type=int, default=20, help="edits to time")
    ap.add_argument("--debounce", type=int, help="watch --debounce MS")
    args = ap.parse_args()

    root, doc = prepare(args)
    print(f"site {root}; load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} cpus", flush=True)
    t0 = time.monotonic()
    w = Watch(args.binary, root, args.debounce)
    print(f"first build and watch start: {time.monotonic() - t0:.1f} s", flush=True)
    try:
        bench_edit(w, root, doc, args.runs)
        bench_create_delete(w, root, max(3, args.runs // 4))
        page_line = next(
            (p for p in (root / "output").glob("*/index.html") if p.parent.name != "topics"),
            None,
        )
        if page_line is not None:
            bench_template(w, root, page_line, max(2, args.runs // 10))
    finally:
        w.stop()
    print(f"load average at the end {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
