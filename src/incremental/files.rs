//! Writing for the incremental pipeline, with `write`'s rules: a file whose
//! bytes are unchanged is not rewritten, a changed one is written to a
//! temporary name and renamed, every path must stay inside the output
//! folder, and only files listed in the manifest are ever removed. Unlike
//! `write::write_output`, pages come a few at a time (the fast path's, or a
//! reconciliation's chunks), and every write happens under the pipeline's
//! write lock, after checking that the writer was not cancelled.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use rayon::prelude::*;

use super::apply::Fast;
use super::{Model, Update};
use crate::error::{BuildError, Diagnostic};
use crate::render::{Page, SitePages, render_refs};
use crate::write::{self, MANIFEST};

/// Takes the write lock (or a worker's result slot); a writer that panicked
/// left nothing half-written (each file is renamed into place), so a
/// poisoned lock is still good.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes the fast path's pages: the changed documents' pages and the
/// removal of gone files first (`update.first_pages` is taken then), then
/// the pages that change with them. New pages are added to the manifest at
/// once, so that they stay owned even if `watch` stops before reconciling.
pub(super) fn write_fast(
    out: &Path,
    write_lock: &Mutex<()>,
    model: &Model,
    fast: &Fast,
    begin: Instant,
    update: &mut Update,
) -> Result<(), BuildError> {
    let theme = model.looks.theme();
    // Listed once for both renders: listing makes every URL of the site.
    let pages = SitePages::new(&model.site, &theme);
    let first = render_refs(&pages, &fast.first)?;
    {
        let _guard = lock(write_lock);
        update.written = write_pages(out, &first)?;
    }
    if fast.new_paths || !fast.gone.is_empty() {
        let _guard = lock(write_lock);
        update.removed = list(out, &first, &fast.gone)?;
    }
    update.first_pages = Some(begin.elapsed());
    let then = render_refs(&pages, &fast.then)?;
    let _guard = lock(write_lock);
    update.written.extend(write_pages(out, &then)?);
    if fast.new_paths {
        list(out, &then, &[])?;
    }
    Ok(())
}

/// Removes the files `gone` (those the manifest lists) and lists `pages` in
/// the manifest; returns the files removed.
fn list(out: &Path, pages: &[Page], gone: &[String]) -> Result<Vec<String>, BuildError> {
    let mut listed: HashSet<String> = write::read_manifest(out).into_iter().collect();
    let mut removed = Vec::new();
    for path in gone {
        if listed.remove(path) && write::remove_stale(out, path) {
            removed.push(path.clone());
        }
    }
    let before = listed.len();
    listed.extend(pages.iter().map(|p| p.path.clone()));
    if listed.len() != before || !removed.is_empty() {
        write_manifest(out, listed.iter().map(String::as_str))?;
    }
    Ok(removed)
}

/// Writes a reconciliation's chunk of pages, unless `cancel` is set (then
/// `None`): checked under the lock, so nothing is written after the fast
/// path of a newer change has taken it.
pub(super) fn write_chunk(
    out: &Path,
    write_lock: &Mutex<()>,
    cancel: &AtomicBool,
    pages: &[Page],
) -> Result<Option<Vec<String>>, BuildError> {
    let _guard = lock(write_lock);
    if cancel.load(Ordering::SeqCst) {
        return Ok(None);
    }
    write_pages(out, pages).map(Some)
}

/// Removes the files of the manifest that no page makes any more, and lists
/// exactly `current` in it. Returns the files removed; `None` if cancelled.
pub(super) fn finish(
    out: &Path,
    write_lock: &Mutex<()>,
    cancel: &AtomicBool,
    current: &HashSet<String>,
) -> Result<Option<Vec<String>>, BuildError> {
    let _guard = lock(write_lock);
    if cancel.load(Ordering::SeqCst) {
        return Ok(None);
    }
    let mut removed = Vec::new();
    for stale in write::read_manifest(out) {
        if !current.contains(&stale)
            && write::is_safe_relative(&stale)
            && write::remove_stale(out, &stale)
        {
            removed.push(stale);
        }
    }
    write_manifest(out, current.iter().map(String::as_str))?;
    Ok(Some(removed))
}

/// Writes pages whose bytes changed; returns their paths. Refuses any path
/// that would leave the output folder before writing anything.
fn write_pages(out: &Path, pages: &[Page]) -> Result<Vec<String>, BuildError> {
    let bad: Vec<Diagnostic> = pages
        .iter()
        .filter(|p| !write::is_safe_relative(&p.path) || p.path == MANIFEST)
        .map(|p| {
            Diagnostic::error(format!(
                "refusing to write `{}`: it would land outside the output folder",
                p.path
            ))
            .at(out)
            .hint("this is a bug in maillage or in a template name; please report it")
        })
        .collect();
    if !bad.is_empty() {
        return Err(BuildError { diagnostics: bad });
    }
    std::fs::create_dir_all(out)
        .map_err(|e| Diagnostic::error(format!("cannot create the output folder: {e}")).at(out))?;
    // The record of the last full build no longer describes the output: a
    // later `build` must not take it as unchanged.
    write::state::remove(out);
    let results: Vec<Result<Option<&str>, Diagnostic>> = pages
        .par_iter()
        .map(|p| {
            write::write_if_changed(&out.join(&p.path), &p.bytes)
                .map(|w| w.map(|_| p.path.as_str()))
        })
        .collect();
    let mut written = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(Some(p)) => written.push(p.to_string()),
            Ok(None) => {}
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(written)
    } else {
        Err(BuildError {
            diagnostics: errors,
        })
    }
}

/// Writes the manifest, listing `paths` in order (as `write` does).
fn write_manifest<'a>(out: &Path, paths: impl Iterator<Item = &'a str>) -> Result<(), Diagnostic> {
    let text = write::manifest_text(paths);
    write::write_if_changed(&out.join(MANIFEST), text.as_bytes()).map(|_| ())
}
