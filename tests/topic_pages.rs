//! Topic pages at scale: a topic carried by more sections than a page holds
//! is split into pages that link to each other, list every section exactly
//! once, keep every link valid, and appear in `site.json`.

mod common;

use std::collections::HashSet;

use common::*;

const CATALOG: &str = "[[topic]]\nslug = \"fomo\"\nname = \"FOMO\"\naliases = [\"peur de manquer\"]\ndescription = \"La peur de manquer.\"\n";

/// Eight documents of two sections about FOMO and one of seven, in a site
/// whose topic pages hold three sections.
fn site(page_size: Option<usize>) -> Fixture {
    let f = Fixture::new();
    let config = match page_size {
        Some(n) => format!("title = \"T\"\n[topics]\npage_size = {n}\n"),
        None => "title = \"T\"\n".to_string(),
    };
    f.file("site.toml", config)
        .file("content/topics.toml", CATALOG);
    for d in 0..8 {
        f.file(
            &format!("content/d{d}.md"),
            format!(
                "+++\ntitle = \"Doc {d}\"\n+++\n## Un\n\nLa peur de manquer, {d}.\n\n## Deux\n\nEncore la peur de manquer.\n"
            ),
        );
    }
    let long: String = (0..7)
        .map(|s| format!("## Partie {s}\n\nLa peur de manquer ici.\n\n"))
        .collect();
    f.file(
        "content/long.md",
        format!("+++\ntitle = \"Long\"\n+++\n{long}"),
    );
    f
}

fn topic_json(f: &Fixture) -> serde_json::Value {
    f.site_json()["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "fomo")
        .unwrap()
        .clone()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_topic_with_more_sections_than_a_page_is_paginated() {
    let f = site(Some(3));
    f.build_ok();
    let topic = topic_json(&f);
    let sections = strings(&topic["sections"]);
    assert_eq!(sections.len(), 23, "site.json lists every section");
    let pages = strings(&topic["pages"]);
    assert_eq!(pages[0], "topics/fomo/index.html");
    assert_eq!(pages[1], "topics/fomo/page/2/index.html");
    assert!(pages.len() >= 8, "{pages:?}");

    let mut listed = Vec::new();
    for page in &pages {
        let html = f.read(page);
        let hits = hrefs(&html, "a.hit__title");
        assert!(!hits.is_empty() && hits.len() <= 3, "{page}: {hits:?}");
        listed.extend(hits.iter().map(|h| {
            let (file, fragment) = resolve(page, h);
            format!("{file}#{fragment}")
        }));
        let nav = hrefs(&html, "nav.pagination a");
        assert!(!nav.is_empty(), "{page} links to the other pages");
    }
    let unique: HashSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "no section on two pages");
    let expected: HashSet<&String> = sections.iter().collect();
    assert_eq!(unique, expected, "every section on some page");
    assert_eq!(broken_links(&f.output()), Vec::<String>::new());
}

#[test]
fn pagination_links_follow_each_other() {
    let f = site(Some(3));
    f.build_ok();
    let pages = strings(&topic_json(&f)["pages"]);
    for (i, page) in pages.iter().enumerate() {
        let html = f.read(page);
        let next = hrefs(&html, "a.pagination__next");
        match pages.get(i + 1) {
            Some(want) => assert_eq!(resolve(page, &next[0]).0, *want),
            None => assert!(next.is_empty()),
        }
        let prev = hrefs(&html, "a.pagination__prev");
        if i > 0 {
            assert_eq!(resolve(page, &prev[0]).0, pages[i - 1]);
        } else {
            assert!(prev.is_empty());
        }
    }
}

#[test]
fn a_topic_that_fits_has_one_page_and_no_navigation() {
    let f = site(None);
    f.build_ok();
    let pages = strings(&topic_json(&f)["pages"]);
    assert_eq!(pages, ["topics/fomo/index.html"]);
    let html = f.read("topics/fomo/index.html");
    assert!(!html.contains("class=\"pagination\""));
    assert_eq!(hrefs(&html, "a.hit__title").len(), 23);
}

#[test]
fn pages_no_longer_needed_are_removed() {
    let f = site(Some(3));
    f.build_ok();
    assert!(f.output().join("topics/fomo/page/2/index.html").is_file());
    f.file("site.toml", "title = \"T\"\n");
    f.build_ok();
    assert!(!f.output().join("topics/fomo/page").exists());
    assert_eq!(broken_links(&f.output()), Vec::<String>::new());
}

#[test]
fn pretty_urls_paginate_too() {
    let f = site(Some(3));
    f.file(
        "site.toml",
        "title = \"T\"\npretty_urls = true\n[topics]\npage_size = 3\n",
    );
    f.build_ok();
    let pages = strings(&topic_json(&f)["pages"]);
    assert_eq!(pages[1], "topics/fomo/page/2/");
    assert!(f.output().join("topics/fomo/page/2/index.html").is_file());
    assert_eq!(broken_links(&f.output()), Vec::<String>::new());
}

#[test]
fn a_template_error_on_a_later_page_leaves_the_previous_output_untouched() {
    let f = site(Some(3));
    f.build_ok();
    let before = snapshot_dir(&f.output());
    // Fails only when rendering page 2 of a topic, after other pages rendered.
    f.file(
        "templates/topic.html",
        "{% if pagination and pagination.current == 2 %}{{ no_such_variable.field }}{% endif %}ok\n",
    );
    f.file(
        "content/d0.md",
        "+++\ntitle = \"Doc 0 changed\"\n+++\nLa peur de manquer.\n",
    );
    let out = f.build(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("templates/topic.html"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        snapshot_dir(&f.output()),
        before,
        "the previous output changed"
    );
}

/// The built-in topic page prints `groups_html`; a site's own topic
/// template gets the same sections as data (`topic.groups`).
#[test]
fn a_site_topic_template_gets_the_sections_as_data() {
    let f = site(Some(3));
    f.build_ok();
    let built_in = hrefs(&f.read("topics/fomo/page/2/index.html"), "a.hit__title");
    assert!(!built_in.is_empty());
    f.file(
        "templates/topic.html",
        "{% for g in topic.groups %}{% for h in g.sections %}<a class=\"hit__title\" href=\"{{ root }}{{ h.url }}\">{{ h.title }}</a>{% endfor %}{% endfor %}\n",
    );
    f.build_ok();
    assert_eq!(
        hrefs(&f.read("topics/fomo/page/2/index.html"), "a.hit__title"),
        built_in
    );
}
