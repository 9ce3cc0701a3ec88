//! Stage 6 (I/O): writes the site's files into the output folder.
//!
//! A build never leaves the output half-updated by a bad input: every file is
//! first produced and compared with what the folder holds (`staged.rs`), the
//! changed ones going to a staging folder inside the output; only when every
//! file has been produced without error are they renamed into place. A
//! template error met on the ten-thousandth page therefore still leaves the
//! previous output as it was, and no page needs to stay in memory after it
//! has been staged. Here:
//! - a file whose bytes are unchanged is not rewritten (timestamps stay, and
//!   rsync-style deploys stay small);
//! - each changed file replaces the old one by a rename, so a reader never
//!   sees half a page;
//! - the folder is owned through a manifest listing what maillage wrote: only
//!   files it lists are ever removed (stale pages of a previous build), and a
//!   non-empty folder without one is refused unless forced;
//! - every path is checked to stay inside the output folder;
//! - into an output folder that held nothing (a first build), files are
//!   written straight in place, there being no previous output to keep
//!   whole; a failed build removes them again.

mod direct;
pub mod staged;
pub mod state;

pub use direct::write_if_changed;

use std::collections::HashSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::error::{BuildError, Diagnostic};
use crate::render::Page;
use staged::{Outcome, Staged};

/// The manifest file in the output root: one written path per line.
pub const MANIFEST: &str = ".maillage-manifest";
/// The manifest's first line.
pub const MANIFEST_HEADER: &str =
    "# maillage output: files written by the last build (do not edit)";

/// The staging folder inside the output root, removed at the end of every build.
pub const STAGING: &str = ".maillage-staging";

/// What a write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub bytes: u64,
}

/// The files of a build, produced on demand so that they need not all be in
/// memory at once. `write_to` may fail (a template error): then nothing of
/// the build reaches the output.
pub trait PageSource: Sync {
    /// How many files there are.
    fn count(&self) -> usize;
    /// Path of file `i` under the output root, `/`-separated.
    fn path(&self, i: usize) -> String;
    /// Produces the bytes of file `i` into `out`.
    fn write_to(&self, i: usize, out: &mut Staged) -> Result<(), Diagnostic>;
}

impl PageSource for [Page] {
    fn count(&self) -> usize {
        self.len()
    }

    fn path(&self, i: usize) -> String {
        self[i].path.clone()
    }

    fn write_to(&self, i: usize, out: &mut Staged) -> Result<(), Diagnostic> {
        use std::io::Write;
        out.expect_len(self[i].bytes.len() as u64);
        out.write_all(&self[i].bytes)
            .map_err(|e| Diagnostic::error(format!("cannot write: {e}")))
    }
}

/// Checks that `out` may be written: it does not exist, is empty, or holds a
/// previous maillage output; with `force`, any folder.
pub fn check_ownership(out: &Path, force: bool) -> Result<(), Diagnostic> {
    if force || !out.exists() || out.join(MANIFEST).is_file() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(
            Diagnostic::error("the output path exists and is not a folder")
                .at(out)
                .hint("choose another --output, or move the file away"),
        );
    }
    // A staging folder left by an interrupted first build does not count.
    let empty = fs::read_dir(out)
        .map_err(|e| Diagnostic::error(format!("cannot read the output folder: {e}")).at(out))?
        .filter_map(Result::ok)
        .all(|e| e.file_name() == STAGING);
    if empty {
        return Ok(());
    }
    Err(Diagnostic::error("the output folder is not empty and was not written by maillage")
        .at(out)
        .hint("choose an empty or new --output folder, or pass --force to write into it (maillage never deletes files it did not write)"))
}

/// Whether the output folder `out` holds nothing (a staging folder left by
/// an interrupted build aside).
fn is_empty_output(out: &Path) -> bool {
    fs::read_dir(out).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .all(|e| e.file_name() == STAGING)
    })
}

/// Whether `path` is one of maillage's own files in the output root.
fn is_reserved(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or(path);
    [MANIFEST, STAGING, state::STATE].contains(&first)
        || first.starts_with(&format!("{MANIFEST}."))
        || first.starts_with(&format!("{}.", state::STATE))
}

/// Writes in-memory `pages` into `out` (see `write_pages`).
pub fn write_output(out: &Path, pages: &[Page], force: bool) -> Result<WriteReport, BuildError> {
    write_pages(out, pages, force)
}

/// Produces every file of `pages`, and only if all succeed, moves the changed
/// ones into `out`, removes the files of the previous build that are no
/// longer produced, and records the new manifest.
pub fn write_pages<S: PageSource + ?Sized>(
    out: &Path,
    pages: &S,
    force: bool,
) -> Result<WriteReport, BuildError> {
    let staging = Staging::begin(out, force)?;
    staging.stage(pages)?;
    staging.commit()
}

