//! What the search index costs inside one build, stage by stage, in CPU
//! time (user + system, all threads) and wall time: the pages without the
//! index, the index itself, and writing the index files. Complements
//! `bench/search.py`, which times whole builds with and without the index.
//!
//! `cargo run --release --example search_cost -- SITE_ROOT [RUNS] [SCRATCH]`
//!
//! The index files are written under SCRATCH (default: a temporary folder),
//! which is emptied first; prints one line per run, then the medians.
//! CPU time comes from `/proc/self/stat`, so this runs on Linux only.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// CPU seconds (user, system) of this process so far, all threads.
fn cpu() -> Result<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("read /proc/self/stat")?;
    // Fields after the command name (which may hold spaces), from field 3.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let tick = |i: usize| -> Result<f64> {
        let v: f64 = fields.get(i).context("short /proc/self/stat")?.parse()?;
        // Clock ticks: 100 a second on every Linux this runs on.
        Ok(v / 100.0)
    };
    Ok((tick(11)?, tick(12)?))
}

/// CPU and wall seconds of `f`, with its result.
fn measure<T>(f: impl FnOnce() -> Result<T>) -> Result<(f64, f64, T)> {
    let (u0, s0) = cpu()?;
    let start = Instant::now();
    let out = f()?;
    let wall = start.elapsed().as_secs_f64();
    let (u1, s1) = cpu()?;
    Ok((u1 - u0 + s1 - s0, wall, out))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next() else {
        bail!("usage: search_cost SITE_ROOT [RUNS] [SCRATCH]");
    };
    let runs: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let temp = tempfile::tempdir()?;
    let scratch = args
        .next()
        .map_or_else(|| temp.path().join("out"), PathBuf::from);

    let mut input =
        maillage::load::load_site(Path::new(&root), None).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // The pages alone: the same build with the index turned off.
    let config = input.config.take().unwrap_or_default();
    input.config = Some(format!("{config}\n[search]\nenabled = false\n"));

    let mut rows: Vec<[f64; 6]> = Vec::new();
    for run in 0..runs {
        let (pages_cpu, pages_wall, built) = measure(|| {
            maillage::build::build_pages(&input, false).map_err(|e| anyhow::anyhow!("{e:?}"))
        })?;
        let (index_cpu, index_wall, index) =
            measure(|| Ok(maillage::search::index_pages(&built.site)))?;
        let _ = std::fs::remove_dir_all(&scratch);
        let (write_cpu, write_wall, _) = measure(|| {
            maillage::write::write_output(&scratch, &index, true)
                .map_err(|e| anyhow::anyhow!("{e:?}"))
        })?;
        let bytes: usize = index.iter().map(|p| p.bytes.len()).sum();
        println!(
            "run {run}: pages cpu {pages_cpu:.2} s wall {pages_wall:.2} s | index cpu {index_cpu:.2} s wall {index_wall:.2} s \
             | write index cpu {write_cpu:.2} s wall {write_wall:.2} s | {} files, {bytes} bytes",
            index.len()
        );
        rows.push([
            pages_cpu, pages_wall, index_cpu, index_wall, write_cpu, write_wall,
        ]);
    }
    let m: Vec<f64> = (0..6)
        .map(|i| median(rows.iter().map(|r| r[i]).collect()))
        .collect();
    println!(
        "median: pages cpu {:.2} s wall {:.2} s | index cpu {:.2} s wall {:.2} s | write index cpu {:.2} s wall {:.2} s",
        m[0], m[1], m[2], m[3], m[4], m[5]
    );
    println!(
        "index + its writing, against the pages alone: cpu {:.0} %, wall {:.0} % (not counting the pages' own writing)",
        100.0 * (m[2] + m[4]) / m[0],
        100.0 * (m[3] + m[5]) / m[1]
    );
    Ok(())
}
