//! The pipeline kept in memory between rebuilds, for `watch`. It runs the
//! same stages as `build` (load → structure → topics → link → render →
//! write), on a model that survives from one change to the next, in two
//! phases:
//!
//! 1. **Fast path** (`apply`, on the caller's thread): only the documents
//!    whose text changed are read and structured again (`read`); their
//!    topics and inline links are found again; slugs, topic postings,
//!    explicit links, backlinks and topic relations are recomputed for the
//!    whole site (each costs milliseconds at 10,000 documents); related
//!    sections, whose TF-IDF weights depend on every section, are carried
//!    over from the previous model (`remap`): by section id for a changed
//!    document, renumbered for the others. The changed documents' pages are
//!    rendered and written first, then the pages that obviously change with
//!    them (their topics' pages, the pages they link to or that link to
//!    them, the home page and topic index when what they show changed).
//! 2. **Reconciliation** (`reconcile`, on a worker thread): the whole site
//!    is linked again from the model in memory (nothing is read or parsed),
//!    every page and the search index are rendered, and only files whose
//!    bytes changed are written, stale ones removed. Once it ends the output
//!    is byte for byte what `maillage build` writes. It is cancelled as soon
//!    as another change has been applied, and started again after it.
//!
//! Anything that can fail on the user's input (reading, front matter,
//! unknown topics, template syntax) runs before the model is touched, so a
//! failed update leaves the model and the output as they were. A change of
//! `site.toml` or of the catalog rebuilds the model from scratch.

mod apply;
mod files;
mod first;
mod in_place;
mod read;
mod reconcile;
mod remap;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tera::Tera;

use crate::build::BuildOptions;
use crate::error::{BuildError, Diagnostic};
use crate::link::Site;
use crate::load;
use crate::model::Lang;
use crate::render::{PageRef, Theme, templates};
use crate::topics::matcher::Matcher;
use crate::write;
pub use read::{SourceKey, path_order};
use reconcile::{Job, Reconciled, job_cancelled};

/// What changed on disk, as far as the caller knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Documents to look at again, by path under `content/`.
    pub documents: BTreeSet<String>,
    /// Look at every document (a folder moved, the watcher lost track).
    pub all_documents: bool,
    pub config: bool,
    pub catalog: bool,
    pub templates: bool,
    pub theme: bool,
}

/// What one phase did.
#[derive(Debug, Clone, Default)]
pub struct Update {
    pub documents: usize,
    pub sections: usize,
    pub topics: usize,
    /// Output files of the site (known once a reconciliation has ended).
    pub pages: usize,
    /// Output files written (their bytes changed), first written first.
    pub written: Vec<String>,
    /// Output files removed.
    pub removed: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    /// From the start until the pages of the changed documents were
    /// written (fast path only).
    pub first_pages: Option<Duration>,
    pub elapsed: Duration,
}

/// Templates and theme: what rendering needs besides the site. Shared with
/// the reconciliation worker, replaced whole when a template changes.
pub(crate) struct Looks {
    tera: Tera,
    theme_files: Vec<(String, Vec<u8>)>,
    site_templates: Vec<(String, String)>,
    templates_dir: PathBuf,
}

impl Looks {
    fn theme(&self) -> Theme<'_> {
        Theme {
            tera: &self.tera,
            files: &self.theme_files,
            templates_dir: &self.templates_dir,
            site_templates: &self.site_templates,
        }
    }
}

/// The model: the site as last applied, and what is needed to update it.
struct Model {
    site: SharedSite,
    /// Whether related sections, topic relations and the map come from a
    /// full link of these very documents (not carried over by the fast path).
    exact: bool,
    /// Every document file (drafts too) and the hash of its text.
    sources: BTreeMap<SourceKey, u64>,
    /// `bases[doc]`: the slug each document wants, before uniqueness.
    bases: Vec<String>,
    matchers: HashMap<Lang, Matcher>,
    /// The warnings of explicit links, to report only new ones.
    link_warnings: Vec<Diagnostic>,
    looks: Arc<Looks>,
}

/// The model's site, shared with the reconciliation that works on it: a
/// reconciliation takes it without a copy, and the model copies it only if
/// it changes while one still holds it (`DerefMut`, copy on write). Copying
/// a 10,000-document site takes some 110 ms; done on the watch thread
/// before every reconciliation, it held back the browsers' reload by as
/// much; now a reconciliation that relinks copies it on its own thread.
#[derive(Clone)]
struct SharedSite(Arc<Site>);

impl std::ops::Deref for SharedSite {
    type Target = Site;

    fn deref(&self) -> &Site {
        &self.0
    }
}

impl std::ops::DerefMut for SharedSite {
    fn deref_mut(&mut self) -> &mut Site {
        Arc::make_mut(&mut self.0)
    }
}

