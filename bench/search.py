#!/usr/bin/env python3
"""Search benchmark on a generated corpus (10,000 documents by default).

Measures what docs/PERFORMANCE.md reports under "## search":
  - the index's share of the build: full builds of the same site with
    `[search] enabled = false` and `true`, alternated, fresh output each
    time, under `nice`; medians of wall and CPU (user+sys) time;
  - the index: files and bytes by kind (as written, and gzip -6);
  - per query, in headless Chromium (tests/search_bench.rs): the files a
    query fetches from an empty cache (bytes as written and gzip), the time
    from the input event to the results with the files cached (reloaded
    page, HTTP cache; and in the page), and what typing the query one
    character at a time fetches;
  - with --pagefind, the same for Pagefind's library on the same pages
    (bench/pagefind-compare, a crate of its own built here only).

Usage: python3 bench/search.py [--docs N | --corpus DIR] [--runs N]
         [--work DIR] [--pagefind] [--no-browser] [--no-builds] [--json FILE]
Needs: cargo, python3, chromium (`apt-get install chromium`, or
$MAILLAGE_CHROMIUM); ../shared/tools/gencorpus.py (or $GENCORPUS) to make
the corpus. The corpus goes under /tmp/bench-corpora, outputs under
/dev/shm (tmpfs) by default. Prints Markdown tables for docs/PERFORMANCE.md.
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMPARE = REPO / "bench/pagefind-compare"


def run(cmd, **kw):
    print("$", " ".join(str(c) for c in cmd), file=sys.stderr)
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def timed(cmd):
    """Wall, user and system seconds of a command (its children included),
    and the stages of its `--timings` line: {stage: [wall, cpu]}."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    stages = {}
    for line in done.stderr.splitlines():
        if line.startswith("timings (s, wall/cpu): "):
            for part in line.split(": ", 1)[1].split(", "):
                name, _, times = part.rpartition(" ")
                stages[name] = [float(x) for x in times.split("/")]
    return [wall, after.children_user - before.children_user, after.children_system - before.children_system, stages]


def load():
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def corpus(args):
    if args.corpus:
        return args.corpus.resolve()
    root = Path("/tmp/bench-corpora") / f"search-{args.docs}"
    if not (root / "content").is_dir():
        gen = os.environ.get("GENCORPUS", str(REPO.parent / "shared/tools/gencorpus.py"))
        run([sys.executable, gen, "--format", "maillage", "--docs", args.docs, "--out", root, "--quiet", "--force"])
    return root


def variant(work, corpus_root, name, search):
    """A site folder sharing the corpus's content, with the index on or off."""
    root = work / name
    root.mkdir(parents=True, exist_ok=True)
    content = root / "content"
    if content.is_symlink():
        content.unlink()
    content.symlink_to(corpus_root / "content")
    toml = (corpus_root / "site.toml").read_text(encoding="utf-8")
    toml += f"\n[search]\nenabled = {'true' if search else 'false'}\n"
    (root / "site.toml").write_text(toml, encoding="utf-8")
    return root


def build_times(binary, roots, runs):
    results = {name: [] for name in roots}
    for _ in range(runs):
        for name, root in roots.items():
            shutil.rmtree(root / "output", ignore_errors=True)
            results[name].append(timed(["nice", binary, "build", "--root", root, "--quiet", "--timings"]))
    return results


def gz(data):
    return len(gzip.compress(data, 6))


def index_sizes(search_dir):
    kinds = {"index.js": "manifest", "w": "vocabulary", "p": "postings", "f": "fragments"}
    sizes = {}
    for path in search_dir.rglob("*.js"):
        kind = kinds.get(path.relative_to(search_dir).parts[0], "other")
        data = path.read_bytes()
        s = sizes.setdefault(kind, {"files": 0, "bytes": 0, "gzip": 0, "max": 0})
        s["files"] += 1
        s["bytes"] += len(data)
        s["gzip"] += gz(data)
        s["max"] = max(s["max"], len(data))
    return sizes


def transfer(served, paths):
    """Bytes as written and gzip of the served files at `paths` (each once)."""
    raw = zipped = 0
    for p in sorted(set(paths)):
        data = (served / p.lstrip("/")).read_bytes()
        raw += len(data)
        zipped += gz(data)
    return raw, zipped, len(set(paths))


