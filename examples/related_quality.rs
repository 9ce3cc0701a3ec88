//! Measures the related-section ranking (`link::related`): its single-thread
//! CPU time, and how its top lists compare with two references over the same
//! section vectors:
//!
//! - the champion-list ranking as it was before this rework (`CHAMPIONS = 64`
//!   sections per word or topic, every word of the section driving the
//!   candidate search, `RESCORED = 64` candidates scored exactly), kept here
//!   as it was;
//! - the exact ranking, every section scored against every other, on a
//!   sample of sections (it costs a full pass over the site per section).
//!
//! ```sh
//! cargo run --release --example related_quality -- SITE_DIR [RUNS] [SAMPLE] [C/Q/R ...]
//! ```
//!
//! Each `C/Q/R` (e.g. `32/8/16`) is a `related::Tuning` to measure instead
//! of the build's own (`Tuning::for_sections`): champion lists of C
//! sections, the Q heaviest entries of the section searched, R candidates
//! per pool scored exactly.
//!
//! `SAMPLE` 0 times the ranking alone (for a profiler). With `SIGNATURES=1`
//! in the environment, it also counts the distinct topic sets and how many
//! exact links join two sections of the same set.
//!
//! Overlap@k is the share of the reference's links that the ranking also
//! lists (summed over sections, so long lists count more); "top-1 changed"
//! the share of sections whose first link differs.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use maillage::build::analyse;
use maillage::config::RelatedSettings;
use maillage::link::related::{self, Tuning};
use maillage::link::terms::{self, SectionVectors};
use maillage::load;

/// A section's list: global section index and score, best first.
type List = Vec<(usize, f64)>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first() else {
        eprintln!("usage: related_quality SITE_DIR [RUNS] [SAMPLE]");
        return ExitCode::FAILURE;
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let sample: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(1000);
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("first pool");
    let mut tunings = Vec::new();
    for t in args.iter().skip(3) {
        let n: Vec<usize> = t.split('/').filter_map(|x| x.parse().ok()).collect();
        let [champions, query_terms, rescored] = n[..] else {
            eprintln!("related_quality: {t}: not C/Q/R");
            return ExitCode::FAILURE;
        };
        tunings.push(Tuning {
            champions,
            query_terms,
            rescored,
        });
    }
    match run(Path::new(root), runs.max(1), sample, &tunings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("related_quality: {e}");
            ExitCode::FAILURE
        }
    }
}

/// CPU time of the process so far (user + system, from `/proc/self/stat`,
/// in clock ticks of 10 ms): on a machine shared with other jobs, wall time
/// says more about them than about the ranking.
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command name, which is in parentheses.
            let rest = s.get(s.rfind(')')? + 2..)?.to_owned();
            let f: Vec<u64> = rest
                .split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|x| x.parse().ok())
                .collect();
            Some(f.iter().sum::<u64>())
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// Runs `f` `runs` times and prints the median wall and CPU times.
fn median<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> T {
    let mut times: Vec<(Duration, Duration)> = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let (start, cpu) = (Instant::now(), cpu_time());
        last = Some(std::hint::black_box(f()));
        times.push((cpu_time().saturating_sub(cpu), start.elapsed()));
    }
    times.sort();
    let (cpu, wall) = times[times.len() / 2];
    println!(
        "{name:<28} median CPU {:.2} s (wall {:.2} s)",
        cpu.as_secs_f64(),
        wall.as_secs_f64()
    );
    last.expect("at least one run")
}

