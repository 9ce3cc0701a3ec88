//! The record of the last build, `.maillage-state` in the output root: the
//! fingerprint of its input, its counts and warnings, and the size and
//! modification time of every file it left.
//!
//! A rebuild whose input has the same fingerprint, into an output whose files
//! all still have the recorded size and time (nobody edited or removed one),
//! would write the same bytes: it stops after reading the site and reports
//! the recorded outcome. Any doubt — no record, another fingerprint, a file
//! touched — means a full build, which itself rewrites only changed files.
//! The record is removed before a build moves files into place and written
//! only after it finished, so an interrupted build never leaves one behind.

use std::fs;
use std::path::Path;
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Diagnostic;

/// The file in the output root.
pub const STATE: &str = ".maillage-state";

/// What a build left, and from what input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildState {
    pub fingerprint: String,
    pub documents: usize,
    pub sections: usize,
    pub topics: usize,
    pub warnings: Vec<Diagnostic>,
    /// Every file written or kept: path, size, modification time (ns since
    /// the epoch).
    pub files: Vec<(String, u64, u128)>,
}

/// The record of the last build into `out`, if there is a readable one.
pub fn load(out: &Path) -> Option<BuildState> {
    let text = fs::read(out.join(STATE)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Whether every recorded file still has its recorded size and time.
pub fn intact(out: &Path, state: &BuildState) -> bool {
    state
        .files
        .par_iter()
        .all(|(path, size, mtime)| stat(&out.join(path)) == Some((*size, *mtime)))
}

/// The size and modification time of each of `paths` under `out`.
pub fn file_stats(out: &Path, paths: &[String]) -> Option<Vec<(String, u64, u128)>> {
    paths
        .par_iter()
        .map(|p| stat(&out.join(p)).map(|(size, mtime)| (p.clone(), size, mtime)))
        .collect()
}

/// Writes the record (atomically: a half-written one would just not parse,
/// but a rename keeps even that from happening).
pub fn save(out: &Path, state: &BuildState) -> std::io::Result<()> {
    let tmp = out.join(format!("{STATE}.tmp"));
    fs::write(&tmp, serde_json::to_vec(state)?)?;
    fs::rename(&tmp, out.join(STATE))
}

/// Forgets the last build: its files are about to change.
pub fn remove(out: &Path) {
    let _ = fs::remove_file(out.join(STATE));
}

fn stat(path: &Path) -> Option<(u64, u128)> {
    let meta = fs::metadata(path).ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some((meta.len(), mtime.as_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_touched_or_missing_file_breaks_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::write(out.join("a.html"), "A").unwrap();
        fs::write(out.join("b.html"), "B").unwrap();
        let paths = vec!["a.html".to_string(), "b.html".to_string()];
        let state = BuildState {
            fingerprint: "f".into(),
            documents: 1,
            sections: 2,
            topics: 3,
            warnings: vec![Diagnostic::warning("w").at("content/a.md").line(2)],
            files: file_stats(out, &paths).unwrap(),
        };
        save(out, &state).unwrap();
        assert_eq!(load(out).as_ref(), Some(&state));
        assert!(intact(out, &state));
        fs::write(out.join("a.html"), "AA").unwrap();
        assert!(!intact(out, &state), "edited file");
        fs::remove_file(out.join("a.html")).unwrap();
        assert!(!intact(out, &state), "removed file");
        remove(out);
        assert!(load(out).is_none());
    }
}