/// A write in progress: sets of files are staged (`stage`, possibly from
/// several threads at once, so that a build can stage its search index while
/// it renders its pages), then `commit` moves them all into place. Dropped
/// without a commit, it removes what it staged: the output stays as it was.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// Whether the output folder existed before: one created for a failed
    /// build is removed again.
    existed: bool,
    /// Whether the output folder held no file when the build began (it did
    /// not exist, or was empty): then there is no previous output to keep
    /// whole, and files are written straight in place, not staged and
    /// renamed (a rename and a lookup a file, a tenth of writing a
    /// 10,000-document site); a failed build removes them again.
    fresh: bool,
    next: AtomicUsize,
    state: Mutex<StagedSets>,
    committed: bool,
}

/// What the staged sets hold so far.
#[derive(Default)]
struct StagedSets {
    /// Every path produced, for the manifest.
    paths: Vec<String>,
    /// Changed files: staging file, path, bytes.
    moves: Vec<(PathBuf, String, u64)>,
    unchanged: usize,
    /// Files written in place (a fresh output), and their bytes.
    in_place: usize,
    in_place_bytes: u64,
}

impl Staging {
    /// Checks that `out` may be written and prepares its staging folder.
    pub fn begin(out: &Path, force: bool) -> Result<Staging, BuildError> {
        check_ownership(out, force)?;
        let existed = out.exists();
        let fresh = !existed || is_empty_output(out);
        let dir = out.join(STAGING);
        let start = || -> std::io::Result<()> {
            fs::create_dir_all(out)?;
            match fs::remove_dir_all(&dir) {
                Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            fs::create_dir(&dir)
        };
        start().map_err(|e| write_error(&dir, &e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            existed,
            fresh,
            next: AtomicUsize::new(0),
            state: Mutex::new(StagedSets::default()),
            committed: false,
        })
    }

    /// Produces every file of `pages` in parallel, comparing each with the
    /// output and staging the changed ones. Fails with every error found;
    /// the caller then drops the `Staging`, which leaves the output as it was.
    pub fn stage<S: PageSource + ?Sized>(&self, pages: &S) -> Result<(), BuildError> {
        let out = &self.out;
        let paths: Vec<String> = (0..pages.count()).map(|i| pages.path(i)).collect();
        let bad: Vec<Diagnostic> = paths
            .iter()
            .filter(|p| !is_safe_relative(p) || is_reserved(p))
            .map(|p| {
                Diagnostic::error(format!(
                    "refusing to write `{p}`: it would land outside the output folder"
                ))
                .at(out)
                .hint("this is a bug in maillage or in a template name; please report it")
            })
            .collect();
        if !bad.is_empty() {
            return Err(BuildError { diagnostics: bad });
        }
        let outcomes: Vec<Result<Outcome, Diagnostic>> = (0..paths.len())
            .into_par_iter()
            .map(|i| {
                let target = out.join(&paths[i]);
                if self.fresh {
                    return write_in_place(pages, i, &target);
                }
                let tmp = self
                    .dir
                    .join(self.next.fetch_add(1, Ordering::Relaxed).to_string());
                stage(pages, i, &target, &tmp)
            })
            .collect();
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        for (i, outcome) in outcomes.into_iter().enumerate() {
            match outcome {
                Ok(Outcome::Unchanged) => state.unchanged += 1,
                Ok(Outcome::Staged { bytes, .. }) if self.fresh => {
                    state.in_place += 1;
                    state.in_place_bytes += bytes;
                }
                Ok(Outcome::Staged { tmp, bytes }) => {
                    state.moves.push((tmp, paths[i].clone(), bytes))
                }
                Err(d) if !errors.contains(&d) => errors.push(d),
                Err(_) => {}
            }
        }
        state.paths.extend(paths);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(BuildError {
                diagnostics: errors,
            })
        }
    }

    /// Every path staged so far, in staging order.
    pub fn paths(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .paths
            .clone()
    }

