//! Reconciliation: the whole site linked again from the model in memory,
//! every page and the search index rendered, and only the files whose bytes
//! changed written; afterwards the output is what `maillage build` writes.
//! It runs on a worker thread, on a thread pool of its own (so that the
//! fast path of the next change never queues behind its jobs), and checks
//! between steps, and under the write lock before each write, whether a
//! newer change has cancelled it.
//!
//! Pages, and the search index's files, are made and written in chunks, so
//! a run holds only a chunk of them in memory. The first chunk holds one page of every kind, so that a
//! template that fails at rendering fails before anything is written.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{Looks, files};
use crate::error::BuildError;
use crate::link::{self, Site};
use crate::render::{Page, PageRef, page_refs, render_pages};
use crate::search;

/// Pages rendered and written at once.
const CHUNK: usize = 512;

/// What a reconciliation works on: a copy of the model.
pub(super) struct Job {
    pub site: Site,
    /// The site is already linked from its documents (no need to again).
    pub exact: bool,
    pub looks: Arc<Looks>,
    pub out: PathBuf,
    pub content_dir: PathBuf,
    pub cancel: Arc<AtomicBool>,
    pub write_lock: Arc<Mutex<()>>,
}

/// A finished reconciliation.
pub(super) struct Reconciled {
    /// The site, exactly linked.
    pub site: Site,
    /// Output files of the site.
    pub pages: usize,
    pub written: Vec<String>,
    pub removed: Vec<String>,
    pub elapsed: Duration,
}

/// The error a cancelled run ends with (no diagnostic); never reported.
fn cancelled() -> BuildError {
    BuildError {
        diagnostics: Vec::new(),
    }
}

/// Whether a run ended because it was cancelled.
pub(super) fn job_cancelled(outcome: &Result<Reconciled, BuildError>) -> bool {
    matches!(outcome, Err(e) if e.diagnostics.is_empty())
}

impl Job {
    pub fn run(self) -> Result<Reconciled, BuildError> {
        let begin = Instant::now();
        let stopped = || self.cancel.load(Ordering::SeqCst);
        let site = if self.exact {
            self.site
        } else {
            let s = self.site;
            let (site, _warnings) = link::link(
                s.config,
                s.catalog,
                s.documents,
                s.topics,
                &self.content_dir,
            );
            site
        };
        if stopped() {
            return Err(cancelled());
        }
        let theme = self.looks.theme();
        let refs = ordered_refs(&site, self.looks.theme_files.len());
        let mut current: HashSet<String> = HashSet::with_capacity(refs.len());
        let mut written = Vec::new();
        for chunk in refs.chunks(CHUNK) {
            let pages = render_pages(&site, &theme, chunk)?;
            current.extend(pages.iter().map(|p| p.path.clone()));
            match files::write_chunk(&self.out, &self.write_lock, &self.cancel, &pages)? {
                Some(w) => written.extend(w),
                None => return Err(cancelled()),
            }
        }
        if site.config.search {
            if stopped() {
                return Err(cancelled());
            }
            // In chunks too, the manifest (a hash of the other files) last.
            let index = search::IndexFiles::new(&site, &search::files::Limits::default());
            let numbers: Vec<usize> = (0..index.len()).collect();
            let chunks = numbers.chunks(CHUNK).map(|chunk| {
                chunk
                    .par_iter()
                    .map(|&i| index.page(i))
                    .collect::<Vec<Page>>()
            });
            for pages in chunks.chain(std::iter::once_with(|| vec![index.manifest()])) {
                current.extend(pages.iter().map(|p| p.path.clone()));
                match files::write_chunk(&self.out, &self.write_lock, &self.cancel, &pages)? {
                    Some(w) => written.extend(w),
                    None => return Err(cancelled()),
                }
            }
        }
        let removed = match files::finish(&self.out, &self.write_lock, &self.cancel, &current)? {
            Some(r) => r,
            None => return Err(cancelled()),
        };
        Ok(Reconciled {
            site,
            pages: current.len(),
            written,
            removed,
            elapsed: begin.elapsed(),
        })
    }
}

/// Every page, one of each kind first.
fn ordered_refs(site: &Site, theme_files: usize) -> Vec<PageRef> {
    let mut refs = page_refs(site, theme_files);
    let mut lead = vec![PageRef::Index, PageRef::TopicsIndex, PageRef::NotFound];
    lead.extend(refs.iter().find(|r| matches!(r, PageRef::Document(_))));
    lead.extend(refs.iter().find(|r| matches!(r, PageRef::Topic(_))));
    refs.retain(|r| !lead.contains(r));
    lead.extend(refs);
    lead
}

/// The threads of reconciliations: as many as the machine has cores, at a
/// lower scheduling priority where the system allows it, so that the fast
/// path of the next change gets the processor first.
pub(super) fn pool() -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("maillage-reconcile-{i}"))
        .start_handler(|_| lower_priority())
        .build()
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: `setpriority` only reads its arguments; `who = 0` is the
    // calling thread on Linux, whose nice value is per thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}
