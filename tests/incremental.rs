//! The incremental pipeline of `watch` must end up writing exactly what a
//! full build writes. A story: the seed site plus a few Markdown documents,
//! changed step by step the way an author would (edit, new topic mention,
//! new heading, new document, rename, delete, title and slug clashes, draft,
//! links, templates, theme, catalog, configuration, errors). After each
//! step the fast path must already show the change on the edited page, and
//! once the reconciliation has ended the output folder is compared, file by
//! file, with `build_pages` on the same input.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::sync::Arc;

use common::{Fixture, repo_root, snapshot_dir};
use maillage::build::{BuildOptions, build_pages};
use maillage::incremental::{Changes, Pipeline, Update};
use maillage::load::load_site;
use maillage::write::MANIFEST;

fn site() -> Fixture {
    let f = Fixture::new();
    for entry in fs::read_dir(repo_root().join("content")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        f.file(&format!("content/{name}"), fs::read(&path).unwrap());
    }
    f.file(
        "site.toml",
        fs::read(repo_root().join("site.toml")).unwrap(),
    );
    for (i, (title, body)) in [
        (
            "Peur de manquer",
            "La FOMO et la validation sociale vont ensemble.",
        ),
        (
            "Se comparer",
            "On aime se comparer : comparaison sociale et estime de soi.",
        ),
        ("Bulles", "Homophilie, chambre d'écho et désinformation."),
        (
            "Marques",
            "Marque personnelle, influenceurs et publicité ciblée.",
        ),
    ]
    .iter()
    .enumerate()
    {
        f.file(
            &format!("content/notes/n{i}.md"),
            format!("+++\ntitle = \"{title}\"\n+++\n## Ce qu'on en dit\n\n{body}\n\n## Suite\n\nRien de plus.\n"),
        );
    }
    f
}

fn start(f: &Fixture) -> (Pipeline, Update) {
    Pipeline::start(&BuildOptions::new(f.root()), Arc::new(|| {})).unwrap_or_else(|e| panic!("{e}"))
}

/// The pages a full build makes of the site as it is now.
fn full_build(f: &Fixture) -> BTreeMap<String, Vec<u8>> {
    let input = load_site(f.root(), Some(&f.output())).unwrap();
    let built = build_pages(&input, false).unwrap_or_else(|e| panic!("{e}"));
    built.pages.into_iter().map(|p| (p.path, p.bytes)).collect()
}