    /// Moves the staged files into place, removes the files of the previous
    /// build that were not produced this time, and records the manifest.
    pub fn commit(mut self) -> Result<WriteReport, BuildError> {
        let out = self.out.clone();
        let state = std::mem::take(&mut *self.state.lock().unwrap_or_else(|e| e.into_inner()));
        let mut seen = HashSet::with_capacity(state.paths.len());
        let twice: Vec<Diagnostic> = state
            .paths
            .iter()
            .filter(|p| !seen.insert(p.as_str()))
            .map(|p| {
                Diagnostic::error(format!("two pages would be written to `{p}`"))
                    .at(&out)
                    .hint("this is a bug in maillage; please report it")
            })
            .collect();
        if !twice.is_empty() {
            // Dropped, the staging removes what it wrote in place.
            *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
            return Err(BuildError { diagnostics: twice });
        }
        self.committed = true;
        let mut report = WriteReport {
            unchanged: state.unchanged,
            written: state.in_place,
            bytes: state.in_place_bytes,
            ..WriteReport::default()
        };
        // From here on the output changes: the record of the previous build
        // no longer describes it.
        state::remove(&out);
        let moved: Vec<Result<u64, Diagnostic>> = state
            .moves
            .par_iter()
            .map(|(tmp, path, bytes)| commit(tmp, &out.join(path)).map(|()| *bytes))
            .collect();
        let mut errors = Vec::new();
        for m in moved {
            match m {
                Ok(bytes) => {
                    report.written += 1;
                    report.bytes += bytes;
                }
                Err(d) => errors.push(d),
            }
        }
        let _ = fs::remove_dir_all(&self.dir);
        if !errors.is_empty() {
            return Err(BuildError {
                diagnostics: errors,
            });
        }
        let previous = read_manifest(&out);
        for stale in previous.iter().filter(|p| !seen.contains(p.as_str())) {
            if is_safe_relative(stale) && !is_reserved(stale) && remove_stale(&out, stale) {
                report.removed += 1;
            }
        }
        write_manifest(&out, &state.paths)?;
        Ok(report)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        // Nothing was moved: dropping the staging folder leaves the output
        // exactly as the previous build left it. Into a fresh output, files
        // were written in place: they go, and the folders made for them.
        let _ = fs::remove_dir_all(&self.dir);
        if self.fresh {
            let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            for path in &state.paths {
                remove_stale(&self.out, path);
            }
        }
        if !self.existed {
            let _ = fs::remove_dir(&self.out);
        }
    }
}

/// Produces file `i`, comparing it with `target` and staging it at `tmp` if changed.
fn stage<S: PageSource + ?Sized>(
    pages: &S,
    i: usize,
    target: &Path,
    tmp: &Path,
) -> Result<Outcome, Diagnostic> {
    let w = Staged::new(target, tmp).map_err(|e| match e.kind() {
        ErrorKind::IsADirectory => {
            Diagnostic::error("cannot write a page: a folder stands in its place")
                .at(target)
                .hint("remove that folder from the output, or pass a fresh --output")
        }
        _ => write_error(target, &e),
    })?;
    produce(pages, i, w, tmp)
}

/// Produces file `i` straight at `target`, in an output folder that held
/// nothing when the build began.
fn write_in_place<S: PageSource + ?Sized>(
    pages: &S,
    i: usize,
    target: &Path,
) -> Result<Outcome, Diagnostic> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| write_error(parent, &e))?;
    }
    produce(pages, i, Staged::fresh(target, target), target)
}

/// Has `pages` write file `i` into `w`, staged at `tmp`.
fn produce<S: PageSource + ?Sized>(
    pages: &S,
    i: usize,
    mut w: Staged,
    tmp: &Path,
) -> Result<Outcome, Diagnostic> {
    if let Err(d) = pages.write_to(i, &mut w) {
        // An I/O error wrapped by the producer is reported as what it is.
        return Err(match w.take_error() {
            Some(e) => write_error(tmp, &e),
            None => d,
        });
    }
    w.finish().map_err(|e| write_error(tmp, &e))
}

/// Moves a staged file into place, creating its folder.
fn commit(tmp: &Path, target: &Path) -> Result<(), Diagnostic> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| write_error(parent, &e))?;
    }
    fs::rename(tmp, target).map_err(|e| write_error(target, &e))
}

/// A `/`-separated path with only normal components: no root, no `..`, no `.`.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Removes a stale file and the folders it leaves empty (up to the output root).
pub fn remove_stale(out: &Path, rel: &str) -> bool {
    let path = out.join(rel);
    if !path.is_file() || fs::remove_file(&path).is_err() {
        return false;
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == out || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    true
}

pub fn read_manifest(out: &Path) -> Vec<String> {
    fs::read_to_string(out.join(MANIFEST))
        .map(|t| {
            t.lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The manifest listing `paths`, sorted (so its bytes only change when the
/// set of files does).
pub fn manifest_text<'a>(paths: impl Iterator<Item = &'a str>) -> String {
    let mut paths: Vec<&str> = paths.collect();
    paths.sort_unstable();
    let mut text = String::from(MANIFEST_HEADER);
    text.push('\n');
    for p in paths {
        text.push_str(p);
        text.push('\n');
    }
    text
}

fn write_manifest(out: &Path, paths: &[String]) -> Result<(), Diagnostic> {
    let text = manifest_text(paths.iter().map(String::as_str));
    let path = out.join(MANIFEST);
    if fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    let tmp = out.join(format!("{MANIFEST}.tmp"));
    fs::write(&tmp, text)
        .and_then(|()| fs::rename(&tmp, &path))
        .map_err(|e| write_error(&path, &e))
}

fn write_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot write: {e}"))
        .at(path)
        .hint("check free disk space and that you may write to the output folder")
}

#[cfg(test)]
mod tests;