fn run(root: &Path, runs: usize, sample: usize, tunings: &[Tuning]) -> Result<(), String> {
    let input = load::load_site(root, None).map_err(|e| e.to_string())?;
    let analysed = analyse(input, false).map_err(|e| e.to_string())?;
    let (docs, index) = (&analysed.documents, &analysed.topics);
    let settings = &analysed.config.related;
    let vectors = median("vectors", 1, || terms::section_vectors(docs, index));
    let dims = vectors.text_dims as usize + index.postings.len();
    // `sample` 0: the tunings' times alone (for a profiler).
    let old = if sample == 0 {
        vec![Vec::new(); vectors.len()]
    } else {
        median("ranking (before, 64/64)", runs, || {
            reference::rank_all(&vectors, dims, settings)
        })
    };
    let n = vectors.len();
    println!("{n} sections");
    let step = (n / sample.max(1)).max(1);
    let picked: Vec<usize> = (0..n).step_by(step).take(sample).collect();
    let exact: Vec<List> = {
        let start = Instant::now();
        let mut own = vec![0.0f32; dims];
        let mut exact = vec![Vec::new(); n];
        for &g in &picked {
            exact[g] = reference::exact(&vectors, g, &mut own, settings);
        }
        println!(
            "exact ranking of {} sections: {:.1} s",
            picked.len(),
            start.elapsed().as_secs_f64()
        );
        exact
    };
    report(
        "before vs exact, sample",
        &exact,
        &old,
        picked.iter().copied(),
    );
    if std::env::var_os("SIGNATURES").is_some() {
        let topics_of = |g: usize| -> Vec<u32> {
            vectors.vectors[g]
                .iter()
                .filter(|e| vectors.is_topic(e.dim))
                .map(|e| e.dim)
                .collect()
        };
        let mut sigs = std::collections::HashMap::new();
        for g in 0..n {
            *sigs.entry(topics_of(g)).or_insert(0usize) += 1;
        }
        let (mut same, mut all) = (0, 0);
        for &g in &picked {
            for &(h, _) in &exact[g] {
                all += 1;
                same += usize::from(topics_of(g) == topics_of(h));
            }
        }
        println!(
            "{} topic sets; exact links within the same set {same}/{all}; sample lists: {:?}",
            sigs.len(),
            picked
                .iter()
                .take(3)
                .map(|&g| &exact[g])
                .collect::<Vec<_>>()
        );
    }
    let build = Tuning::for_sections(n);
    let tunings = if tunings.is_empty() {
        &[build][..]
    } else {
        tunings
    };
    for &t in tunings {
        let query = if t.query_terms == usize::MAX {
            "all".to_owned()
        } else {
            t.query_terms.to_string()
        };
        let name = format!("{}/{query}/{}", t.champions, t.rescored);
        let new = median(&format!("ranking {name}"), runs, || {
            related::rank_sections_tuned(docs, index, &vectors, settings, t)
        });
        let new: Vec<List> = new
            .lists
            .into_iter()
            .flatten()
            .map(|links| {
                links
                    .iter()
                    .map(|r| (vectors.first[r.target().doc] + r.target().section, r.score))
                    .collect()
            })
            .collect();
        report(&format!("{name} vs before, all"), &old, &new, 0..n);
        report(
            &format!("{name} vs exact, sample"),
            &exact,
            &new,
            picked.iter().copied(),
        );
    }
    Ok(())
}

/// Prints how `got` compares with `want` over `sections`.
fn report(name: &str, want: &[List], got: &[List], sections: impl Iterator<Item = usize>) {
    let (mut wanted, mut found, mut lists, mut top1_changed, mut top1_lost) = (0, 0, 0, 0, 0);
    let (mut want_score, mut got_score) = (0.0f64, 0.0f64);
    let mut missing = 0usize;
    for g in sections {
        let (w, h) = (&want[g], &got[g]);
        if w.is_empty() {
            missing += usize::from(!h.is_empty());
            continue;
        }
        lists += 1;
        wanted += w.len();
        found += w
            .iter()
            .filter(|(t, _)| h.iter().any(|(u, _)| u == t))
            .count();
        if h.first().map(|x| x.0) != Some(w[0].0) {
            top1_changed += 1;
            if !h.iter().any(|x| x.0 == w[0].0) {
                top1_lost += 1;
            }
        }
        want_score += w.iter().map(|x| x.1).sum::<f64>();
        got_score += h.iter().map(|x| x.1).sum::<f64>();
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "{name:<28} overlap@k {:.1} %   top-1 changed {:.1} % (gone from the list {:.1} %)   \
         score sum {:.1} %   ({lists} lists, {missing} lists only in the new)",
        pct(found, wanted),
        pct(top1_changed, lists),
        pct(top1_lost, lists),
        100.0 * got_score / want_score.max(f64::MIN_POSITIVE),
    );
}

/// The ranking as it was, and the exact one.
mod reference {
    use super::*;

    const CHAMPIONS: usize = 64;
    const RESCORED: usize = 64;
    const PER_DOCUMENT: usize = 2;

