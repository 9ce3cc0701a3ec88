//! Times each step of the pipeline alone, on one thread, several times, and
//! prints the medians: the CPU cost of each step, which other processes on a
//! shared machine disturb less than the wall time of a parallel build. Used
//! by the benchmark (bench/bench.py --topics-compare, topic matching with a
//! 20- and a 1,000-topic catalog) and to see where a build's time goes.
//!
//! ```sh
//! cargo run --release --example stage_costs -- SITE_DIR [RUNS] [matcher]
//! ```
//!
//! With `matcher`, only the alias matcher runs after reading the site: for
//! `valgrind --tool=callgrind`, whose instruction counts do not depend on
//! the machine's load. Any other third argument runs only the steps whose
//! name contains it (e.g. `vectors`, `search`), after the topics stage.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use maillage::build::analyse;
use maillage::link::{self, explicit, inline, map, related, relations, terms};
use maillage::load;
use maillage::search;
use maillage::topics;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first() else {
        eprintln!("usage: stage_costs SITE_DIR [RUNS]");
        return ExitCode::FAILURE;
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let only_matcher = args.get(2).is_some_and(|a| a == "matcher");
    let only: Option<String> = args.get(2).filter(|a| *a != "matcher").cloned();
    // One thread: the figures are CPU time, comparable between runs.
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("first pool");
    match run(Path::new(root), runs.max(1), only_matcher, only.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stage_costs: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `f` `runs` times and prints the median duration under `name`.
fn median<T>(name: &str, runs: usize, f: impl FnMut() -> T) -> T {
    timed_median(name, runs, f)
}

/// Like `median`, unless a filter leaves the step out.
fn step<T>(only: Option<&str>, name: &str, runs: usize, f: impl FnMut() -> T) -> Option<T> {
    only.is_none_or(|o| name.contains(o))
        .then(|| timed_median(name, runs, f))
}

fn timed_median<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> T {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(std::hint::black_box(f()));
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "{name:<22} median {:.3} s   (peak memory so far {} MiB)",
        times[times.len() / 2].as_secs_f64(),
        peak_mib()
    );
    last.expect("at least one run")
}

/// Peak resident memory of the process so far (`VmHWM`), in MiB.
fn peak_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kib| kib / 1024)
}

fn run(root: &Path, runs: usize, only_matcher: bool, only: Option<&str>) -> Result<(), String> {
    let input = load::load_site(root, None).map_err(|e| e.to_string())?;
    let first_runs = if only.is_some() { 1 } else { runs };
    let analysed = median("structure+topics", first_runs, || {
        analyse(input.clone(), false)
    })
    .map_err(|e| e.to_string())?;
    let (docs, catalog, index) = (&analysed.documents, &analysed.catalog, &analysed.topics);
    let content = &analysed.content_dir;
    // The matcher alone, over every title and text: what the catalog's size
    // could change (the rest of the stage follows the topics found).
    let matchers = topics::build_matchers(docs, catalog);
    step(only, "matcher alone", runs, || {
        let mut hits = 0usize;
        for doc in docs {
            let Some(m) = matchers.get(&doc.lang) else {
                continue;
            };
            for s in &doc.sections {
                hits += m.find(&s.title).len() + m.find(&s.text).len();
            }
        }
        hits
    });
    if only_matcher {
        return Ok(());
    }
    step(only, "topics (matching)", runs, || {
        topics::assign(docs, catalog, content)
    })
    .transpose()
    .map_err(|e| e.to_string())?;
    step(only, "topics: words alone", runs, || {
        topics::words::SiteWords::read(docs)
    });
    step(only, "link: vectors", runs, || {
        terms::section_vectors(docs, index)
    });
    step(only, "link: related", runs, || {
        related::related_sections(docs, index, &analysed.config.related)
    });
    step(only, "link: explicit", runs, || {
        explicit::resolve(docs, content)
    });
    step(only, "link: inline", runs, || {
        inline::inline_links(docs, catalog, index, analysed.config.inline_links)
    });
    step(only, "link: relations", runs, || {
        relations::topic_relations(index, catalog)
    });
    step(only, "link: map", runs, || map::topic_map(index, catalog));
    let (site, _) = link::link(
        analysed.config.clone(),
        analysed.catalog.clone(),
        analysed.documents.clone(),
        analysed.topics.clone(),
        content,
    );
    step(only, "search index", runs, || search::index_pages(&site));
    println!(
        "{} documents, {} sections, {} topics",
        site.documents.len(),
        site.documents
            .iter()
            .map(|d| d.sections.len())
            .sum::<usize>(),
        site.catalog.len()
    );
    Ok(())
}
