//! `maillage watch`: builds the site, then rebuilds it on every change of
//! `content/`, `templates/`, `theme/` or `site.toml`, and serves the output
//! with live reload. It sits on top of the pipeline and never inside it:
//!
//! - `classify`: changed path → kind of change (pure);
//! - `rebuild`: kind of change → the incremental pipeline
//!   (`crate::incremental`): a fast path writes the changed pages at once, a
//!   reconciliation in the background then brings the whole output to what
//!   `build` writes;
//! - `server`: the output over HTTP (tiny_http), loopback by default;
//! - `livereload`: events to the browsers (server-sent events) and their script.
//!
//! Changes are collected with notify and its debouncer, then settled: a batch
//! is rebuilt only once no further batch has come for a while (see
//! `next_batch`), so that a burst (a `git checkout` of a thousand files) is
//! one rebuild. Changes that arrive during a rebuild wait in the channel for
//! the next one, so none is lost; a change applied while a reconciliation
//! runs cancels it, and a new one starts after the change. A failed rebuild
//! keeps its changes pending: they are looked at again, with whatever comes
//! next, until the site builds.

pub mod classify;
pub mod livereload;
pub mod rebuild;
pub mod server;

use std::collections::HashSet;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::build::BuildOptions;
use crate::error::{BuildError, Diagnostic};
use crate::incremental::{Update, Wake};
use classify::{Change, ChangeSet, Layout, classify};
use livereload::{Hub, LiveEvent};
use rebuild::Rebuilder;

/// What `maillage watch` was asked to do.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub build: BuildOptions,
    /// Where to serve the site; `None` only rebuilds.
    pub serve: Option<(IpAddr, u16)>,
    /// How long the watcher waits for a path to settle, and how long a
    /// batch waits for more before it is rebuilt.
    pub debounce: Duration,
}