/// Called from the worker thread when a reconciliation has ended, so that
/// the owner of the pipeline comes and `collect`s it.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// Where a worker leaves its result before waking the owner: set before the
/// wake-up, so the owner finds it however the threads are scheduled.
type Slot = Arc<Mutex<Option<Result<Reconciled, BuildError>>>>;

struct Worker {
    cancel: Arc<AtomicBool>,
    result: Slot,
    handle: JoinHandle<()>,
}

/// A site's incremental pipeline: the model, the output folder it keeps up
/// to date, and the reconciliation running in the background.
pub struct Pipeline {
    options: BuildOptions,
    out: PathBuf,
    content_dir: PathBuf,
    model: Model,
    /// Bumped by every applied change: a reconciliation of an older model
    /// never replaces the current one.
    generation: u64,
    worker: Option<Worker>,
    /// Held while writing: the fast path and the worker never write at once,
    /// and a cancelled worker writes nothing after the fast path has.
    write_lock: Arc<Mutex<()>>,
    /// The threads reconciliations run on (see `reconcile::pool`).
    pool: Arc<rayon::ThreadPool>,
    wake: Wake,
    /// Whether the search index's files in the output were made from the
    /// model's documents, catalog and configuration as they are: then a
    /// reconciliation after a change of templates or theme alone keeps them
    /// rather than making them again.
    index_current: bool,
}

impl Pipeline {
    /// Reads and builds the site of `options`, writing only files whose
    /// bytes changed (like `build`). `wake` is called whenever a background
    /// reconciliation ends.
    pub fn start(options: &BuildOptions, wake: Wake) -> Result<(Pipeline, Update), BuildError> {
        let begin = Instant::now();
        let out = options.output_dir();
        write::check_ownership(&out, options.force)?;
        let content_dir = options.root.join("content");
        let (model, warnings) = Model::load(options, &out)?;
        let pool = Arc::new(reconcile::pool().map_err(|e| {
            BuildError::from(Diagnostic::error(format!("cannot start threads: {e}")))
        })?);
        let mut pipeline = Pipeline {
            options: options.clone(),
            out,
            content_dir,
            model,
            generation: 0,
            worker: None,
            write_lock: Arc::new(Mutex::new(())),
            pool,
            wake,
            index_current: false,
        };
        // The first build is a reconciliation run to its end, right here.
        let job = pipeline.job(Arc::new(AtomicBool::new(false)));
        let done = job.run()?;
        let mut update = pipeline.install(done);
        update.warnings = warnings;
        update.elapsed = begin.elapsed();
        Ok((pipeline, update))
    }

    /// The current model.
    pub fn site(&self) -> &Site {
        &self.model.site
    }

    /// Applies `changes`: the fast path runs here and writes the pages that
    /// change first; a reconciliation then starts in the background (call
    /// `collect` when woken). On error the model and the output stay as they
    /// were, and a reconciliation under way goes on.
    pub fn update(&mut self, changes: &Changes) -> Result<Update, BuildError> {
        let begin = Instant::now();
        if changes.config || changes.catalog {
            let (model, warnings) = Model::load(&self.options, &self.out)?;
            self.cancel();
            self.model = model;
            self.generation += 1;
            self.index_current = false;
            self.spawn();
            return Ok(Update {
                warnings,
                elapsed: begin.elapsed(),
                ..self.counts()
            });
        }
        let looks = self.reload_looks(changes)?;
        let edits = read::read_edits(
            &read::Look {
                content_dir: &self.content_dir,
                output: &self.out,
                site_lang: self.model.site.config.lang,
                drafts: self.options.drafts,
            },
            &self.model.sources,
            &changes.documents,
            changes.all_documents,
        )?;
        read::check_topics(&edits, &self.model.site.catalog, &self.content_dir)?;
        if edits.is_empty() && looks.is_none() {
            return Ok(Update {
                elapsed: begin.elapsed(),
                ..self.counts()
            });
        }
        // Nothing can fail on the input from here on: the model changes, and
        // whatever a reconciliation under way would write is out of date.
        self.cancel();
        self.generation += 1;
        if let Some(looks) = looks {
            self.model.looks = Arc::new(looks);
        }
        if !edits.is_empty() {
            self.index_current = false;
        }
        let mut fast = match edits.is_empty() {
            true => apply::Fast::default(),
            false => self.model.apply(edits, &self.content_dir),
        };
        if changes.theme {
            // Theme files are copied as they are: write them at once.
            let files = self.model.looks.theme_files.len();
            fast.first.extend((0..files).map(PageRef::Theme));
            fast.new_paths = true;
        }
        let mut update = self.counts();
        update.warnings = fast.warnings.clone();
        let written = files::write_fast(
            &self.out,
            &self.write_lock,
            &self.model,
            &fast,
            begin,
            &mut update,
        );
        update.elapsed = begin.elapsed();
        self.spawn();
        written.map(|()| update)
    }

