//! Stage 6 (I/O): writes rendered pages into the output folder.
//!
//! Everything that can fail on the user's input (parsing, topics, templates)
//! has already happened in memory, so a failed build never reaches this stage
//! and the previous output stays as it was. Here:
//! - a file whose bytes are unchanged is not rewritten (timestamps stay, and
//!   rsync-style deploys stay small);
//! - each changed file is written to a temporary name and renamed over the old
//!   one, so a reader never sees half a page;
//! - the folder is owned through a manifest listing what maillage wrote: only
//!   files it lists are ever removed (stale pages of a previous build), and a
//!   non-empty folder without one is refused unless forced;
//! - every path is checked to stay inside the output folder.

use std::collections::HashSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::error::{BuildError, Diagnostic};
use crate::render::Page;

/// The manifest file in the output root: one written path per line.
pub const MANIFEST: &str = ".maillage-manifest";
/// The manifest's first line.
pub const MANIFEST_HEADER: &str =
    "# maillage output: files written by the last build (do not edit)";

/// What a write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub bytes: u64,
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
    let empty = fs::read_dir(out)
        .map_err(|e| Diagnostic::error(format!("cannot read the output folder: {e}")).at(out))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    Err(Diagnostic::error("the output folder is not empty and was not written by maillage")
        .at(out)
        .hint("choose an empty or new --output folder, or pass --force to write into it (maillage never deletes files it did not write)"))
}

/// Writes `pages` into `out`, removes the files of the previous build that are
/// no longer produced, and records the new manifest.
pub fn write_output(out: &Path, pages: &[Page], force: bool) -> Result<WriteReport, BuildError> {
    check_ownership(out, force)?;
    let bad: Vec<Diagnostic> = pages
        .iter()
        .filter(|p| !is_safe_relative(&p.path) || p.path == MANIFEST)
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
    fs::create_dir_all(out).map_err(|e| write_error(out, &e))?;
    let previous = read_manifest(out);

    let results: Vec<Result<Option<u64>, Diagnostic>> = pages
        .par_iter()
        .map(|p| write_if_changed(&out.join(&p.path), &p.bytes))
        .collect();
    let mut report = WriteReport::default();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(Some(bytes)) => {
                report.written += 1;
                report.bytes += bytes;
            }
            Ok(None) => report.unchanged += 1,
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(BuildError {
            diagnostics: errors,
        });
    }

    let current: HashSet<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    for stale in previous.iter().filter(|p| !current.contains(p.as_str())) {
        if is_safe_relative(stale) && remove_stale(out, stale) {
            report.removed += 1;
        }
    }
    write_manifest(out, pages)?;
    Ok(report)
}

/// A `/`-separated path with only normal components: no root, no `..`, no `.`.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Writes `bytes` to `path` unless it already holds them; returns the bytes
/// written, or `None` when unchanged.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<Option<u64>, Diagnostic> {
    match fs::read(path) {
        Ok(existing) if existing == bytes => return Ok(None),
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) if e.kind() == ErrorKind::IsADirectory => {
            return Err(
                Diagnostic::error("cannot write a page: a folder stands in its place")
                    .at(path)
                    .hint("remove that folder from the output, or pass a fresh --output"),
            );
        }
        Err(e) => return Err(write_error(path, &e)),
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| write_error(parent, &e))?;
    }
    let tmp = temp_name(path);
    fs::write(&tmp, bytes).map_err(|e| write_error(&tmp, &e))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        write_error(path, &e)
    })?;
    Ok(Some(bytes.len() as u64))
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.maillage-tmp"))
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

fn write_manifest(out: &Path, pages: &[Page]) -> Result<(), Diagnostic> {
    let mut paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    paths.sort_unstable();
    let mut text = String::from(MANIFEST_HEADER);
    text.push('\n');
    for p in paths {
        text.push_str(p);
        text.push('\n');
    }
    write_if_changed(&out.join(MANIFEST), text.as_bytes()).map(|_| ())
}

fn write_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot write: {e}"))
        .at(path)
        .hint("check free disk space and that you may write to the output folder")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, body: &str) -> Page {
        Page {
            path: path.into(),
            bytes: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn unchanged_files_are_not_rewritten_and_stale_ones_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let r = write_output(
            &out,
            &[page("a/index.html", "A"), page("b/index.html", "B")],
            false,
        )
        .unwrap();
        assert_eq!((r.written, r.unchanged), (2, 0));
        let r = write_output(&out, &[page("a/index.html", "A")], false).unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (0, 1, 1));
        assert!(
            !out.join("b").exists(),
            "empty folder of a stale page is removed"
        );
        assert_eq!(read_manifest(&out), vec!["a/index.html".to_string()]);
    }

    #[test]
    fn foreign_non_empty_folder_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("precious.txt"), "keep").unwrap();
        let e = write_output(dir.path(), &[page("index.html", "x")], false).unwrap_err();
        assert!(e.diagnostics[0].message.contains("not written by maillage"));
        write_output(dir.path(), &[page("index.html", "x")], true).unwrap();
        write_output(dir.path(), &[page("other.html", "y")], true).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
            "keep"
        );
        assert!(
            !dir.path().join("index.html").exists(),
            "own stale page removed"
        );
    }

    #[test]
    fn unsafe_paths_are_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        for bad in [
            "../evil.html",
            "/etc/x",
            "a/../../b",
            "",
            ".maillage-manifest",
            "a\\..\\b",
        ] {
            assert!(
                write_output(&out, &[page("ok.html", "x"), page(bad, "x")], false).is_err(),
                "{bad}"
            );
        }
        assert!(!out.join("ok.html").exists());
        assert!(!dir.path().join("evil.html").exists());
    }

    #[test]
    fn safe_paths() {
        assert!(is_safe_relative("a/b/index.html"));
        assert!(!is_safe_relative("../a"));
        assert!(!is_safe_relative("/a"));
    }
}