/// Something `watch` has to tell the user. `main` decides how to print it.
#[derive(Debug)]
pub enum Notice<'a> {
    /// The first build is done.
    Built(&'a Update),
    /// The site is served at this URL.
    Serving(&'a str),
    /// The folders being watched.
    Watching(&'a Layout),
    /// The fast path after these changes is done.
    Rebuilt(&'a ChangeSet, &'a Update),
    /// The reconciliation after the last changes is done: the output is now
    /// what `build` writes.
    Settled(&'a Update),
    /// A (re)build failed; the last good output stays.
    Failed(Option<&'a ChangeSet>, &'a BuildError),
    /// A warning of the site's input.
    Warning(&'a Diagnostic),
    /// The watcher reported a problem.
    WatcherError(String),
    /// Ctrl-C: stopping.
    Stopping,
}

impl Notice<'_> {
    /// Whether this goes to the error stream.
    pub fn is_problem(&self) -> bool {
        matches!(
            self,
            Notice::Failed(..) | Notice::Warning(_) | Notice::WatcherError(_)
        )
    }
}

impl fmt::Display for Notice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::Built(o) => write!(
                f,
                "built {} ({} written, {} removed) in {}",
                crate::plural::site_counts(o.documents, o.sections, o.topics, o.pages),
                o.written.len(),
                o.removed.len(),
                millis(o.elapsed)
            ),
            Notice::Serving(url) => write!(f, "serving {url} (Ctrl-C to stop)"),
            Notice::Watching(l) => write!(
                f,
                "watching {} for changes",
                [&l.content, &l.templates, &l.theme, &l.config]
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Notice::Rebuilt(changes, o) => {
                write!(f, "rebuilt {} → ", changes.describe(3))?;
                written(f, o)?;
                write!(f, " in {}", millis(o.elapsed))?;
                if let Some(first) = o.first_pages.filter(|t| *t < o.elapsed) {
                    write!(f, " (changed pages in {})", millis(first))?;
                }
                Ok(())
            }
            Notice::Settled(o) => {
                write!(f, "  settled → ")?;
                written(f, o)?;
                write!(f, " in {} (every page checked)", millis(o.elapsed))
            }
            Notice::Failed(changes, err) => {
                writeln!(f, "{err}")?;
                let n = err.diagnostics.len();
                match changes {
                    Some(c) => write!(f, "rebuild after {} failed", c.describe(3))?,
                    None => write!(f, "build failed")?,
                }
                write!(
                    f,
                    " with {n} error{}; still serving the last good site, waiting for a fix",
                    if n == 1 { "" } else { "s" }
                )
            }
            Notice::Warning(d) => write!(f, "{d}"),
            Notice::WatcherError(e) => write!(f, "warning: file watcher: {e}"),
            Notice::Stopping => write!(f, "stopping"),
        }
    }
}

/// "N written (a, b, c and M more), K removed", or "no page changed".
fn written(f: &mut fmt::Formatter<'_>, o: &Update) -> fmt::Result {
    if o.written.is_empty() && o.removed.is_empty() {
        return write!(f, "no page changed");
    }
    write!(f, "{} written", o.written.len())?;
    let shown: Vec<&str> = o.written.iter().take(3).map(String::as_str).collect();
    if !shown.is_empty() {
        write!(f, " ({}", shown.join(", "))?;
        if o.written.len() > shown.len() {
            write!(f, " and {} more", o.written.len() - shown.len())?;
        }
        write!(f, ")")?;
    }
    write!(f, ", {} removed", o.removed.len())
}

fn millis(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// What the watch loop receives.
enum Message {
    Events(DebounceEventResult),
    /// A reconciliation has ended.
    Settled,
    Stop,
}

/// Runs `watch` until Ctrl-C. Content errors never stop it; only a setup
/// failure (no site folder, a refused output folder, a port or watcher that
/// cannot be had) returns an error.
pub fn run(options: &WatchOptions, report: &mut dyn FnMut(Notice)) -> Result<(), BuildError> {
    let layout = absolute_layout(&options.build)?;
    crate::write::check_ownership(&layout.output, options.build.force)?;

    let (tx, rx) = channel::<Message>();
    let stop_tx = tx.clone();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(Message::Stop);
    })
    .map_err(|e| setup_error(format!("cannot handle Ctrl-C: {e}")))?;
    let wake_tx = tx.clone();
    let wake: Wake = Arc::new(move || {
        let _ = wake_tx.send(Message::Settled);
    });
    let mut debouncer = new_debouncer(options.debounce, None, move |r| {
        let _ = tx.send(Message::Events(r));
    })
    .map_err(|e| setup_error(format!("cannot watch files: {e}")))?;
    debouncer
        .watch(&layout.root, RecursiveMode::NonRecursive)
        .map_err(|e| setup_error(format!("cannot watch {}: {e}", layout.root.display())))?;
    let mut watched = HashSet::new();
    sync_watches(&mut debouncer, &mut watched, &layout, report);

    let mut rebuilder = Rebuilder::new(options.build.clone(), wake);
    let hub = Arc::new(Hub::default());
    let mut pending = ChangeSet::default();
    match rebuilder.initial() {
        Ok(outcome) => {
            outcome
                .warnings
                .iter()
                .for_each(|w| report(Notice::Warning(w)));
            report(Notice::Built(&outcome));
        }
        Err(err) => {
            report(Notice::Failed(None, &err));
            hub.publish(&LiveEvent::error(&err));
            pending.rescan = true;
        }
    }
    let _server = match options.serve {
        Some((addr, port)) => {
            let listener = server::bind(addr, port)
                .map_err(|e| setup_error(format!("cannot listen on {addr}:{port}: {e}")))?;
            let s = server::Server::start(listener, layout.output.clone(), hub.clone())
                .map_err(|e| setup_error(format!("cannot start the server: {e}")))?;
            report(Notice::Serving(&s.url()));
            Some(s)
        }
        None => None,
    };
    report(Notice::Watching(&layout));

    loop {
        let (changes, settled) = match next_batch(&rx, &layout, options.debounce, report) {
            Next::Stop => break,
            Next::Settled => (ChangeSet::default(), true),
            Next::Batch(changes, settled) => (changes, settled),
        };
        if settled {
            settle(&mut rebuilder, &hub, report);
        }
        sync_watches(&mut debouncer, &mut watched, &layout, report);
        if changes.is_empty() {
            continue;
        }
        pending.merge(changes);
        match rebuilder.rebuild(&pending) {
            Ok(outcome) => {
                outcome
                    .warnings
                    .iter()
                    .for_each(|w| report(Notice::Warning(w)));
                report(Notice::Rebuilt(&pending, &outcome));
                if hub.has_error() {
                    hub.publish(&LiveEvent::Clear);
                }
                announce(&hub, &outcome);
                pending = ChangeSet::default();
            }
            Err(err) => {
                report(Notice::Failed(Some(&pending), &err));
                hub.publish(&LiveEvent::error(&err));
            }
        }
    }
    rebuilder.stop();
    report(Notice::Stopping);
    Ok(())
}

/// Takes the result of a reconciliation that has ended, if it still counts.
fn settle(rebuilder: &mut Rebuilder, hub: &Hub, report: &mut dyn FnMut(Notice)) {
    match rebuilder.collect() {
        Some(Ok(outcome)) => {
            report(Notice::Settled(&outcome));
            announce(hub, &outcome);
        }
        Some(Err(err)) => {
            report(Notice::Failed(None, &err));
            hub.publish(&LiveEvent::error(&err));
        }
        None => {}
    }
}