def pagefind_bundle(work, site_output, target):
    run(["nice", "cargo", "build", "--release", "--locked", "--manifest-path", COMPARE / "Cargo.toml", "--target-dir", target])
    out = work / "pagefind"
    shutil.rmtree(out, ignore_errors=True)
    binary = target / "release/pagefind-compare"
    before = os.times()
    start = time.perf_counter()
    line = run(["nice", binary, site_output, out], stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
    wall = time.perf_counter() - start
    after = os.times()
    stats = json.loads(line)
    stats["wall"] = wall
    stats["cpu"] = after.children_user - before.children_user + after.children_system - before.children_system
    files = [p for p in out.rglob("*") if p.is_file()]
    stats["files"] = len(files)
    stats["bytes"] = sum(p.stat().st_size for p in files)
    stats["kinds"] = {}
    for p in files:
        kind = p.parent.name if p.parent != out else p.suffix.lstrip(".") or p.name
        k = stats["kinds"].setdefault(kind, {"files": 0, "bytes": 0})
        k["files"] += 1
        k["bytes"] += p.stat().st_size
    return out, stats


def kb(n):
    if n >= 10_000_000:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1000:.0f} KB" if n >= 10_000 else f"{n / 1000:.1f} KB"


def relink(link, target):
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000, help="documents to generate (default 10000)")
    ap.add_argument("--corpus", type=Path, help="an existing maillage corpus (content/, site.toml)")
    ap.add_argument("--runs", type=int, default=3, help="builds of each kind (default 3)")
    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(os.environ.get("TMPDIR", "/tmp"))
    ap.add_argument("--work", type=Path, default=shm / "maillage-search-bench", help="outputs (default under /dev/shm)")
    ap.add_argument("--pagefind", action="store_true", help="also build and measure a Pagefind bundle")
    ap.add_argument("--reuse-pagefind", action="store_true", help="query the bundle a previous --pagefind run left in --work")
    ap.add_argument("--pagefind-target", type=Path, default=COMPARE / "target", help="cargo target folder for it")
    ap.add_argument("--no-browser", action="store_true", help="build times and index sizes only")
    ap.add_argument("--no-builds", action="store_true", help="one build with the index, no timing")
    ap.add_argument("--json", type=Path, help="also write every figure to this file")
    args = ap.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    run(["nice", "cargo", "build", "--release", "--locked"], cwd=REPO)
    binary = REPO / "target/release/maillage"
    source = corpus(args)
    roots = {"off": variant(work, source, "search-off", False), "on": variant(work, source, "search-on", True)}
    figures = {"corpus": str(source), "load_before": load()}
    if args.no_builds:
        shutil.rmtree(roots["on"] / "output", ignore_errors=True)
        run(["nice", binary, "build", "--root", roots["on"], "--quiet"])
    else:
        figures["builds"] = build_times(binary, roots, args.runs)
    figures["load_after_builds"] = load()
    figures["index"] = index_sizes(roots["on"] / "output/search")
    figures["pages"] = sum(1 for _ in (roots["on"] / "output").rglob("*.html"))

    served = work / "served"
    served.mkdir(exist_ok=True)
    (served / "blank.html").write_text("<!doctype html><meta charset=utf-8><title>blank</title>\n")
    relink(served / "site", roots["on"] / "output")
    if args.reuse_pagefind and (work / "pagefind/pagefind.js").is_file():
        relink(served / "pagefind", work / "pagefind")
    elif args.pagefind:
        bundle, figures["pagefind"] = pagefind_bundle(work, roots["on"] / "output", args.pagefind_target.resolve())
        relink(served / "pagefind", bundle)
        figures["load_after_pagefind"] = load()
    elif (served / "pagefind").is_symlink():
        (served / "pagefind").unlink()

    figures["queries"] = []
    if not args.no_browser:
        run(["nice", "cargo", "test", "--release", "--locked", "--test", "search_bench", "--no-run"], cwd=REPO)
        # Searched from a document page, as a reader would (the home page of
        # a large site lists every document).
        docs = sorted(p.parent.name for p in (served / "site").glob("*/index.html")
                      if p.parent.name not in ("topics", "theme", "search"))
        env = dict(os.environ, MAILLAGE_BENCH_ROOT=str(served), MAILLAGE_BENCH_PAGE=f"{docs[0]}/index.html")
        out = run(
            ["cargo", "test", "--release", "--locked", "--test", "search_bench", "--", "--ignored", "--nocapture"],
            cwd=REPO, env=env, stdout=subprocess.PIPE, text=True,
        ).stdout
        for line in out.splitlines():
            if line.startswith("{"):
                q = json.loads(line)
                q["cold_bytes"], q["cold_gzip"], q["cold_count"] = transfer(served, q["cold_files"])
                if "typing_files" in q:
                    q["typing_bytes"], q["typing_gzip"], q["typing_count"] = transfer(served, q["typing_files"])
                figures["queries"].append(q)
        figures["load_after_browser"] = load()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    report(args, figures)


