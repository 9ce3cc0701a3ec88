//! Links between documents and to topics, seen from the built site: Markdown
//! links to other content files rewritten to their pages, backlinks
//! (« Cité par ») across Markdown and plain text, missing targets reported
//! (a warning, an error under `--strict`), and inline topic links that never
//! touch headings, links, code or raw HTML.

mod common;

use common::*;
use scraper::{Html, Selector};

const CATALOG: &str = r#"
[[topic]]
slug = "homophilie"
name = "homophilie"

[[topic]]
slug = "fomo"
name = "FOMO"
aliases = ["peur de manquer"]
"#;

/// Two Markdown notes and a plain-text article in another folder, linking
/// each other; `extra` is appended to note a.
fn site(extra: &str) -> Fixture {
    let f = Fixture::new();
    f.file("site.toml", "title = \"Liens\"\n")
        .file("content/topics.toml", CATALOG)
        .file(
            "content/notes/a.md",
            format!(
                "# Note A\n\n\
                 Voir [la note B](b.md), surtout [sa deuxième partie](b.md#deux),\n\
                 et [l’article](../textes/c.txt).\n\n\
                 ## Suite\n\n\
                 Retour [au début](#introduction).\n{extra}"
            ),
        )
        .file(
            "content/notes/b.md",
            "# Note B\n\n## Un\n\nRien.\n\n## Deux\n\nRetour vers [A](a.md#suite).\n",
        )
        .file(
            "content/textes/c.txt",
            "Un article en texte\n\nIl parle d’homophilie.\n",
        );
    f
}

fn doc_page(f: &Fixture, source: &str) -> String {
    page_of_source(&f.site_json(), source)
}

/// The hrefs of the prose links of a page, resolved to (file, anchor).
fn prose_links(f: &Fixture, page: &str) -> Vec<(String, String)> {
    hrefs(&f.read(page), ".prose a:not(.topic-link)")
        .iter()
        .map(|h| resolve(page, h))
        .collect()
}

