//! Small fixture sites: Markdown with each front matter style, BOM and CRLF,
//! plain text, topic matching seen from the pages, template overrides.

mod common;

use common::*;

const CATALOG: &str = r#"
[[topic]]
slug = "vie-privee"
name = "vie privée"
aliases = ["confidentialité"]
description = "La vie privée en ligne. Deuxième phrase."
related = ["homophilie"]

[[topic]]
slug = "homophilie"
name = "homophilie"
description = "Se lier à ceux qui nous ressemblent."

[[topic]]
slug = "influenceurs"
name = "influenceurs"
description = "Ceux qui influencent."
"#;

fn site() -> Fixture {
    let f = Fixture::new();
    f.file("site.toml", "title = \"Essai\"\nlanguage = \"fr\"\n")
        .file("content/topics.toml", CATALOG);
    f
}

fn doc_by_source<'a>(json: &'a serde_json::Value, source: &str) -> &'a serde_json::Value {
    json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == source)
        .unwrap()
}

#[test]
fn toml_and_yaml_front_matter_bom_and_crlf_give_the_same_document() {
    let f = site();
    let body =
        "## Partie une\n\nOn parle de vie privee ici.\n\n## Partie deux\n\nEt de l’homophilie.\n";
    f.file(
        "content/toml.md",
        format!("+++\ntitle = \"Titre\"\nslug = \"t1\"\n+++\n{body}"),
    )
    .file(
        "content/yaml.md",
        format!("---\ntitle: Titre\nslug: t2\n---\n{body}"),
    )
    .file(
        "content/bom.md",
        format!("\u{feff}+++\ntitle = \"Titre\"\nslug = \"t3\"\n+++\n{body}"),
    )
    .file(
        "content/crlf.md",
        format!("+++\ntitle = \"Titre\"\nslug = \"t4\"\n+++\n{body}").replace('\n', "\r\n"),
    );
    f.build_ok();
    let json = f.site_json();
    let shape = |source: &str| {
        let d = doc_by_source(&json, source);
        assert_eq!(d["title"], "Titre", "{source}");
        d["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["id"].to_string(),
                    s["source_lines"].to_string(),
                    s["topics"].to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let reference = shape("toml.md");
    assert_eq!(reference.len(), 2);
    assert_eq!(reference[0].1, "[5,7]");
    assert_eq!(reference[0].2, "[\"vie-privee\"]");
    assert_eq!(reference[1].2, "[\"homophilie\"]");
    for other in ["yaml.md", "bom.md", "crlf.md"] {
        assert_eq!(shape(other), reference, "{other}");
    }
}

#[test]
fn front_matter_topics_tag_the_document() {
    let f = site();
    f.file("content/a.md", "+++\ntitle = \"A\"\ntopics = [\"influenceurs\"]\n+++\nRien de spécial.\n\n## Suite\n\nToujours rien.\n");
    f.build_ok();
    let json = f.site_json();
    let d = doc_by_source(&json, "a.md");
    assert_eq!(d["topics"], serde_json::json!(["influenceurs"]));
    assert_eq!(
        d["sections"][0]["topics"],
        serde_json::json!(["influenceurs"])
    );
    let page = f.read("topics/influenceurs/index.html");
    assert!(page.contains("a/index.html"), "{}", main_of(&page));
}

#[test]
fn topic_matching_is_robust_and_respects_word_boundaries() {
    let f = site();
    f.file(
        "content/a.md",
        "# A\n\n## Un\n\nLes INFLUENCEURS et la Vie Privée.\n\n## Deux\n\nUne influenceuse ? Non : un influenceur.\n\n## Trois\n\nLa confidentialite des données.\n\n## Quatre\n\nRien sur la vie, ni sur le privé.\n",
    );
    f.build_ok();
    let json = f.site_json();
    let topics: Vec<String> = doc_by_source(&json, "a.md")["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["topics"].to_string())
        .collect();
    assert_eq!(topics[0], "[\"influenceurs\",\"vie-privee\"]");
    assert!(topics[1].contains("influenceurs"), "{topics:?}");
    assert_eq!(topics[2], "[\"vie-privee\"]");
    assert_eq!(topics[3], "[]");
}

#[test]
fn topic_page_shows_excerpt_with_mark_and_groups_by_document() {
    let f = site();
    f.file("content/a.md", "+++\ntitle = \"Doc A\"\n+++\n## S1\n\nAvant. Ici l’homophilie joue. Après.\n")
        .file("content/b.txt", "Doc B\n\nUne ligne d'introduction assez longue pour être un paragraphe de texte.\nSection b\nEncore l'homophilie, dans un texte brut.\n");
    f.build_ok();
    let main = main_of(&f.read("topics/homophilie/index.html"));
    assert!(main.contains("<mark>homophilie</mark>"), "{main}");
    assert!(main.contains("Doc A") && main.contains("Doc B"), "{main}");
    let index = main_of(&f.read("topics/index.html"));
    assert!(index.contains("La vie privée en ligne."), "{index}");
    assert!(
        !index.contains("Deuxième phrase"),
        "only the first sentence: {index}"
    );
}

#[test]
fn plain_text_document_is_structured() {
    let f = site();
    f.file(
        "content/article.txt",
        "Pourquoi partager sa vie en ligne ?\n\nUn premier paragraphe, assez long pour être du texte et non un titre de section.\nLes raisons\nDeuxième paragraphe qui explique les raisons de manière détaillée et complète.\n- une\n- deux\n.\nPlan du site\n",
    );
    f.build_ok();
    let json = f.site_json();
    let d = doc_by_source(&json, "article.txt");
    assert_eq!(d["title"], "Pourquoi partager sa vie en ligne ?");
    let secs = d["sections"].as_array().unwrap();
    assert_eq!(secs.len(), 2, "{secs:?}");
    assert_eq!(secs[1]["title"], "Les raisons");
    let html = f.read(&format!("{}/index.html", d["slug"].as_str().unwrap()));
    assert!(html.contains("<li>une</li>"), "{}", main_of(&html));
    assert!(!html.contains("Plan du site"));
}

#[test]
fn site_templates_override_the_defaults() {
    let f = site();
    f.file("content/a.md", "# A\n\ntext\n")
        .file("templates/index.html", "<!doctype html><html lang=\"{{ site.language }}\"><title>{{ site.title }}</title><p>custom {{ documents | length }}</p></html>\n");
    f.build_ok();
    assert!(f.read("index.html").contains("<p>custom 1</p>"));
    // Other pages still use the built-in templates.
    assert!(f.read("topics/index.html").contains("theme/style.css"));
}

/// The built-in document page shows related sections from `related_html`;
/// a site's own document template gets the same links as data.
#[test]
fn a_site_document_template_gets_related_sections_as_data() {
    let f = site();
    for (name, text) in [
        (
            "a",
            "# A\n\n## Un\n\nLa vie privée et la confidentialité.\n",
        ),
        (
            "b",
            "# B\n\n## Deux\n\nLa vie privée, encore la confidentialité.\n",
        ),
        (
            "c",
            "# C\n\n## Trois\n\nConfidentialité et vie privée en ligne.\n",
        ),
    ] {
        f.file(&format!("content/{name}.md"), text);
    }
    f.build_ok();
    let page = page_of_source(&f.site_json(), "a.md");
    let built_in: Vec<String> = hrefs(&f.read(&page), ".related li > a");
    assert!(!built_in.is_empty(), "{}", main_of(&f.read(&page)));

    f.file(
        "templates/document.html",
        "{% for s in doc.sections %}{% for r in s.related %}<a class=\"r\" href=\"{{ root }}{{ r.url }}\">{{ r.doc_title }} {{ r.score }}</a>{% endfor %}{% endfor %}\n",
    );
    f.build_ok();
    let custom = hrefs(&f.read(&page), "a.r");
    assert_eq!(custom, built_in);
}

#[test]
fn search_box_comes_with_the_index_and_a_base_without_it_still_builds() {
    let f = site();
    f.file("content/a.md", "# A\n\nLes réseaux privés.\n");
    f.build_ok();
    let home = f.read("index.html");
    assert!(
        home.contains("data-maillage-search hidden"),
        "the box waits for the script"
    );
    assert!(home.contains("src=\"theme/search.js\""));
    assert!(
        f.read("search/index.js")
            .starts_with("maillageSearch(\"index\",")
    );
    assert!(f.output().join("theme/search.js").is_file());

    // A site's own base.html without the box: the build still works.
    f.file(
        "templates/base.html",
        "<!doctype html><html lang=\"{{ site.language }}\"><head><title>{% block title %}{% endblock title %}</title>\
         {% block meta_description %}{% endblock meta_description %}{% block head %}{% endblock head %}</head>\
         <body class=\"{% block body_class %}{% endblock body_class %}\">\
         <a href=\"{{ root }}index.html\"{% block current_home %}{% endblock current_home %}>home</a>\
         <a href=\"{{ root }}{{ topics_url }}\"{% block current_topics %}{% endblock current_topics %}>topics</a>\
         {% block content %}{% endblock content %}</body></html>\n",
    );
    f.build_ok();
    assert!(!f.read("index.html").contains("maillage-search"));
    assert!(f.output().join("search/index.js").is_file());
}

#[test]
fn search_can_be_turned_off() {
    let f = site();
    f.file("content/a.md", "# A\n\ntext\n").file(
        "site.toml",
        "title = \"Essai\"\n[search]\nenabled = false\n",
    );
    f.build_ok();
    assert!(!f.read("index.html").contains("maillage-search"));
    assert!(!f.read("index.html").contains("search.js"));
    assert!(!f.output().join("search").exists());
}

#[test]
fn site_theme_files_are_copied_and_override() {
    let f = site();
    f.file("content/a.md", "# A\n")
        .file("theme/style.css", "body{}")
        .file("theme/img/logo.svg", "<svg/>");
    f.build_ok();
    assert_eq!(f.read("theme/style.css"), "body{}");
    assert_eq!(f.read("theme/img/logo.svg"), "<svg/>");
}

#[test]
fn output_elsewhere_and_pretty_urls() {
    let f = site();
    f.file(
        "content/a.md",
        "+++\ntitle = \"A\"\n+++\n## S\n\nvie privée\n",
    )
    .file("site.toml", "title = \"Essai\"\npretty_urls = true\n");
    let elsewhere = tempfile::tempdir().unwrap();
    let out_dir = elsewhere.path().join("public");
    let out = f.build(&["--output", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out_dir.join("a/index.html").is_file());
    assert!(!f.output().exists());
    let html = std::fs::read_to_string(out_dir.join("topics/vie-privee/index.html")).unwrap();
    assert!(html.contains("href=\"../../a/#s\""), "{}", main_of(&html));
    assert!(
        broken_links(&out_dir).is_empty(),
        "{:?}",
        broken_links(&out_dir)
    );
}

#[test]
fn drafts_are_skipped_unless_asked() {
    let f = site();
    f.file(
        "content/a.md",
        "+++\ntitle = \"Brouillon\"\ndraft = true\n+++\ntext\n",
    )
    .file("content/b.md", "# B\n");
    f.build_ok();
    assert_eq!(f.site_json()["documents"].as_array().unwrap().len(), 1);
    let out = f.build(&["--drafts"]);
    assert!(out.status.success());
    assert_eq!(f.site_json()["documents"].as_array().unwrap().len(), 2);
}

#[test]
fn unknown_front_matter_key_is_a_warning_not_an_error() {
    let f = site();
    f.file(
        "content/a.md",
        "+++\ntitle = \"A\"\ntags = [\"x\"]\n+++\ntext\n",
    );
    let out = f.build_ok();
    assert!(
        stderr(&out).contains("warning: ") && stderr(&out).contains("content/a.md:3"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_explains_the_commands() {
    let out = maillage(&["--help"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("build"));
    let out = maillage(&["build", "--help"]);
    for flag in ["--root", "--output", "--force", "--drafts"] {
        assert!(stdout(&out).contains(flag), "{flag}");
    }
}