def report(args, f):
    n = args.docs if not args.corpus else args.corpus.name
    print(f"Corpus: {f['corpus']} ({f['pages']} HTML pages). Load average (1, 5, 15 min): "
          f"before {f['load_before']}, after the builds {f['load_after_builds']}"
          + (f", after the browser {f['load_after_browser']}" if "load_after_browser" in f else "") + ".\n")
    if "builds" in f:
        t = f["builds"]
        med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] + x[2] for x in v)) for k, v in t.items()}
        (off_wall, off_cpu), (on_wall, on_cpu) = med["off"], med["on"]
        print(f"### Build time, {n} (median of {args.runs} alternated full builds, `nice`)\n")
        print("| build | wall | CPU (user+sys) |")
        print("|---|---|---|")
        print(f"| `[search] enabled = false` | {off_wall:.1f} s | {off_cpu:.1f} s |")
        print(f"| `[search] enabled = true` | {on_wall:.1f} s | {on_cpu:.1f} s |")
        print(f"| index's share | +{100 * (on_wall - off_wall) / off_wall:.0f} % | +{100 * (on_cpu - off_cpu) / off_cpu:.0f} % |")
        if "pagefind" in f:
            p = f["pagefind"]
            print(f"| Pagefind library on the same pages (read, add, write) | {p['wall']:.1f} s (+{100 * p['wall'] / off_wall:.0f} %) "
                  f"| {p['cpu']:.1f} s (+{100 * p['cpu'] / off_cpu:.0f} %) |")
        stage = {}
        # A build makes the index beside the section vectors ("search+vectors"),
        # so only the staging of its files is the index's own stage.
        for name in ["search", "stage search"]:
            runs = [r[3][name] for r in t["on"] if name in r[3]]
            if runs:
                stage[name] = (statistics.median(x[0] for x in runs), statistics.median(x[1] for x in runs))
        if stage:
            sw, sc = sum(w for w, _ in stage.values()), sum(c for _, c in stage.values())
            names = " + ".join(f"`{n}`" for n in stage)
            print(f"| stages {names} of the builds with the index (`--timings`) | {sw:.1f} s ({100 * sw / on_wall:.0f} % of the build) "
                  f"| {sc:.1f} s ({100 * sc / on_cpu:.0f} %) |")
        print()
        print("All runs (wall, user, sys):", json.dumps({k: [[round(x, 2) for x in r[:3]] for r in v] for k, v in t.items()}))
        print()
        print("Stages of the runs with the index (wall/cpu):", json.dumps([r[3] for r in t["on"]]))
        print()
    print("### Index files\n")
    print("| kind | files | bytes | gzip | largest file |")
    print("|---|---|---|---|---|")
    total = {"files": 0, "bytes": 0, "gzip": 0}
    for kind in ["manifest", "vocabulary", "postings", "fragments"]:
        s = f["index"].get(kind, {"files": 0, "bytes": 0, "gzip": 0, "max": 0})
        for k in total:
            total[k] += s[k]
        print(f"| {kind} | {s['files']} | {kb(s['bytes'])} | {kb(s['gzip'])} | {kb(s['max'])} |")
    print(f"| all | {total['files']} | {kb(total['bytes'])} | {kb(total['gzip'])} | |")
    if "pagefind" in f:
        p = f["pagefind"]
        print(f"| Pagefind bundle ({p['pages']} pages; its files are gzip already) | {p['files']} | {kb(p['bytes'])} | | |")
        print()
        print("Pagefind bundle by kind:", json.dumps(p["kinds"]))
        print("Pagefind timings:", json.dumps({k: v for k, v in p.items() if k.endswith(("_wall", "_cpu"))}))
    print()
    if not f["queries"]:
        return
    print("### Queries in headless Chromium\n")
    print("Latencies: medians, input event to results. Reloaded: files kept by the tab (sessionStorage), "
          "page idle or query typed at once; HTTP: the tab's store cleared, files in the HTTP cache only.\n")
    print("| query | engine | cold: files, bytes (gzip) | cold ms | reloaded, idle: ms | reloaded, at once: ms | reloaded, HTTP: ms | in page ms | typing: files, bytes (gzip) | last keystroke ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for q in f["queries"]:
        cold = f"{q['cold_count']}, {kb(q['cold_bytes'])} ({kb(q['cold_gzip'])})"
        if q["engine"] == "maillage":
            typing = f"{q['typing_count']}, {kb(q['typing_bytes'])} ({kb(q['typing_gzip'])})"
            print(f"| {q['query']} | maillage ({q['sections_found']}) | {cold} | {q['cold_ms']:.0f} | {q['reload_ms']:.0f} | "
                  f"{q['reload_at_once_ms']:.0f} | {q['reload_http_ms']:.0f} | {q['in_page_ms']:.0f} | {typing} | {q['typing_last_ms']:.0f} |")
        else:
            print(f"| {q['query']} | Pagefind ({q['results']} pages) | {cold} | {q['cold_ms']:.0f} | | | {q['reload_ms']:.0f} | | | |")


if __name__ == "__main__":
    main()
