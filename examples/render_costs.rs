//! Times the render stage alone, on one thread, by kind of page, several
//! times, and prints the medians of the thread's CPU time (not wall time,
//! which other processes on a shared machine stretch) and the bytes each kind renders: where the
//! render+write stage's CPU time and output size go. Nothing is written.
//!
//! ```sh
//! cargo run --release --example render_costs -- SITE_DIR [RUNS] [once]
//! ```
//!
//! With `once`, every page is rendered a single time and nothing is printed
//! but the totals: for `valgrind --tool=callgrind`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use maillage::build::prepare;
use maillage::load;
use maillage::render::{Job, SitePages};

/// As in the `maillage` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first() else {
        eprintln!("usage: render_costs SITE_DIR [RUNS] [once]");
        return ExitCode::FAILURE;
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let once = args.get(2).is_some_and(|a| a == "once");
    let input = match load::load_site(Path::new(root), None) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("render_costs: {e}");
            return ExitCode::FAILURE;
        }
    };
    let prepared = match prepare(input, false) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("render_costs: {e}");
            return ExitCode::FAILURE;
        }
    };
    // One thread from here on: the figures are CPU time.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        // For `perf report --comm render`.
        .thread_name(|_| "render".to_string())
        .build()
        .expect("a pool");
    pool.install(|| measure(&prepared, runs, once))
}

fn measure(prepared: &maillage::build::Prepared, runs: usize, once: bool) -> ExitCode {
    let theme = prepared.theme();
    let pages = SitePages::new(&prepared.site, &theme);
    let kind = |job: &Job| match job {
        Job::Index { .. } => "home pages",
        Job::TopicsIndex | Job::NotFound | Job::ThemeFile(_) => "other",
        Job::Document(_) => "documents",
        Job::Topic { .. } => "topic pages",
        Job::SiteJson => "site.json",
    };
    let mut times: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut bytes: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
    for _ in 0..if once { 1 } else { runs.max(1) } {
        let mut run: BTreeMap<&str, Duration> = BTreeMap::new();
        bytes.clear();
        for i in 0..pages.len() {
            let k = kind(pages.job(i));
            let start = thread_cpu();
            let mut out = Vec::new();
            if let Err(e) = pages.write_to(i, &mut out) {
                eprintln!("render_costs: {}", e.message);
                return ExitCode::FAILURE;
            }
            *run.entry(k).or_default() += thread_cpu().saturating_sub(start);
            let b = bytes.entry(k).or_default();
            b.0 += 1;
            b.1 += std::hint::black_box(out).len() as u64;
        }
        for (k, t) in run {
            times.entry(k).or_default().push(t);
        }
    }
    let mut total = 0.0;
    for (k, mut t) in times {
        t.sort();
        let median = t[t.len() / 2].as_secs_f64();
        total += median;
        let (files, b) = bytes[k];
        println!(
            "{k:<12} median {median:.3} s   {files:>6} files {:>8.1} MB",
            b as f64 / 1e6
        );
    }
    let all: u64 = bytes.values().map(|b| b.1).sum();
    println!(
        "{:<12} median {total:.3} s   {:>21.1} MB",
        "all",
        all as f64 / 1e6
    );
    ExitCode::SUCCESS
}

/// CPU time of the calling thread.
#[cfg(target_os = "linux")]
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Elsewhere (libc is a dependency on Linux only): time since the first
/// call, wall time rather than CPU time.
#[cfg(not(target_os = "linux"))]
fn thread_cpu() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}
