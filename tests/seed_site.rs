//! The repository's own site — the five seed articles and their topic
//! catalog — builds, and its pages link as a reader expects.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::*;

/// Builds the repository's site once into a temporary output for all tests.
fn built() -> &'static Path {
    static OUT: OnceLock<tempfile::TempDir> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let root = repo_root();
        let o = maillage(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "seed build failed:\n{}", stderr(&o));
        assert!(
            stdout(&o).starts_with("built 5 documents,"),
            "{}",
            stdout(&o)
        );
        dir
    })
    .path()
}

fn out() -> std::path::PathBuf {
    built().join("site")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn site_json() -> serde_json::Value {
    serde_json::from_str(&read("site.json")).unwrap()
}

/// The output path of the page of the document built from `source`.
fn doc_page(source: &str) -> String {
    page_of_source(&site_json(), source)
}

/// Asserts that the topic page of `topic` links to the section of `source`
/// whose text contains `phrase`.
fn assert_topic_links_section(topic: &str, source: &str, phrase: &str) {
    let page = doc_page(source);
    let id = section_containing(&read(&page), phrase)
        .unwrap_or_else(|| panic!("no section of {source} contains « {phrase} »"));
    let topic_page = format!("topics/{topic}/index.html");
    let links: Vec<(String, String)> = hrefs(&read(&topic_page), "main a[href]")
        .iter()
        .map(|h| resolve(&topic_page, h))
        .collect();
    assert!(
        links.contains(&(page.clone(), id.clone())),
        "{topic_page} does not link to {page}#{id}; links: {links:?}"
    );
}

#[test]
fn fomo_page_links_to_the_peur_de_manquer_section() {
    assert_topic_links_section(
        "fomo",
        "000_7f63989c8955f20d.txt",
        "La peur de manquer (FOMO)",
    );
}

#[test]
fn homophilie_page_links_to_the_homophilie_section() {
    assert_topic_links_section(
        "homophilie",
        "000_7f63989c8955f20d.txt",
        "Cette « homophilie »",
    );
}

#[test]
fn commerce_social_page_links_to_the_social_commerce_section() {
    assert_topic_links_section(
        "commerce-social",
        "002_f5410258d25878cd.txt",
        "le concept de commerce social",
    );
}

#[test]
fn every_internal_link_and_anchor_resolves() {
    let broken = broken_links(&out());
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn all_pages_exist() {
    let json = site_json();
    assert!(out().join("index.html").is_file());
    assert!(out().join("topics/index.html").is_file());
    assert!(out().join("theme/style.css").is_file());
    assert_eq!(json["documents"].as_array().unwrap().len(), 5);
    for t in json["topics"].as_array().unwrap() {
        let url = t["url"].as_str().unwrap();
        assert!(out().join(url).is_file(), "{url}");
    }
}

#[test]
fn required_topics_are_in_the_catalog() {
    let json = site_json();
    let slugs: Vec<&str> = json["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    for s in [
        "fomo",
        "homophilie",
        "commerce-social",
        "validation-sociale",
        "comparaison-sociale",
        "dependance",
        "influenceurs",
        "vie-privee",
        "desinformation",
        "sante-mentale",
        "communautes",
        "groupes-prives",
        "publicite-ciblee",
        "marque-personnelle",
        "service-client",
        "reseaux-professionnels",
    ] {
        assert!(slugs.contains(&s), "missing topic {s}");
    }
}

#[test]
fn site_json_has_the_documented_shape() {
    let json = site_json();
    let doc = &json["documents"][0];
    for key in ["slug", "title", "source", "url", "sections"] {
        assert!(!doc[key].is_null(), "document.{key}");
    }
    let sec = &doc["sections"][0];
    for key in [
        "id",
        "title",
        "level",
        "url",
        "source_lines",
        "topics",
        "related",
    ] {
        assert!(!sec[key].is_null(), "section.{key}");
    }
    let lines = sec["source_lines"].as_array().unwrap();
    assert!(lines[0].as_u64().unwrap() >= 1 && lines[0].as_u64() <= lines[1].as_u64());
    let topic = &json["topics"][0];
    for key in ["slug", "name", "url", "aliases", "sections"] {
        assert!(!topic[key].is_null(), "topic.{key}");
    }
    // Every section URL a topic lists is a section of some document.
    let section_urls: std::collections::HashSet<&str> = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            d["sections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["url"].as_str().unwrap())
        })
        .collect();
    for t in json["topics"].as_array().unwrap() {
        for u in t["sections"].as_array().unwrap() {
            assert!(section_urls.contains(u.as_str().unwrap()), "{u}");
        }
    }
}

#[test]
fn related_sections_come_from_other_documents_with_reasons() {
    let json = site_json();
    let mut seen = 0;
    for doc in json["documents"].as_array().unwrap() {
        let own = doc["url"].as_str().unwrap();
        for sec in doc["sections"].as_array().unwrap() {
            let related = sec["related"].as_array().unwrap();
            assert!(related.len() <= 5);
            for r in related {
                seen += 1;
                assert!(
                    !r["url"].as_str().unwrap().starts_with(own),
                    "same-document link"
                );
                let score = r["score"].as_f64().unwrap();
                assert!((0.05..=1.0).contains(&score), "score {score}");
                assert!(
                    !r["topics"].as_array().unwrap().is_empty()
                        || !r["terms"].as_array().unwrap().is_empty(),
                    "a related link without reason"
                );
            }
        }
    }
    assert!(
        seen > 20,
        "the seed site should have plenty of related links, found {seen}"
    );
}

/// Sections that share no topic but plainly speak of the same thing are
/// linked by their words, and the page says which words.
#[test]
fn sections_without_a_shared_topic_are_linked_by_their_words() {
    let page = doc_page("000_7f63989c8955f20d.txt");
    let html = read(&page);
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("section[id]").unwrap();
    let why = scraper::Selector::parse(".related small").unwrap();
    let section = doc
        .select(&sel)
        .find(|s| {
            s.value().attr("id")
                == Some("nous-avons-tous-une-chance-de-reussir-sur-les-reseaux-sociaux")
        })
        .expect("the « réussir » section");
    let reasons: Vec<String> = section
        .select(&why)
        .map(|w| w.text().collect::<String>())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("mots en commun") && r.contains("« réussir »")),
        "{reasons:?}"
    );
}

