//! The search box in a real browser: the seed site built, served on
//! localhost, driven in headless Chromium through the DevTools protocol.
//!
//! Skipped with a message when Chromium is absent, unless
//! `MAILLAGE_REQUIRE_BROWSER` is set (CI sets it and installs Chromium).
//! With `MAILLAGE_SCREENSHOTS=DIR`, screenshots of the results are saved.

#[path = "common/browser.rs"]
mod browser;
mod common;

use browser::{Browser, Page, Server, chromium_or_skip};
use common::{maillage, repo_root, stderr};
use maillage::search::query::{COMMON_SHARE, query_words, typo_candidate};
use serde_json::{Value, json};

const SEED_DOC: &str = "qu-est-ce-qui-nous-rend-si-dependants-aux-reseaux-sociaux";

/// Builds the seed site into a temporary folder.
fn build_seed() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let result = maillage(&[
        "build",
        "--root",
        repo_root().to_str().unwrap(),
        "--output",
        out.path().to_str().unwrap(),
        "--force",
        "--quiet",
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    out
}

/// Types `query` into the (focused) box and waits for its results: the
/// options' `href` and text, in order.
fn results(page: &mut Page, query: &str) -> Vec<(String, String)> {
    page.eval("(() => { const i = document.querySelector('.search__input'); i.value = ''; i.focus(); })()");
    page.type_text(query);
    page.wait_for(&format!(
        "maillageSearch.lastQuery === {} && document.querySelector('[data-maillage-search]').dataset.state === 'done'",
        json!(query)
    ));
    let list = page.eval(
        "Array.from(document.querySelectorAll('.search__panel [role=option]')).map(a => [a.getAttribute('href'), a.textContent])",
    );
    serde_json::from_value(list).unwrap()
}

fn has_section(results: &[(String, String)], doc: &str, id: &str) -> bool {
    let wanted = format!("{doc}/index.html#{id}");
    results.iter().any(|(href, _)| href.ends_with(&wanted))
}

fn screenshot(page: &mut Page, name: &str) {
    let Some(dir) = std::env::var_os("MAILLAGE_SCREENSHOTS") else {
        return;
    };
    let shot = page.call("Page.captureScreenshot", json!({ "format": "png" }));
    let data = shot["data"].as_str().unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        std::path::Path::new(&dir).join(format!("{name}.png")),
        base64_decode(data),
    )
    .unwrap();
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digits: Vec<u32> = text
        .bytes()
        .filter_map(|b| ALPHABET.iter().position(|&a| a == b).map(|d| d as u32))
        .collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0, |n, (i, d)| n | d << (18 - 6 * i));
        for k in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * k)) as u8);
        }
    }
    out
}

#[test]
fn search_in_headless_chromium() {
    let Some(chromium) = chromium_or_skip("search_in_headless_chromium") else {
        return;
    };
    let site = build_seed();
    let server = Server::start(site.path());
    let browser = Browser::launch(&chromium);
    let mut page = browser.new_page();
    page.goto(&server.url(&format!("{SEED_DOC}/index.html")));

    // The box is shown once the script runs; `/` focuses it.
    page.wait_for("!document.querySelector('[data-maillage-search]').hidden");
    page.eval("document.body.focus()");
    page.key("/");
    assert_eq!(
        page.eval("document.activeElement.classList.contains('search__input')"),
        true
    );

    the_browser_folds_and_forgives_like_rust(&mut page);
    queries_find_their_sections(&mut page);
    keyboard_opens_the_chosen_section(&mut page);

    // On another page of the site, a query asked before loads no index
    // file but the manifest: the tab keeps the files it loaded.
    page.goto(&server.url("index.html"));
    page.wait_for("!document.querySelector('[data-maillage-search]').hidden");
    let found = results(&mut page, "homophilie");
    assert!(
        has_section(&found, SEED_DOC, "l-homme-a-tendance-a-se-regrouper"),
        "{found:?}"
    );
    let loaded = page.eval(
        "performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.includes('/search/') && !p.endsWith('/search/index.js'))",
    );
    assert_eq!(loaded, json!([]), "files loaded again on the next page");

    // From disk too: index files are scripts, not fetched.
    let file_url = format!(
        "file://{}/index.html",
        site.path().display().to_string().trim_end_matches('/')
    );
    page.goto(&file_url);
    page.wait_for("!document.querySelector('[data-maillage-search]').hidden");
    let found = results(&mut page, "homophilie");
    assert!(
        has_section(&found, SEED_DOC, "l-homme-a-tendance-a-se-regrouper"),
        "{found:?}"
    );
}

