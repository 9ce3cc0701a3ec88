//! Writing single files in place, for `watch`: its fast path writes a few
//! pages at a time, without a staging folder, because each page is complete
//! when written and a failure stops before the model or the output changes.
//! Same rules as a build: unchanged bytes are not rewritten, and a changed
//! file replaces the old one by a rename, so a reader never sees half a page.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::write_error;
use crate::error::Diagnostic;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_bytes_are_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.html");
        assert_eq!(write_if_changed(&path, b"x").unwrap(), Some(1));
        assert_eq!(write_if_changed(&path, b"x").unwrap(), None);
        assert_eq!(write_if_changed(&path, b"yz").unwrap(), Some(2));
        assert_eq!(fs::read(&path).unwrap(), b"yz");
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    }
}