    /// Applies the list rules to candidates sorted best first.
    pub fn select(
        scored: impl Iterator<Item = (usize, f64)>,
        v: &SectionVectors,
        settings: &RelatedSettings,
    ) -> List {
        let mut per_doc: Vec<(u32, usize)> = Vec::new();
        let mut out = Vec::new();
        for (h, score) in scored {
            if out.len() >= settings.max || score < settings.min_score {
                break;
            }
            let doc = v.doc_of[h];
            match per_doc.iter_mut().find(|(d, _)| *d == doc) {
                Some((_, n)) if *n >= PER_DOCUMENT => continue,
                Some((_, n)) => *n += 1,
                None => per_doc.push((doc, 1)),
            }
            out.push((h, score));
        }
        out
    }

    fn eligible(v: &SectionVectors, g: usize, h: usize, settings: &RelatedSettings) -> bool {
        h != g && (settings.same_document || v.doc_of[h] != v.doc_of[g])
    }

    /// Every section scored against `g`.
    pub fn exact(
        v: &SectionVectors,
        g: usize,
        own: &mut [f32],
        settings: &RelatedSettings,
    ) -> List {
        for e in &v.vectors[g] {
            own[e.dim as usize] = e.weight;
        }
        let mut scored: List = (0..v.len())
            .filter(|&h| eligible(v, g, h, settings))
            .map(|h| {
                let dot: f64 = v.vectors[h]
                    .iter()
                    .map(|e| f64::from(own[e.dim as usize]) * f64::from(e.weight))
                    .sum();
                (h, dot)
            })
            .filter(|x| x.1 > 0.0)
            .collect();
        for e in &v.vectors[g] {
            own[e.dim as usize] = 0.0;
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        select(scored.into_iter(), v, settings)
    }

    /// The champion-list ranking as it was.
    pub fn rank_all(v: &SectionVectors, dims: usize, settings: &RelatedSettings) -> Vec<List> {
        let mut lists: Vec<Vec<(u32, f32)>> = vec![Vec::new(); dims];
        for (g, entries) in v.vectors.iter().enumerate() {
            for e in entries {
                if let Some(list) = lists.get_mut(e.dim as usize) {
                    list.push((g as u32, e.weight));
                }
            }
        }
        for list in &mut lists {
            if list.len() > CHAMPIONS {
                list.select_nth_unstable_by(CHAMPIONS - 1, |a, b| {
                    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
                });
                list.truncate(CHAMPIONS);
                list.sort_unstable_by_key(|x| x.0);
            }
        }
        let mut partial = vec![0.0f32; v.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut own = vec![0.0f32; dims];
        (0..v.len())
            .map(|g| {
                for e in &v.vectors[g] {
                    let Some(list) = lists.get(e.dim as usize) else {
                        continue;
                    };
                    for &(h, w) in list {
                        let hu = h as usize;
                        if !eligible(v, g, hu, settings) {
                            continue;
                        }
                        if partial[hu] == 0.0 {
                            touched.push(h);
                        }
                        partial[hu] += e.weight * w;
                    }
                }
                let mut ranked: Vec<(u32, f32)> =
                    touched.iter().map(|&h| (h, partial[h as usize])).collect();
                for &h in &touched {
                    partial[h as usize] = 0.0;
                }
                touched.clear();
                let by_score =
                    |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
                if ranked.len() > RESCORED {
                    ranked.select_nth_unstable_by(RESCORED - 1, by_score);
                    ranked.truncate(RESCORED);
                }
                ranked.sort_unstable_by(by_score);
                ranked.dedup_by_key(|x| x.0);
                for e in &v.vectors[g] {
                    own[e.dim as usize] = e.weight;
                }
                let mut scored: List = ranked
                    .into_iter()
                    .map(|(h, _)| {
                        let dot: f64 = v.vectors[h as usize]
                            .iter()
                            .map(|e| f64::from(own[e.dim as usize]) * f64::from(e.weight))
                            .sum();
                        (h as usize, dot)
                    })
                    .collect();
                for e in &v.vectors[g] {
                    own[e.dim as usize] = 0.0;
                }
                scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                select(scored.into_iter(), v, settings)
            })
            .collect()
    }
}