/// Checks that the output folder holds exactly the full build's pages.
fn assert_same_as_full_build(f: &Fixture, step: &str) {
    let want = full_build(f);
    let mut have: BTreeMap<String, Vec<u8>> = snapshot_dir(&f.output()).into_iter().collect();
    let manifest = have.remove(MANIFEST).unwrap_or_default();
    let listed: BTreeSet<&str> = std::str::from_utf8(&manifest)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    let keys: BTreeSet<&str> = want.keys().map(String::as_str).collect();
    assert_eq!(listed, keys, "{step}: manifest");
    let missing: Vec<&String> = want.keys().filter(|k| !have.contains_key(*k)).collect();
    let extra: Vec<&String> = have.keys().filter(|k| !want.contains_key(*k)).collect();
    let differ: Vec<&String> = want
        .iter()
        .filter(|(k, v)| have.get(*k).is_some_and(|h| h != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "{step}: missing {missing:?}, extra {extra:?}, different {differ:?}"
    );
}

/// Checks, right after a fast path, the pages that do not depend on related
/// sections: the home page and every topic page must already be right (the
/// reconciliation, running meanwhile, can only make them right too).
fn assert_fast_pages(f: &Fixture, step: &str) {
    // Read first: the reconciliation runs meanwhile.
    let have = snapshot_dir(&f.output());
    let want = full_build(f);
    let wrong: Vec<&String> = want
        .iter()
        .filter(|(k, _)| {
            *k == "index.html" || (k.starts_with("topics/") && *k != "topics/index.html")
        })
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    assert!(wrong.is_empty(), "{step}: after the fast path, {wrong:?}");
}

/// Checks the model the fast path left (the reconciliation's is only taken
/// by `settle`): everything but related sections and the topic map is what
/// the stages compute from scratch on the same documents.
fn assert_fast_model(p: &Pipeline, f: &Fixture, step: &str) {
    let input = load_site(f.root(), Some(&f.output())).unwrap();
    let fresh = build_pages(&input, false).unwrap().site;
    let site = p.site();
    let slugs = |s: &maillage::link::Site| -> Vec<(String, String)> {
        s.documents
            .iter()
            .map(|d| (d.source.clone(), d.slug.clone()))
            .collect()
    };
    assert_eq!(slugs(site), slugs(&fresh), "{step}: documents and slugs");
    assert_eq!(site.topics, fresh.topics, "{step}: topics");
    assert_eq!(site.inline, fresh.inline, "{step}: inline links");
    assert_eq!(site.links.links, fresh.links.links, "{step}: links");
    assert_eq!(
        site.links.backlinks, fresh.links.backlinks,
        "{step}: backlinks"
    );
    assert_eq!(
        site.topic_relations, fresh.topic_relations,
        "{step}: relations"
    );
}

fn docs(paths: &[&str]) -> Changes {
    Changes {
        documents: paths.iter().map(|p| p.to_string()).collect(),
        ..Changes::default()
    }
}

/// Applies `changes`, lets the reconciliation end, checks the output against
/// a full build; returns what the fast path and the reconciliation did.
fn update(p: &mut Pipeline, f: &Fixture, changes: Changes, step: &str) -> (Update, Update) {
    let fast = p.update(&changes).unwrap_or_else(|e| panic!("{step}: {e}"));
    // A change of configuration, catalog or templates is left to the
    // reconciliation.
    if !(changes.config || changes.catalog || changes.templates) {
        assert_fast_pages(f, step);
    }
    assert_fast_model(p, f, step);
    let settled = match p.settle() {
        Some(r) => r.unwrap_or_else(|e| panic!("{step}: reconciliation: {e}")),
        None => Update::default(),
    };
    assert_same_as_full_build(f, step);
    (fast, settled)
}

fn wrote(u: &Update, path: &str) -> bool {
    u.written.iter().any(|w| w == path)
}

#[test]
fn every_kind_of_change_gives_the_output_of_a_full_build() {
    let f = site();
    let (mut p, first) = start(&f);
    assert_eq!(first.written.len(), first.pages);
    assert_same_as_full_build(&f, "first build");
    let n0 = "content/notes/n0.md";
    let n0_path = f.root().join(n0);

    let (fast, settled) = update(&mut p, &f, docs(&["notes/n0.md"]), "nothing changed");
    assert!(fast.written.is_empty(), "{fast:?}");
    assert!(
        !p.reconciling() && settled.written.is_empty(),
        "{settled:?}"
    );

    fs::write(
        &n0_path,
        fs::read_to_string(&n0_path).unwrap() + "\nUn paragraphe de plus.\n",
    )
    .unwrap();
    let fast = p.update(&docs(&["notes/n0.md"])).unwrap();
    assert_eq!(
        fast.written.first().map(String::as_str),
        Some("peur-de-manquer/index.html"),
        "the edited page comes first: {fast:?}"
    );
    assert!(fast.first_pages.is_some_and(|t| t <= fast.elapsed));
    let page = fs::read_to_string(f.output().join("peur-de-manquer/index.html")).unwrap();
    assert!(
        page.contains("Un paragraphe de plus."),
        "written by the fast path"
    );
    p.settle();
    assert_same_as_full_build(&f, "paragraph added");

    let text = fs::read_to_string(&n0_path).unwrap();
    fs::write(&n0_path, text.replace("La FOMO et", "Vraiment, la FOMO et")).unwrap();
    let (fast, _) = update(&mut p, &f, docs(&["notes/n0.md"]), "text around a mention");
    assert!(wrote(&fast, "topics/fomo/index.html"), "{fast:?}");

    f.file(n0, "+++\ntitle = \"Peur de manquer\"\n+++\n## Ce qu'on en dit\n\nLa FOMO, la santé mentale et l'anxiété.\n\n## Suite\n\nRien de plus.\n");
    update(&mut p, &f, docs(&["notes/n0.md"]), "new topic mention");

    f.file(n0, "+++\ntitle = \"Peur de manquer\"\n+++\n## Ce qu'on en dit\n\nLa FOMO.\n\n## Nouvelle partie\n\nHomophilie.\n\n## Suite\n\nRien.\n");
    update(&mut p, &f, docs(&["notes/n0.md"]), "new heading");

    let text = fs::read_to_string(&n0_path).unwrap();
    fs::write(
        &n0_path,
        text.replace("+++\n##", "description = \"Résumé.\"\n+++\n##"),
    )
    .unwrap();
    let (fast, _) = update(&mut p, &f, docs(&["notes/n0.md"]), "description added");
    assert!(
        wrote(&fast, "index.html"),
        "the home page shows it: {fast:?}"
    );

    let text = fs::read_to_string(&n0_path).unwrap();
    fs::write(
        &n0_path,
        text.replace("## Ce qu'on en dit", "## Ce que l'on en dit"),
    )
    .unwrap();
    update(&mut p, &f, docs(&["notes/n0.md"]), "heading renamed");

    f.file(
        "content/notes/a-first.md",
        "# Premier\n\nLa FOMO encore, et les influenceurs.\n",
    );
    f.file("content/zz.md", "# Dernier\n\nLa vie privée.\n");
    let (fast, _) = update(
        &mut p,
        &f,
        docs(&["notes/a-first.md", "zz.md"]),
        "documents created",
    );
    assert!(wrote(&fast, "premier/index.html") && wrote(&fast, "dernier/index.html"));

    fs::rename(
        f.root().join("content/zz.md"),
        f.root().join("content/notes/zz.md"),
    )
    .unwrap();
    update(
        &mut p,
        &f,
        docs(&["zz.md", "notes/zz.md"]),
        "document renamed",
    );

    fs::remove_file(f.root().join("content/notes/n1.md")).unwrap();
    let (fast, _) = update(&mut p, &f, docs(&["notes/n1.md"]), "document deleted");
    assert_eq!(fast.removed, ["se-comparer/index.html"], "{fast:?}");

    f.file(
        "content/notes/n2.md",
        "+++\ntitle = \"Marques\"\n+++\n## Bulle\n\nHomophilie.\n",
    );
    update(
        &mut p,
        &f,
        docs(&["notes/n2.md"]),
        "title clash: slug suffixes move",
    );

    f.file(
        "content/notes/n3.md",
        "+++\ntitle = \"Marques\"\ndraft = true\n+++\nBrouillon.\n",
    );
    update(
        &mut p,
        &f,
        docs(&["notes/n3.md"]),
        "document becomes a draft",
    );

    fs::rename(
        f.root().join("content/notes"),
        f.root().join("content/carnet"),
    )
    .unwrap();
    let all = Changes {
        all_documents: true,
        ..Changes::default()
    };
    update(&mut p, &f, all, "folder renamed");

    let doc_template = fs::read_to_string(repo_root().join("templates/document.html")).unwrap();
    f.file(
        "templates/document.html",
        doc_template.replace("<article", "<article data-x=\"1\""),
    );
    let t = Changes {
        templates: true,
        ..Changes::default()
    };
    let (_, settled) = update(&mut p, &f, t, "document template changed");
    assert!(
        settled.written.iter().all(|w| !w.starts_with("topics/")),
        "only pages of that template change: {settled:?}"
    );

    f.file("theme/style.css", "body { color: red; }\n");
    let th = Changes {
        theme: true,
        ..Changes::default()
    };
    let (fast, settled) = update(&mut p, &f, th, "theme changed");
    assert_eq!(fast.written, ["theme/style.css"], "copied at once");
    assert!(settled.written.is_empty(), "{settled:?}");

    let catalog = fs::read_to_string(f.root().join("content/topics.toml")).unwrap();
    f.file(
        "content/topics.toml",
        catalog.replace("name = \"FOMO\"", "name = \"FoMO\""),
    );
    let c = Changes {
        catalog: true,
        ..Changes::default()
    };
    update(&mut p, &f, c, "catalog changed");

    f.file("site.toml", "title = \"Autre titre\"\nlanguage = \"fr\"\n");
    let c = Changes {
        config: true,
        ..Changes::default()
    };
    update(&mut p, &f, c, "configuration changed");
}

fn warned(u: &Update, needle: &str) -> bool {
    u.warnings.iter().any(|w| w.to_string().contains(needle))
}

fn cited(f: &Fixture) -> bool {
    let page = fs::read_to_string(f.output().join("peur-de-manquer/index.html")).unwrap();
    page.contains("Cité par")
}

#[test]
fn links_between_documents_follow_every_change() {
    // Explicit links, backlinks (« Cité par ») and inline topic links:
    // an edit to one document changes what others show.
    let f = site();
    let (mut p, _) = start(&f);
    let n0 = "content/notes/n0.md";
    let n2 = "content/notes/n2.md";
    let n0_text = fs::read_to_string(f.root().join(n0)).unwrap();
    let n2_text = fs::read_to_string(f.root().join(n2)).unwrap();

    f.file(
        n2,
        n2_text.replace("Homophilie,", "[Homophilie](n0.md#ce-qu-on-en-dit),"),
    );
    let fast = p.update(&docs(&["notes/n2.md"])).unwrap();
    assert!(
        wrote(&fast, "peur-de-manquer/index.html") && cited(&f),
        "the cited page is written by the fast path: {fast:?}"
    );
    p.settle();
    assert_same_as_full_build(&f, "link added");

    f.file(
        n0,
        n0_text.replace("## Ce qu'on en dit", "## Ce que l'on en dit"),
    );
    let (fast, _) = update(&mut p, &f, docs(&["notes/n0.md"]), "cited heading renamed");
    assert!(warned(&fast, "link to a missing anchor"), "{fast:?}");
    assert!(!cited(&f), "a missing anchor cites nothing");

    f.file(n0, &n0_text);
    let (fast, _) = update(&mut p, &f, docs(&["notes/n0.md"]), "heading back");
    assert!(!warned(&fast, "missing"), "{fast:?}");
    assert!(cited(&f));

    f.file(
        n0,
        n0_text.replace(
            "title = \"Peur de manquer\"",
            "title = \"Peur de rater\"\nslug = \"peur-de-manquer\"",
        ),
    );
    update(
        &mut p,
        &f,
        docs(&["notes/n0.md"]),
        "cited document retitled",
    );

    f.file(n0, &n0_text);
    update(&mut p, &f, docs(&["notes/n0.md"]), "title back");

    fs::remove_file(f.root().join(n0)).unwrap();
    let (fast, _) = update(&mut p, &f, docs(&["notes/n0.md"]), "cited document deleted");
    assert!(warned(&fast, "link to a missing file"), "{fast:?}");

    f.file(n0, &n0_text);
    let (fast, _) = update(&mut p, &f, docs(&["notes/n0.md"]), "cited document back");
    assert!(!warned(&fast, "missing"), "{fast:?}");

    f.file(
        n0,
        n0_text.replace(
            "## Suite\n\nRien de plus.",
            "## Suite\n\nVoir [les marques](n3.md) et [ici](#suite).",
        ),
    );
    update(
        &mut p,
        &f,
        docs(&["notes/n0.md"]),
        "links from the cited document",
    );

    f.file(n2, &n2_text);
    update(&mut p, &f, docs(&["notes/n2.md"]), "link removed");
    assert!(!cited(&f));

    // Inline topic links: the first mention of each topic in a section.
    f.file(
        n2,
        n2_text.replace("Homophilie,", "`Homophilie` en code, puis homophilie,"),
    );
    update(
        &mut p,
        &f,
        docs(&["notes/n2.md"]),
        "mention moved out of code",
    );
    f.file(
        n2,
        n2_text.replace("Homophilie,", "La FOMO, la FOMO encore, l'homophilie,"),
    );
    update(&mut p, &f, docs(&["notes/n2.md"]), "mentions added");

    let config = fs::read_to_string(f.root().join("site.toml")).unwrap();
    f.file(
        "site.toml",
        config.replace("\"first-per-section\"", "\"first-per-document\""),
    );
    let c = Changes {
        config: true,
        ..Changes::default()
    };
    update(&mut p, &f, c, "inline links per document");
    f.file(
        n2,
        n2_text.replace(
            "## Suite\n\nRien de plus.",
            "## Suite\n\nEncore l'homophilie.",
        ),
    );
    update(
        &mut p,
        &f,
        docs(&["notes/n2.md"]),
        "a later mention, per document",
    );
}

#[test]
fn changes_in_quick_succession_cancel_reconciliations_and_lose_nothing() {
    let f = site();
    let (mut p, _) = start(&f);
    let n0 = f.root().join("content/notes/n0.md");
    for i in 0..6 {
        let text = fs::read_to_string(&n0).unwrap();
        fs::write(&n0, format!("{text}\nÉdition {i} sur l'homophilie.\n")).unwrap();
        if i == 3 {
            f.file("content/notes/new.md", "# Nouveau\n\nLa FOMO.\n");
            fs::remove_file(f.root().join("content/notes/n3.md")).unwrap();
        }
        let changes = docs(&["notes/n0.md", "notes/new.md", "notes/n3.md"]);
        p.update(&changes).unwrap_or_else(|e| panic!("{i}: {e}"));
    }
    let settled = p.settle().expect("the last reconciliation counts");
    settled.unwrap_or_else(|e| panic!("{e}"));
    assert_same_as_full_build(&f, "after six quick changes");
}

#[test]
fn a_bad_change_leaves_model_and_output_as_they_were() {
    let f = site();
    let (mut p, _) = start(&f);
    let before = snapshot_dir(&f.output());
    let doc = f.root().join("content/notes/n0.md");
    let good = fs::read_to_string(&doc).unwrap();

    fs::write(&doc, "+++\ntitle = \n+++\nx\n").unwrap();
    let e = p.update(&docs(&["notes/n0.md"])).unwrap_err();
    assert!(
        e.diagnostics[0]
            .path
            .as_ref()
            .is_some_and(|p| p.ends_with("notes/n0.md")),
        "{e}"
    );
    assert_eq!(e.diagnostics[0].line, Some(2), "{e}");

    fs::write(&doc, "+++\ntopics = [\"nope\"]\n+++\nx\n").unwrap();
    assert!(p.update(&docs(&["notes/n0.md"])).is_err(), "unknown topic");

    f.file("templates/topic.html", "{% if %}");
    let t = Changes {
        templates: true,
        ..Changes::default()
    };
    assert!(p.update(&t).is_err(), "broken template");
    assert!(p.settle().is_none(), "nothing was started");
    assert_eq!(snapshot_dir(&f.output()), before, "nothing was written");

    fs::remove_file(f.root().join("templates/topic.html")).unwrap();
    fs::write(&doc, good + "\nRéparé.\n").unwrap();
    let changes = Changes {
        templates: true,
        ..docs(&["notes/n0.md"])
    };
    update(&mut p, &f, changes, "fixed");
}

#[test]
fn pages_rendered_one_by_one_are_the_pages_of_render() {
    // watch renders chosen pages (`render_pages`, and `render_refs` and
    // `render_files` under it, which the fast path and the reconciliation
    // call); a full build renders them all with `render`: both must make
    // the same bytes.
    use maillage::render::{Theme, page_refs, render, render_pages, templates};
    let f = site();
    let input = load_site(f.root(), Some(&f.output())).unwrap();
    let site = build_pages(&input, false).unwrap().site;
    let tera = templates::load(&input.templates, &f.root().join("templates")).unwrap();
    let files = templates::theme_files(&input.theme);
    let theme = Theme {
        tera: &tera,
        files: &files,
        templates_dir: &f.root().join("templates"),
        site_templates: &input.templates,
    };
    let by_path = |mut pages: Vec<maillage::render::Page>| {
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        pages
    };
    let all = by_path(render(&site, &theme).unwrap());
    let refs = page_refs(&site, files.len());
    assert_eq!(by_path(render_pages(&site, &theme, &refs).unwrap()), all);
    // A document page and a theme file alone: the same bytes as in `all`.
    let last = refs.len() - 1;
    let some = by_path(render_pages(&site, &theme, &[refs[last], refs[3]]).unwrap());
    assert_eq!(some.len(), 2);
    assert!(some.iter().any(|p| p.path.starts_with("theme/")));
    for page in &some {
        assert!(all.contains(page), "{} differs from render's", page.path);
    }
}

#[test]
fn pages_the_fast_path_writes_are_owned_at_once() {
    // Stopped before its reconciliation ends, watch still owns the pages it
    // wrote: the next build may remove them.
    let f = site();
    let (mut p, _) = start(&f);
    f.file("content/notes/neuf.md", "# Tout neuf\n\nLa FOMO.\n");
    let fast = p.update(&docs(&["notes/neuf.md"])).unwrap();
    p.stop();
    assert!(wrote(&fast, "tout-neuf/index.html"), "{fast:?}");
    let manifest = fs::read_to_string(f.output().join(MANIFEST)).unwrap();
    assert!(
        manifest.lines().any(|l| l == "tout-neuf/index.html"),
        "{manifest}"
    );
}

/// The reason words of a related link are written as the site first writes
/// them: when the document that wrote a word first changes or goes, the
/// settled output still matches a full build.
#[test]
fn reason_words_follow_the_first_writing_of_a_word() {
    let f = site();
    let note =
        |title: &str, body: &str| format!("+++\ntitle = \"{title}\"\n+++\n## Air\n\n{body}\n");
    f.file(
        "content/notes/aa.md",
        note("Chant", "Le ZÖRGLUB chante la Mélodie du xylophone."),
    );
    f.file(
        "content/notes/ab.md",
        note("Jeu", "Un zorglub joue la mélodie du xylophone."),
    );
    let (mut p, _) = start(&f);
    let json = f.read("site.json");
    assert!(
        json.contains("\"zörglub\""),
        "the first writing is the reason"
    );
    f.file(
        "content/notes/aa.md",
        note("Chant", "Le Zorglub chante la mélodie du xylophone."),
    );
    update(&mut p, &f, docs(&["notes/aa.md"]), "first writing edited");
    assert!(f.read("site.json").contains("\"zorglub\""));
    f.file(
        "content/notes/a.md",
        note("Avant", "Le zörglub siffle la MÉLODIE du xylophone."),
    );
    update(
        &mut p,
        &f,
        docs(&["notes/a.md"]),
        "an earlier writing added",
    );
    assert!(f.read("site.json").contains("\"zörglub\""));
    fs::remove_file(f.root().join("content/notes/a.md")).unwrap();
    update(
        &mut p,
        &f,
        docs(&["notes/a.md"]),
        "the earlier writing deleted",
    );
    assert!(!f.read("site.json").contains("\"zörglub\""));
}
