//! Topic relations and the topic map, seen from the built site: strengths on
//! topic pages and in site.json, and the SVG map of the topic index.

mod common;

use common::*;

const CATALOG: &str = r#"
[[topic]]
slug = "abeilles"
name = "abeilles"
related = ["marches"]

[[topic]]
slug = "miel"
name = "miel"

[[topic]]
slug = "ruches"
name = "ruches"

[[topic]]
slug = "marches"
name = "marchés"
"#;

/// Abeilles in three sections, miel in two of them, ruches in one other;
/// marchés nowhere but related to abeilles in the catalog.
fn bees() -> Fixture {
    let f = Fixture::new();
    f.file("site.toml", "title = \"Ruchers\"\n")
        .file("content/topics.toml", CATALOG)
        .file(
            "content/a.md",
            "## Un\n\nLes abeilles font du miel.\n\n## Deux\n\nDu miel et des abeilles.\n",
        )
        .file(
            "content/b.md",
            "## Trois\n\nDes abeilles seules.\n\n## Quatre\n\nDes ruches vides.\n",
        );
    f
}

fn topic<'a>(json: &'a serde_json::Value, slug: &str) -> &'a serde_json::Value {
    json["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == slug)
        .unwrap()
}

#[test]
fn relations_carry_their_jaccard_strength_and_shared_sections() {
    let f = bees();
    f.build_ok();
    let json = f.site_json();
    let rel = topic(&json, "abeilles")["relations"]
        .as_array()
        .unwrap()
        .clone();
    // The catalog's relation first, even with nothing shared.
    assert_eq!(rel[0]["slug"], "marches");
    assert_eq!(rel[0]["explicit"], true);
    assert_eq!(rel[0]["shared_sections"], 0);
    // Miel: 2 shared sections out of 3 carrying either.
    assert_eq!(rel[1]["slug"], "miel");
    assert_eq!(rel[1]["shared_sections"], 2);
    assert_eq!(rel[1]["strength"], 0.667);
    assert_eq!(rel[1]["explicit"], false);
    // Ruches never meets abeilles.
    assert!(rel.iter().all(|r| r["slug"] != "ruches"));

    let page = main_of(&f.read("topics/abeilles/index.html"));
    assert!(page.contains("2 sections en commun · force 67 %"), "{page}");
    assert!(page.contains("aucune section en commun"), "{page}");
}

/// The `<svg>…</svg>` of the topic index.
fn map_of(html: &str) -> &str {
    let start = html.find("<svg").expect("an <svg> on the topic index");
    let end = html[start..].find("</svg>").expect("a closed <svg>") + start + "</svg>".len();
    &html[start..end]
}

#[test]
fn the_map_is_well_formed_svg_with_one_link_per_topic() {
    let f = bees();
    f.build_ok();
    let html = f.read("topics/index.html");
    let svg = map_of(&html);
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let links: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("a"))
        .filter_map(|n| n.attribute("href"))
        .collect();
    let mut targets: Vec<String> = links
        .iter()
        .map(|h| resolve("topics/index.html", h).0)
        .collect();
    targets.sort();
    assert_eq!(
        targets,
        [
            "topics/abeilles/index.html",
            "topics/marches/index.html",
            "topics/miel/index.html",
            "topics/ruches/index.html",
        ]
    );
    for t in &targets {
        assert!(f.output().join(t).is_file(), "{t}");
    }
    assert!(!svg.contains("<script"), "no script");
}

#[test]
fn the_seed_map_is_byte_identical_across_builds_and_links_every_topic() {
    let root = repo_root();
    let dir = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    for name in ["one", "two"] {
        let out = dir.path().join(name);
        let o = maillage(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        pages.push(std::fs::read(out.join("topics/index.html")).unwrap());
    }
    assert!(
        pages[0] == pages[1],
        "the topic index differs between builds"
    );
    let html = String::from_utf8(pages.remove(0)).unwrap();
    let doc = roxmltree::Document::parse(map_of(&html)).expect("well-formed XML");
    let links = doc.descendants().filter(|n| n.has_tag_name("a")).count();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("one/site.json")).unwrap())
            .unwrap();
    assert_eq!(links, json["topics"].as_array().unwrap().len());
}
