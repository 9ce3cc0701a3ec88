//! The home page at scale: a site with more documents than a page lists
//! splits its list over `index.html`, `page/2/index.html`…, each document
//! on exactly one page, pages linking to each other, every link valid.

mod common;

use std::collections::HashSet;

use common::*;

/// `n` one-section documents; one of them titled « Page », whose slug must
/// not take the folder of the home page's pages.
fn site(n: usize) -> Fixture {
    let f = Fixture::new();
    f.file("site.toml", "title = \"T\"\n");
    for d in 0..n {
        let title = if d == 0 {
            "Page".to_string()
        } else {
            format!("Doc {d:03}")
        };
        f.file(
            &format!("content/d{d:03}.md"),
            format!("+++\ntitle = \"{title}\"\n+++\nTexte {d}.\n"),
        );
    }
    f
}

fn listed(html: &str, page: &str) -> Vec<String> {
    hrefs(html, ".card__title a")
        .iter()
        .map(|h| resolve(page, h).0)
        .collect()
}

#[test]
fn a_home_page_with_many_documents_is_paginated() {
    let f = site(230);
    f.build_ok();
    let pages = ["index.html", "page/2/index.html", "page/3/index.html"];
    let mut all = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let html = f.read(page);
        let docs = listed(&html, page);
        assert_eq!(docs.len(), if i < 2 { 100 } else { 30 }, "{page}");
        all.extend(docs);
        assert!(
            html.contains("230 documents"),
            "{page} counts the whole site"
        );
        let next = hrefs(&html, "a.pagination__next");
        match pages.get(i + 1) {
            Some(want) => assert_eq!(resolve(page, &next[0]).0, *want),
            None => assert!(next.is_empty(), "{page}"),
        }
        let prev = hrefs(&html, "a.pagination__prev");
        match i.checked_sub(1) {
            Some(p) => assert_eq!(resolve(page, &prev[0]).0, pages[p]),
            None => assert!(prev.is_empty()),
        }
    }
    assert!(!f.output().join("page/4").exists());
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), 230, "every document once");
    let json = f.site_json();
    let page_doc = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["title"] == "Page")
        .unwrap();
    assert_ne!(
        page_doc["slug"], "page",
        "the folder of the home page's pages"
    );
    assert_eq!(broken_links(&f.output()), Vec::<String>::new());
}

#[test]
fn a_small_site_has_one_home_page_and_no_navigation() {
    let f = site(230);
    f.build_ok();
    for d in 100..230 {
        std::fs::remove_file(f.root().join(format!("content/d{d:03}.md"))).unwrap();
    }
    f.build_ok();
    let html = f.read("index.html");
    assert_eq!(listed(&html, "index.html").len(), 100);
    assert!(!html.contains("class=\"pagination\""));
    assert!(
        !f.output().join("page").exists(),
        "pages no longer needed are removed"
    );
    assert_eq!(broken_links(&f.output()), Vec::<String>::new());
}
