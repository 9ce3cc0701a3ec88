//! The write stage's rules: unchanged files kept, stale ones removed,
//! foreign folders refused, failures leaving the output as it was.

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
        ".maillage-staging/x",
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

/// Produces `a.html`, then fails on `b.html`, like a template error.
struct FailsOnSecond;

impl PageSource for FailsOnSecond {
    fn count(&self) -> usize {
        2
    }
    fn path(&self, i: usize) -> String {
        ["a.html", "b.html"][i].to_string()
    }
    fn write_to(&self, i: usize, out: &mut Staged) -> Result<(), Diagnostic> {
        use std::io::Write;
        match i {
            0 => out
                .write_all(b"new")
                .map_err(|e| Diagnostic::error(e.to_string())),
            _ => Err(Diagnostic::error("boom")),
        }
    }
}

#[test]
fn a_failing_page_leaves_the_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    write_output(&out, &[page("a.html", "old")], false).unwrap();
    let e = write_pages(&out, &FailsOnSecond, false).unwrap_err();
    assert_eq!(e.diagnostics[0].message, "boom");
    assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "old");
    assert!(!out.join("b.html").exists());
    assert!(!out.join(STAGING).exists(), "staging folder removed");
    let fresh = dir.path().join("fresh");
    assert!(write_pages(&fresh, &FailsOnSecond, false).is_err());
    assert!(!fresh.exists(), "a folder created for nothing is removed");
}

#[test]
fn a_fresh_output_is_written_in_place_and_removed_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = write_output(&out, &[page("a/index.html", "A")], false).unwrap();
    assert_eq!((r.written, r.bytes), (1, 1));
    assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "A");
    assert!(!out.join(STAGING).exists());
    // Two pages at one path: the build fails and leaves nothing.
    let twice = dir.path().join("twice");
    let pages = [page("a/index.html", "A"), page("a/index.html", "B")];
    assert!(write_output(&twice, &pages, false).is_err());
    assert!(!twice.exists(), "files written in place are removed");
    // An empty folder stays, empty.
    fs::create_dir(&twice).unwrap();
    assert!(write_output(&twice, &pages, false).is_err());
    assert_eq!(fs::read_dir(&twice).unwrap().count(), 0);
}

#[test]
fn safe_paths() {
    assert!(is_safe_relative("a/b/index.html"));
    assert!(!is_safe_relative("../a"));
    assert!(!is_safe_relative("/a"));
}
