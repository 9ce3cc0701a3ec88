//! Bad input gets a clear error — the file, the line where there is one, what
//! to do — a non-zero exit, no panic, and the previous output left intact.

mod common;

use common::*;

const CATALOG: &str = "[[topic]]\nslug = \"fomo\"\nname = \"FOMO\"\naliases = [\"peur de manquer\"]\ndescription = \"La peur de manquer.\"\n";

/// A good site, built once, whose output every test then tries to break.
fn good_site() -> (Fixture, std::collections::HashMap<String, Vec<u8>>) {
    let f = Fixture::new();
    f.file("site.toml", "title = \"Test\"\n")
        .file("content/topics.toml", CATALOG)
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\ntopics = [\"fomo\"]\n+++\n## Partie\n\nLa peur de manquer.\n",
        );
    f.build_ok();
    let before = snapshot_dir(&f.output());
    (f, before)
}

/// Builds, expects failure with every `needles` in stderr, and checks the
/// output is byte-for-byte what it was.
fn assert_fails_cleanly(
    f: &Fixture,
    before: &std::collections::HashMap<String, Vec<u8>>,
    needles: &[&str],
) {
    let out = f.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "exit code; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
    assert!(err.contains("hint:"), "no hint in:\n{err}");
    assert_eq!(
        &snapshot_dir(&f.output()),
        before,
        "the previous output changed"
    );
}

#[test]
fn malformed_toml_front_matter() {
    let (f, before) = good_site();
    f.file(
        "content/b.md",
        "+++\ntitle = \"B\"\ntopics = [\"fomo\"\n+++\ntext\n",
    );
    assert_fails_cleanly(&f, &before, &["content/b.md:", "front matter"]);
}

#[test]
fn malformed_yaml_front_matter() {
    let (f, before) = good_site();
    f.file("content/b.md", "---\ntitle: B\ntopics: [fomo\n---\ntext\n");
    assert_fails_cleanly(&f, &before, &["content/b.md:", "front matter"]);
}

#[test]
fn unknown_topic_in_front_matter_names_file_line_and_suggestion() {
    let (f, before) = good_site();
    f.file(
        "content/b.md",
        "+++\ntitle = \"B\"\ntopics = [\"fommo\"]\n+++\ntext\n",
    );
    assert_fails_cleanly(
        &f,
        &before,
        &[
            "content/b.md:3:",
            "unknown topic `fommo`",
            "did you mean `fomo`",
        ],
    );
}

#[test]
fn invalid_utf8() {
    let (f, before) = good_site();
    f.file(
        "content/b.txt",
        b"Titre\n\nune ligne\nmauvais \xe9 octet\n".as_slice(),
    );
    assert_fails_cleanly(&f, &before, &["content/b.txt:4:", "UTF-8"]);
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let (f, before) = good_site();
    f.file("content/b.md", "text\n");
    let path = f.root().join("content/b.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        return; // running as root: permissions do not stop reads
    }
    assert_fails_cleanly(&f, &before, &["content/b.md", "cannot read"]);
}

#[test]
fn missing_content_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = maillage(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no content folder") && err.contains("hint:"),
        "{err}"
    );
}

#[test]
fn broken_template_names_template_and_line() {
    let (f, before) = good_site();
    f.file("templates/index.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ documents | nosuchfilter }}\n{% endblock content %}\n");
    let out = f.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("templates/index.html"), "{err}");
    assert_eq!(snapshot_dir(&f.output()), before);
}

#[test]
fn template_syntax_error_names_line() {
    let (f, before) = good_site();
    f.file("templates/topic.html", "line one\n{% if %}\n");
    assert_fails_cleanly(&f, &before, &["templates/topic.html:2:", "template error"]);
}

#[test]
fn malformed_catalog() {
    let (f, before) = good_site();
    f.file(
        "content/topics.toml",
        "[[topic]]\nslug = \"a\"\nname = \"A\"\nrelated = [\"nope\"]\n",
    );
    assert_fails_cleanly(&f, &before, &["topics.toml:4:", "unknown topic `nope`"]);
}

#[test]
fn malformed_site_toml() {
    let (f, before) = good_site();
    f.file("site.toml", "title = \"T\"\nlanguage = \n");
    assert_fails_cleanly(&f, &before, &["site.toml:2:"]);
}

#[test]
fn all_errors_are_reported_at_once() {
    let (f, before) = good_site();
    f.file("content/b.md", "+++\ntitle = \n+++\n")
        .file("content/c.md", "+++\ntopics = [\"zzz\"]\n+++\n");
    let out = f.build(&[]);
    let err = stderr(&out);
    assert!(err.contains("content/b.md"), "{err}");
    assert_eq!(snapshot_dir(&f.output()), before);
}

#[test]
fn refuses_a_foreign_non_empty_output_folder_unless_forced() {
    let f = Fixture::new();
    f.file("content/a.md", "# A\n")
        .file("output/precious.txt", "mine");
    let out = f.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(!f.output().join("index.html").exists());
    let out = f.build(&["--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(f.output().join("precious.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn slugs_and_file_names_cannot_write_outside_the_output() {
    let f = Fixture::new();
    f.file("content/a.md", "+++\nslug = \"../../evil\"\n+++\ntext\n")
        .file(
            "content/b.md",
            "+++\nslug = \"/etc/passwd\"\ntitle = \"..\"\n+++\ntext\n",
        )
        .file("content/..c.md", "+++\nslug = \"..\"\n+++\ntext\n");
    f.build_ok();
    let files = snapshot_dir(f.root());
    for path in files.keys() {
        assert!(
            path.starts_with("output/") || path.starts_with("content/"),
            "wrote outside the output folder: {path}"
        );
    }
    assert!(!f.root().parent().unwrap().join("evil").exists());
    let json = f.site_json();
    for d in json["documents"].as_array().unwrap() {
        let slug = d["slug"].as_str().unwrap();
        assert!(
            !slug.is_empty() && slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "{slug}"
        );
    }
}

#[test]
fn a_rebuild_with_nothing_changed_writes_nothing() {
    let (f, _) = good_site();
    let mtimes = |f: &Fixture| -> Vec<(String, std::time::SystemTime)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(f.output())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().display().to_string(),
                    e.metadata().unwrap().modified().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = mtimes(&f);
    let out = f.build_ok();
    assert!(stdout(&out).contains("(0 written,"), "{}", stdout(&out));
    let after = mtimes(&f);
    assert_eq!(after, before);
}

#[test]
fn a_deleted_document_disappears_from_the_output() {
    let (f, _) = good_site();
    f.file("content/b.md", "+++\ntitle = \"Bee\"\n+++\ntext\n");
    f.build_ok();
    assert!(f.output().join("bee/index.html").is_file());
    std::fs::remove_file(f.root().join("content/b.md")).unwrap();
    f.build_ok();
    assert!(!f.output().join("bee").exists());
    assert!(f.output().join("a/index.html").is_file());
}