/// Tells the browsers what a successful rebuild changed: when only
/// stylesheets did, styles are refreshed in place; otherwise the pages
/// showing a changed file reload.
fn announce(hub: &Hub, outcome: &Update) {
    let mut changed = outcome.written.iter().chain(&outcome.removed).peekable();
    if changed.peek().is_none() {
        return;
    }
    if changed.clone().all(|p| p.ends_with(".css")) {
        hub.publish(&LiveEvent::Css);
        return;
    }
    hub.publish(&LiveEvent::reload(changed.cloned().collect()));
}

/// What the watch loop does next.
enum Next {
    /// Rebuild after these changes; `true` when a reconciliation ended
    /// meanwhile (take it first).
    Batch(ChangeSet, bool),
    /// A reconciliation ended, and no change came.
    Settled,
    /// Ctrl-C.
    Stop,
}

/// Waits for the next batch of changes and lets it settle: batches keep
/// being merged until none has come for a while. A lone save waits half a
/// debounce period (the debouncer already waited for it); once a second
/// batch shows a burst (a checkout, a copy), a whole one.
fn next_batch(
    rx: &Receiver<Message>,
    layout: &Layout,
    debounce: Duration,
    report: &mut dyn FnMut(Notice),
) -> Next {
    let mut changes = ChangeSet::default();
    match rx.recv() {
        Ok(Message::Events(r)) => add_events(&mut changes, r, layout, report),
        Ok(Message::Settled) => return Next::Settled,
        Ok(Message::Stop) | Err(_) => return Next::Stop,
    }
    let mut settle = debounce / 2;
    let mut settled = false;
    loop {
        match rx.recv_timeout(settle) {
            Ok(Message::Events(r)) => {
                add_events(&mut changes, r, layout, report);
                settle = debounce;
            }
            Ok(Message::Settled) => settled = true,
            Ok(Message::Stop) => return Next::Stop,
            Err(RecvTimeoutError::Timeout) => return Next::Batch(changes, settled),
            Err(RecvTimeoutError::Disconnected) => return Next::Stop,
        }
    }
}

fn add_events(
    changes: &mut ChangeSet,
    result: DebounceEventResult,
    layout: &Layout,
    report: &mut dyn FnMut(Notice),
) {
    match result {
        Ok(events) => {
            for event in events {
                if is_read_only(&event.kind) {
                    continue;
                }
                if event.need_rescan() {
                    changes.add(Change::Rescan);
                }
                for path in &event.paths {
                    changes.add(classify(layout, path));
                }
            }
        }
        Err(errors) => {
            for e in errors {
                report(Notice::WatcherError(e.to_string()));
            }
        }
    }
}

/// Opening or reading a file changes nothing (and the rebuild itself reads
/// every file it watches); closing a file written to does.
fn is_read_only(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Access(a) if *a != AccessKind::Close(AccessMode::Write))
}

type Watcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Keeps a recursive watch on `content/`, `templates/` and `theme/` exactly
/// while each exists: they may come and go while `watch` runs.
fn sync_watches(
    debouncer: &mut Watcher,
    watched: &mut HashSet<PathBuf>,
    layout: &Layout,
    report: &mut dyn FnMut(Notice),
) {
    for dir in [&layout.content, &layout.templates, &layout.theme] {
        let exists = dir.is_dir();
        if exists && !watched.contains(dir.as_path()) {
            match debouncer.watch(dir, RecursiveMode::Recursive) {
                Ok(()) => {
                    watched.insert(dir.clone());
                }
                Err(e) => report(Notice::WatcherError(format!("{}: {e}", dir.display()))),
            }
        } else if !exists && watched.remove(dir.as_path()) {
            // The watch died with the folder; forget it, so that a new folder
            // of the same name gets a new one.
            let _ = debouncer.unwatch(dir);
        }
    }
}

/// The site's layout with absolute paths, to compare with the watcher's.
fn absolute_layout(options: &BuildOptions) -> Result<Layout, BuildError> {
    let root = options.root.canonicalize().map_err(|e| {
        Diagnostic::error(format!("cannot open the site folder: {e}"))
            .at(&options.root)
            .hint("pass --root DIR, a folder holding content/")
    })?;
    let output = absolute(&options.output_dir());
    Ok(Layout::new(&root, &output))
}

/// `path` made absolute, through its nearest existing ancestor (the output
/// folder may not exist yet).
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        _ => std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf()),
    }
}

fn setup_error(message: String) -> BuildError {
    Diagnostic::error(message).into()
}