    /// Takes the result of the reconciliation if it has ended: `None` when
    /// there is none, when it still runs (a wake-up may come from one that
    /// was cancelled), or when it was cancelled.
    pub fn collect(&mut self) -> Option<Result<Update, BuildError>> {
        let worker = self.worker.take()?;
        let result = files::lock(&worker.result).take();
        match result {
            Some(result) => {
                let _ = worker.handle.join();
                self.take(result)
            }
            None => {
                self.worker = Some(worker);
                None
            }
        }
    }

    /// Waits for the reconciliation under way, if any, and takes its result:
    /// `None` when there was none, or when it was cancelled.
    pub fn settle(&mut self) -> Option<Result<Update, BuildError>> {
        let worker = self.worker.take()?;
        let joined = worker.handle.join();
        let result = files::lock(&worker.result).take();
        match (joined, result) {
            (Ok(()), Some(result)) => self.take(result),
            _ => Some(Err(Diagnostic::error("the rebuild stopped unexpectedly")
                .hint("this is a bug in maillage; please report it")
                .into())),
        }
    }

    fn take(
        &mut self,
        result: Result<Reconciled, BuildError>,
    ) -> Option<Result<Update, BuildError>> {
        Some(result.map(|done| self.install(done)))
    }

    /// Whether a reconciliation is under way.
    pub fn reconciling(&self) -> bool {
        self.worker.is_some()
    }

    /// Stops the reconciliation under way, and waits until no write is in
    /// progress: after this, nothing more is written.
    pub fn stop(&mut self) {
        if let Some(w) = &self.worker {
            w.cancel.store(true, Ordering::SeqCst);
        }
        let guard = self.write_lock.lock();
        // Keep the lock for the rest of the process: the worker is told to
        // stop, and must not start a new write while the caller exits.
        std::mem::forget(guard);
    }

    fn cancel(&mut self) {
        if let Some(w) = self.worker.take() {
            w.cancel.store(true, Ordering::SeqCst);
            // Not joined: it stops at its next check, and writes nothing
            // more (it checks under the write lock).
        }
    }

    fn spawn(&mut self) {
        let cancel = Arc::new(AtomicBool::new(false));
        let job = self.job(cancel.clone());
        let pool = self.pool.clone();
        let wake = self.wake.clone();
        let result: Slot = Arc::default();
        let slot = result.clone();
        let handle = std::thread::Builder::new()
            .name("maillage-reconcile".into())
            .spawn(move || {
                let outcome = pool.install(|| job.run());
                // A cancelled run's result is of no use: not even a wake-up.
                if !job_cancelled(&outcome) {
                    *files::lock(&slot) = Some(outcome);
                    wake();
                }
            });
        match handle {
            Ok(handle) => {
                self.worker = Some(Worker {
                    cancel,
                    result,
                    handle,
                })
            }
            // Without a thread, reconcile right here.
            Err(_) => {
                let job = self.job(Arc::new(AtomicBool::new(false)));
                if let Ok(done) = job.run() {
                    self.install(done);
                }
            }
        }
    }

    fn job(&self, cancel: Arc<AtomicBool>) -> Job {
        Job {
            site: self.model.site.0.clone(),
            exact: self.model.exact,
            looks: self.model.looks.clone(),
            out: self.out.clone(),
            content_dir: self.content_dir.clone(),
            cancel,
            write_lock: self.write_lock.clone(),
            index: !self.index_current,
        }
    }

    /// Takes a finished reconciliation's exact site as the model.
    fn install(&mut self, done: Reconciled) -> Update {
        self.model.site = SharedSite(done.site);
        self.model.exact = true;
        self.index_current = true;
        let mut update = self.counts();
        update.pages = done.pages;
        update.written = done.written;
        update.removed = done.removed;
        update.elapsed = done.elapsed;
        update
    }

    fn counts(&self) -> Update {
        let site = &self.model.site;
        Update {
            documents: site.documents.len(),
            sections: site.documents.iter().map(|d| d.sections.len()).sum(),
            topics: site.catalog.len(),
            ..Update::default()
        }
    }

    /// Templates and theme read again when they changed (a template that
    /// does not parse fails here, before anything is touched).
    fn reload_looks(&self, changes: &Changes) -> Result<Option<Looks>, BuildError> {
        if !changes.templates && !changes.theme {
            return Ok(None);
        }
        let mut errors = Vec::new();
        let root = &self.options.root;
        let current = &self.model.looks;
        let site_templates = match changes.templates {
            true => load::read_templates(&root.join("templates"), &mut errors),
            false => current.site_templates.clone(),
        };
        let theme_files = match changes.theme {
            true => templates::theme_files(&load::read_theme(&root.join("theme"), &mut errors)),
            false => current.theme_files.clone(),
        };
        if !errors.is_empty() {
            return Err(BuildError {
                diagnostics: errors,
            });
        }
        let tera = templates::load(&site_templates, &current.templates_dir)?;
        Ok(Some(Looks {
            tera,
            theme_files,
            site_templates,
            templates_dir: current.templates_dir.clone(),
        }))
    }
}