#[test]
fn html_lang_comes_from_site_toml() {
    assert!(read("index.html").contains("<html lang=\"fr\""));
}

#[test]
fn document_page_has_toc_and_section_anchors() {
    let page = doc_page("002_f5410258d25878cd.txt");
    let html = read(&page);
    let ids = ids(&html);
    let json = site_json();
    let doc = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == "002_f5410258d25878cd.txt")
        .unwrap();
    for s in doc["sections"].as_array().unwrap() {
        assert!(
            ids.contains(s["id"].as_str().unwrap()),
            "missing anchor {}",
            s["id"]
        );
    }
    let toc = hrefs(&html, "nav.toc a[href]");
    assert!(
        toc.len() > 40,
        "table of contents has {} entries",
        toc.len()
    );
}

/// The whole model of the seed site: sections, line ranges, topics and
/// related links. A change here is a change a reader sees; review it with
/// `cargo insta review` (or `INSTA_UPDATE=always cargo test`).
///
/// `site.json` is written compact, on one line; the snapshot holds it
/// indented the way `serde_json`'s pretty printer does, to review.
#[test]
fn seed_site_json_snapshot() {
    let raw = read("site.json");
    assert_eq!(raw.lines().count(), 1, "site.json is compact, one line");
    insta::assert_snapshot!("seed_site_json", indent_json(&raw));
}

/// Compact JSON indented by two spaces a level, `"key": value`, empty
/// arrays and objects kept as `[]` and `{}`: serde_json's pretty format.
fn indent_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.push(chars.next().unwrap());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth -= 1;
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}
