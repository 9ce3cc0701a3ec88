//! Rebuilds with nothing changed stop early (see `write::state`), but only
//! when that is safe: an output file edited or removed by hand, or any input
//! change, brings back the full build.

mod common;

use common::*;

fn site() -> Fixture {
    let f = Fixture::new();
    f.file("site.toml", "title = \"T\"\n")
        .file(
            "content/topics.toml",
            "[[topic]]\nslug = \"fomo\"\nname = \"FOMO\"\naliases = [\"peur de manquer\"]\n",
        )
        // `colour` is an unknown front matter key: a warning on every build.
        .file(
            "content/a.md",
            "+++\ntitle = \"A\"\ncolour = \"red\"\n+++\n## Partie\n\nLa peur de manquer.\n",
        );
    f
}

#[test]
fn a_rebuild_with_nothing_changed_repeats_the_summary_and_warnings() {
    let f = site();
    let first = f.build_ok();
    let second = f.build_ok();
    assert!(
        stdout(&second).contains("(0 written,"),
        "{}",
        stdout(&second)
    );
    let counts = |o: &std::process::Output| {
        let s = stdout(o);
        s.split(" in ").next().unwrap().to_string()
    };
    assert_eq!(counts(&first), counts(&second));
    assert!(
        stderr(&second).contains("unknown key `colour`"),
        "{}",
        stderr(&second)
    );
}

#[test]
fn an_output_file_edited_by_hand_is_restored() {
    let f = site();
    f.build_ok();
    let page = f.output().join("a/index.html");
    let good = std::fs::read(&page).unwrap();
    std::fs::write(&page, "edited").unwrap();
    let out = f.build_ok();
    assert!(stdout(&out).contains("(1 written,"), "{}", stdout(&out));
    assert_eq!(std::fs::read(&page).unwrap(), good);
    std::fs::remove_file(&page).unwrap();
    f.build_ok();
    assert_eq!(std::fs::read(&page).unwrap(), good);
}

#[test]
fn an_input_change_rebuilds() {
    let f = site();
    f.build_ok();
    f.file(
        "content/a.md",
        "+++\ntitle = \"A\"\n+++\n## Partie\n\nAutre chose.\n",
    );
    let out = f.build_ok();
    assert!(!stdout(&out).contains("(0 written,"), "{}", stdout(&out));
    assert!(f.read("a/index.html").contains("Autre chose"));
    assert!(!stderr(&out).contains("colour"));
}

/// Each kind of input the output depends on, changed alone, brings back a
/// real build whose pages show the change.
#[test]
fn configuration_catalog_templates_and_theme_changes_rebuild() {
    let f = site();
    f.build_ok();
    f.file("site.toml", "title = \"Autre titre\"\n");
    let out = f.build_ok();
    assert!(!stdout(&out).contains("(0 written,"), "{}", stdout(&out));
    assert!(f.read("index.html").contains("Autre titre"));

    f.file(
        "content/topics.toml",
        "[[topic]]\nslug = \"peur\"\nname = \"Peur\"\naliases = [\"peur de manquer\"]\n",
    );
    f.build_ok();
    assert!(f.read("a/index.html").contains("topics/peur/"));

    f.file("templates/404.html", "<p>Perdu</p>\n");
    f.build_ok();
    assert_eq!(f.read("404.html"), "<p>Perdu</p>\n");

    f.file("theme/extra.css", "p { color: red }\n");
    f.build_ok();
    assert_eq!(f.read("theme/extra.css"), "p { color: red }\n");
    let again = f.build_ok();
    assert!(stdout(&again).contains("(0 written,"), "{}", stdout(&again));
}

#[test]
fn a_strict_rebuild_still_fails_on_the_recorded_warnings() {
    let f = site();
    f.build_ok();
    let out = f.build(&["--strict"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("colour"), "{}", stderr(&out));
}