/// Folding and the typo rule: theme/search.js against src/search/query.rs.
fn the_browser_folds_and_forgives_like_rust(page: &mut Page) {
    let samples = [
        "Réseaux PRIVÉS",
        "l’homophilie d'abord, jusqu’à qu'il",
        "L'Œuvre, ex-æquo, Straße",
        "peur-de-manquer « FOMO » #WeAccept covid19",
        "prive\u{301}e\u{a0}vie\u{202f}privée",
        "ﬁn ½ İstanbul ㎒ 日本語",
        "’’ « » — !",
        "ÉTÉ Ab\u{301}C 12ÀB",
    ];
    page.eval("maillageSearch.internals.ready()");
    let js = page.eval(&format!(
        "maillageSearch.internals.ready().then(m => {}.map(s => maillageSearch.internals.words(s, new Set(m.elisions)).map(w => w.f)))",
        json!(samples)
    ));
    let rust: Vec<Vec<String>> = samples.iter().map(|s| query_words(s)).collect();
    assert_eq!(js, json!(rust), "folding differs between JS and Rust");

    let pairs = [
        ("homophilei", "homophilie"),
        ("hmoophilie", "homophilie"),
        ("ohmophilie", "homophilie"),
        ("homofilie", "homophilie"),
        ("reseaus", "reseaux"),
        ("resaux", "reseaux"),
        ("peux", "peur"),
        ("peurr", "peur"),
        ("reseaux", "reseaux"),
        ("ecole", "école"),
    ];
    let js = page.eval(&format!(
        "{}.map(([a, b]) => maillageSearch.internals.typoCandidate(a, b))",
        json!(pairs)
    ));
    let rust: Vec<bool> = pairs.iter().map(|(a, b)| typo_candidate(a, b)).collect();
    assert_eq!(js, json!(rust), "typo rule differs between JS and Rust");
    assert_eq!(
        page.eval("maillageSearch.internals.commonShare"),
        json!(COMMON_SHARE),
        "common-word rule differs between JS and Rust"
    );
}

fn queries_find_their_sections(page: &mut Page) {
    let found = results(page, "homophilie");
    assert!(
        has_section(&found, SEED_DOC, "l-homme-a-tendance-a-se-regrouper"),
        "« homophilie »: {found:#?}"
    );
    // Topics come first.
    assert!(found[0].0.contains("topics/homophilie/"), "{found:#?}");
    screenshot(page, "homophilie");

    let found = results(page, "peur de manquer");
    assert!(
        has_section(&found, SEED_DOC, "la-validation-sociale"),
        "« peur de manquer »: {found:#?}"
    );
    assert!(
        found.iter().any(|(h, _)| h.contains("topics/fomo/")),
        "{found:#?}"
    );
    screenshot(page, "peur-de-manquer");

    for query in ["reseaux prives", "homophilei"] {
        let found = results(page, query);
        let sections = found.iter().filter(|(h, _)| !h.contains("topics/")).count();
        assert!(sections > 0, "« {query} » found no section: {found:#?}");
    }
    let found = results(page, "homophilei");
    assert!(
        has_section(&found, SEED_DOC, "l-homme-a-tendance-a-se-regrouper"),
        "« homophilei »: {found:#?}"
    );
    // Highlighted excerpt.
    let marks = page.eval("Array.from(document.querySelectorAll('.search__panel mark')).map(m => m.textContent.toLowerCase())");
    assert!(
        marks
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str().unwrap().contains("homophilie")),
        "{marks}"
    );

    // Nothing found is said so.
    let found = results(page, "zzzzqqq");
    assert!(found.is_empty());
    assert_eq!(page.eval("!!document.querySelector('.search__none')"), true);

    // A query asked again is answered from the files already loaded: no
    // index file is fetched twice (how fast is for bench/search.py).
    let fetched = "performance.getEntriesByType('resource').filter(e => e.name.includes('/search/')).map(e => e.name)";
    let before = page.eval(fetched);
    results(page, "homophilie");
    assert_eq!(page.eval(fetched), before, "a repeated query fetched files");
}

fn keyboard_opens_the_chosen_section(page: &mut Page) {
    let target = "l-homme-a-tendance-a-se-regrouper";
    let found = results(page, "homophilie");
    let index = found
        .iter()
        .position(|(href, _)| href.ends_with(&format!("#{target}")))
        .expect("target among results");
    for _ in 0..=index {
        page.key("ArrowDown");
    }
    let active: Value =
        page.eval("document.querySelector('.search__hit.is-active').getAttribute('href')");
    assert!(active.as_str().unwrap().ends_with(target), "{active}");
    // Escape closes the list; ArrowDown opens it again, on the same query.
    page.key("Escape");
    assert_eq!(
        page.eval("document.querySelector('.search__panel').hidden"),
        true
    );
    page.key("ArrowDown");
    assert_eq!(
        page.eval("document.querySelector('.search__panel').hidden"),
        false
    );
    for _ in 0..index {
        page.key("ArrowDown");
    }
    page.key("Enter");
    page.wait_for(&format!("location.hash === '#{target}'"));
    page.wait_for("document.readyState === 'complete'");
    let url = page.eval("location.pathname");
    assert!(
        url.as_str()
            .unwrap()
            .ends_with(&format!("{SEED_DOC}/index.html")),
        "{url}"
    );
    // The section is there and scrolled into view (smoothly: wait for it).
    page.wait_for(&format!(
        "(r => r.top > -5 && r.top < 300)(document.getElementById('{target}').getBoundingClientRect())"
    ));
}
