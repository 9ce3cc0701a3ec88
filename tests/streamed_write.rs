//! Pages are rendered and written one at a time, through a staging folder:
//! a template error met while rendering some page, after others already
//! rendered (and changed), still leaves the previous output exactly as it
//! was. And `--timings` reports every stage.

mod common;

use common::*;

fn site() -> Fixture {
    let f = Fixture::new();
    f.file("site.toml", "title = \"T\"\n")
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\n+++\n## Un\n\nTexte A.\n",
        )
        .file(
            "content/b.md",
            "+++\ntitle = \"B\"\n+++\n## Un\n\nTexte B.\n",
        );
    f
}

#[test]
fn a_template_error_on_one_page_leaves_the_previous_output_untouched() {
    let f = site();
    f.build_ok();
    let before = snapshot_dir(&f.output());
    // Every page changes (new text), and only the page of B fails to render.
    f.file(
        "content/a.md",
        "+++\ntitle = \"A\"\n+++\n## Un\n\nAutre A.\n",
    )
    .file(
        "content/b.md",
        "+++\ntitle = \"B\"\n+++\n## Un\n\nAutre B.\n",
    )
    .file(
        "templates/document.html",
        "<h1>{{ doc.title }}</h1>{% if doc.title == \"B\" %}{{ doc.no_such_field.x }}{% endif %}\n",
    );
    let out = f.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("templates/document.html"), "{err}");
    assert!(err.contains("previous output was left untouched"), "{err}");
    assert_eq!(snapshot_dir(&f.output()), before, "the output changed");
    assert!(!f.output().join(".maillage-staging").exists());

    // Fixed: the build goes through and writes the new pages.
    f.file(
        "templates/document.html",
        "<h1>{{ doc.title }}</h1>{% for s in doc.sections %}{{ s.html | safe }}{% endfor %}\n",
    );
    f.build_ok();
    assert!(f.read("a/index.html").contains("Autre A."));
    assert!(f.read("b/index.html").contains("Autre B."));
}

#[test]
fn timings_name_every_stage() {
    let f = site();
    let out = f.build(&["--timings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for stage in [
        "load",
        "structure",
        "topics",
        "link",
        "search",
        "render+write",
        "commit",
    ] {
        assert!(
            err.contains(&format!("{stage} ")),
            "{stage} missing:\n{err}"
        );
    }
    assert!(err.contains("memory (MiB"), "{err}");
}
