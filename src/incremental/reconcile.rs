//! Reconciliation: the whole site linked again from the model in memory
//! (unless only templates or theme changed: then it is linked already),
//! every page and the search index rendered (the index's files kept as they
//! are when only templates or theme changed since they were made), and
//! only the files whose bytes changed written; afterwards the output is
//! what `maillage build` writes.
//! It runs on a worker thread, on a thread pool of its own (so that the
//! fast path of the next change never queues behind its jobs), and checks
//! between steps, and under the write lock before each write, whether a
//! newer change has cancelled it.
//!
//! Pages, and the search index's files, are made and written in chunks, so
//! a run holds only a chunk of them in memory. The first chunk holds one
//! page of every kind, so that a template that fails at rendering fails
//! before anything is written.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{Looks, files};
use crate::error::BuildError;
use crate::link::{self, Site};
use crate::render::{Page, PageRef, SitePages, render_files};
use crate::search;
use crate::write;

/// Pages rendered and written at once.
const CHUNK: usize = 512;

/// What a reconciliation works on: the model's site, shared.
pub(super) struct Job {
    pub site: Arc<Site>,
    /// The site is already linked from its documents (no need to again).
    pub exact: bool,
    pub looks: Arc<Looks>,
    pub out: PathBuf,
    pub content_dir: PathBuf,
    pub cancel: Arc<AtomicBool>,
    pub write_lock: Arc<Mutex<()>>,
    /// Make the search index's files; when false they are those of this
    /// site already (only templates or theme changed since they were made)
    /// and are kept as they are.
    pub index: bool,
}

/// A finished reconciliation.
pub(super) struct Reconciled {
    /// The site, exactly linked.
    pub site: Arc<Site>,
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
            // Linking consumes the site: copied here, on this thread, while
            // the model keeps its own.
            let s = Arc::try_unwrap(self.site).unwrap_or_else(|shared| (*shared).clone());
            let (site, _warnings) = link::link(
                s.config,
                s.catalog,
                s.documents,
                s.topics,
                &self.content_dir,
            );
            Arc::new(site)
        };
        if stopped() {
            return Err(cancelled());
        }
        let theme = self.looks.theme();
        // The site's pages listed once for the whole run: listing them
        // formats every URL of the site (the URL table), which, done again
        // for each chunk, was most of a reconciliation's time.
        let listed = SitePages::new(&site, &theme);
        let (lead, rest) = lead_first(&listed);
        let mut current: HashSet<String> = HashSet::with_capacity(listed.len());
        let mut written = Vec::new();
        for chunk in std::iter::once(&lead[..]).chain(rest.chunks(CHUNK)) {
            let pages = render_files(&listed, chunk)?;
            current.extend(pages.iter().map(|p| p.path.clone()));
            match files::write_chunk(&self.out, &self.write_lock, &self.cancel, &pages)? {
                Some(w) => written.extend(w),
                None => return Err(cancelled()),
            }
        }
        drop(listed);
        if site.config.search && !self.index {
            // Kept: listed as the output's manifest lists them, so that
            // `finish` does not take them for stale files.
            let prefix = format!("{}/", search::SEARCH_DIR);
            current.extend(
                write::read_manifest(&self.out)
                    .into_iter()
                    .filter(|p| p.starts_with(&prefix)),
            );
        } else if site.config.search {
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

/// The files of `pages` (their indices): first one page of every kind —
/// every page of the home page, the topic index, the 404 page, the first
/// document and every page of the first topic — rendered together, so that
/// a template that fails at rendering fails before anything is written;
/// then the others in site order, `site.json` last.
fn lead_first(pages: &SitePages) -> (Vec<usize>, Vec<usize>) {
    let refs: Vec<PageRef> = (0..pages.len())
        .map(|i| PageRef::of(pages.job(i)))
        .collect();
    let first_document = refs.iter().find(|r| matches!(r, PageRef::Document(_)));
    let first_topic = refs.iter().find(|r| matches!(r, PageRef::Topic(_)));
    let leads = |r: &PageRef| {
        matches!(r, PageRef::Index | PageRef::TopicsIndex | PageRef::NotFound)
            || Some(r) == first_document
            || Some(r) == first_topic
    };
    let (lead, mut rest): (Vec<usize>, Vec<usize>) =
        (0..pages.len()).partition(|&i| leads(&refs[i]));
    rest.sort_by_key(|&i| refs[i] == PageRef::SiteJson);
    (lead, rest)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::prepare;
    use crate::load::SiteInput;
    use crate::model::{SourceDoc, SourceKind};

    /// The first batch holds a page of every kind, the rest follows in site
    /// order with `site.json` last, and every file is rendered once.
    #[test]
    fn the_first_batch_holds_every_kind_of_page() {
        let doc = |n: usize| SourceDoc {
            rel_path: format!("d{n}.md"),
            kind: SourceKind::Markdown,
            text: format!("# D{n}\n\n## Partie\n\nLa peur de manquer, encore ({n}).\n"),
        };
        let input = SiteInput {
            root: "/nonexistent".into(),
            catalog: Some(
                "[[topic]]\nslug = \"fomo\"\nname = \"FOMO\"\naliases = [\"peur de manquer\"]\ndescription = \"x\"\n".into(),
            ),
            sources: (0..5).map(doc).collect(),
            ..SiteInput::default()
        };
        let prepared = prepare(input, false).expect("site builds");
        let theme = prepared.theme();
        let pages = SitePages::new(&prepared.site, &theme);
        let (lead, rest) = lead_first(&pages);
        let kinds: Vec<PageRef> = lead.iter().map(|&i| PageRef::of(pages.job(i))).collect();
        for kind in [PageRef::Index, PageRef::TopicsIndex, PageRef::NotFound] {
            assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
        }
        assert!(
            kinds.iter().any(|k| matches!(k, PageRef::Document(_))),
            "{kinds:?}"
        );
        assert!(
            kinds.iter().any(|k| matches!(k, PageRef::Topic(_))),
            "{kinds:?}"
        );
        assert!(!kinds.contains(&PageRef::SiteJson));
        assert_eq!(
            PageRef::of(pages.job(*rest.last().unwrap())),
            PageRef::SiteJson
        );
        let mut all: Vec<usize> = lead.iter().chain(&rest).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..pages.len()).collect::<Vec<_>>());
    }
}