#[test]
fn links_to_content_files_point_at_their_pages_and_anchors() {
    let f = site("");
    f.build_ok();
    let (a, b, c) = (
        doc_page(&f, "notes/a.md"),
        doc_page(&f, "notes/b.md"),
        doc_page(&f, "textes/c.txt"),
    );
    assert_eq!(
        prose_links(&f, &a),
        [
            (b.clone(), String::new()),
            (b.clone(), "deux".to_string()),
            (c, String::new()),
            (a.clone(), "introduction".to_string()),
        ]
    );
    assert_eq!(prose_links(&f, &b), [(a, "suite".to_string())]);
    let broken = broken_links(&f.output());
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn backlinks_list_the_citing_sections_across_markdown_and_text() {
    let f = site("");
    f.build_ok();
    let json = f.site_json();
    let section = |source: &str, id: &str| -> serde_json::Value {
        let doc = json["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["source"] == source)
            .unwrap();
        doc["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    let a_intro = section("notes/a.md", "introduction")["url"].clone();
    let b_deux = section("notes/b.md", "deux");
    assert_eq!(b_deux["backlinks"], serde_json::json!([a_intro]));
    assert_eq!(
        section("textes/c.txt", "introduction")["backlinks"],
        serde_json::json!([a_intro])
    );
    let a_suite = section("notes/a.md", "suite");
    assert_eq!(a_suite["backlinks"], serde_json::json!([b_deux["url"]]));

    // The page shows them under « Cité par », linking back.
    let c = doc_page(&f, "textes/c.txt");
    let html = f.read(&c);
    let cited = hrefs(&html, ".related--backlinks a");
    assert_eq!(cited.len(), 1);
    let (file, anchor) = resolve(&c, &cited[0]);
    assert_eq!(
        (file, anchor),
        (doc_page(&f, "notes/a.md"), "introduction".into())
    );
    assert!(main_of(&html).contains("Cité par"));
}

#[test]
fn missing_files_and_anchors_are_warnings_naming_file_and_line() {
    let f = site("\nEt [rien](absent.md), [nulle part](b.md#nulle-part).\n");
    let out = f.build_ok();
    let err = stderr(&out);
    let a = f.root().join("content/notes/a.md");
    let at = format!("{}:10:", a.display());
    assert!(
        err.contains(&format!(
            "warning: {at} link to a missing file: `absent.md`"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "warning: {at} link to a missing anchor: `#nulle-part`"
        )),
        "{err}"
    );
    // The link to an existing file with a missing anchor still reaches the page.
    let b = doc_page(&f, "notes/b.md");
    let links = prose_links(&f, &doc_page(&f, "notes/a.md"));
    assert!(links.contains(&(b, "nulle-part".to_string())), "{links:?}");
}

#[test]
fn strict_makes_missing_targets_errors_and_writes_nothing() {
    let f = site("\nEt [rien](absent.md).\n");
    let out = f.build(&["--strict"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("error: "), "{err}");
    assert!(err.contains("a.md:10: link to a missing file"), "{err}");
    assert!(err.contains("previous output was left untouched"), "{err}");
    assert!(!f.output().exists(), "nothing written");
    // Without the broken link, --strict builds.
    let fine = site("");
    let out = fine.build(&["--strict"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

const TRAPS: &str = "\n## La FOMO en titre\n\n\
    Un [lien sur la FOMO](b.md), du `code FOMO`, <span>du FOMO brut</span>.\n\n\
    ```\nFOMO dans un bloc\n```\n\n\
    <div>\nFOMO en HTML\n</div>\n\n\
    Ici la FOMO, là l’homophilie, puis encore la FOMO et la peur de manquer.\n";

/// The text of every element matching `selector` in the page's main.
fn texts(html: &str, selector: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).unwrap();
    doc.select(&sel).map(|e| e.text().collect()).collect()
}

#[test]
fn inline_topic_links_never_touch_headings_links_code_or_raw_html() {
    let f = site(TRAPS);
    f.build_ok();
    let page = doc_page(&f, "notes/a.md");
    let html = f.read(&page);
    let doc = Html::parse_document(&html);
    let links = Selector::parse("a.topic-link").unwrap();
    let mut found = Vec::new();
    for link in doc.select(&links) {
        // No ancestor is a heading, a link, code or a raw HTML element
        // (the page's own <div>s all have a class).
        for ancestor in link.ancestors().filter_map(scraper::ElementRef::wrap) {
            let name = ancestor.value().name();
            let shut = matches!(
                name,
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "a" | "code" | "pre" | "span"
            );
            let raw_div = name == "div" && ancestor.value().attr("class").is_none();
            assert!(!shut && !raw_div, "topic link inside <{name}>");
        }
        let href = link.value().attr("href").unwrap();
        found.push((link.text().collect::<String>(), resolve(&page, href).0));
    }
    assert_eq!(
        found,
        [
            ("FOMO".to_string(), "topics/fomo/index.html".to_string()),
            (
                "homophilie".to_string(),
                "topics/homophilie/index.html".to_string()
            ),
        ],
        "the first mention of each topic in the section, nothing else"
    );
    for t in &found {
        assert!(f.output().join(&t.1).is_file());
    }

    // The text reads the same with inline links off.
    let off = site(TRAPS);
    off.file("site.toml", "title = \"Liens\"\ninline_links = \"off\"\n");
    off.build_ok();
    let html_off = off.read(&page);
    assert!(!html_off.contains("topic-link"));
    assert_eq!(texts(&html, ".prose"), texts(&html_off, ".prose"));
    assert_eq!(texts(&html, "h2"), texts(&html_off, "h2"));
}

#[test]
fn site_json_says_how_inline_links_are_set() {
    let f = site("");
    f.file(
        "site.toml",
        "title = \"Liens\"\ninline_links = \"first-per-document\"\n[related]\nmax = 3\n",
    );
    f.build_ok();
    let json = f.site_json();
    assert_eq!(json["settings"]["inline_links"], "first-per-document");
    assert_eq!(json["settings"]["related"]["max"], 3);
    assert_eq!(json["settings"]["related"]["same_document"], false);
}
