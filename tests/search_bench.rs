//! The search benchmark's browser half, run by `bench/search.py` and
//! ignored by `cargo test`: what each query fetches, and how long its
//! results take, in headless Chromium. It prints figures and asserts
//! nothing about them (docs/PERFORMANCE.md holds the figures).
//!
//! `MAILLAGE_BENCH_ROOT` is a folder served on localhost holding `site/` (a
//! built maillage site) and, for the comparison, `pagefind/` (a Pagefind
//! bundle of the same pages) and `blank.html` (an empty page to run it in).
//! `MAILLAGE_BENCH_QUERIES` (queries separated by `|`) replaces the default
//! queries. Prints one JSON line per query and engine.

#[path = "common/browser.rs"]
mod browser;
mod common;

use std::path::PathBuf;

use browser::{Browser, Page, Server, find_chromium};
use serde_json::{Value, json};

/// Typical three-word queries on the generated corpus (its topics and
/// common phrasing), French accents included.
const QUERIES: &[&str] = &[
    "peur de manquer",
    "bulles de filtre",
    "modération des contenus",
    "vie privée adolescents",
    "comparaison sociale influenceurs",
];

/// How many times the latencies are measured (medians are printed).
const REPEAT: usize = 5;

/// The paths (below the server's root) of the resources loaded so far
/// whose URL contains `part`.
fn fetched(page: &mut Page, part: &str) -> Value {
    page.eval(&format!(
        "performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.includes({}))",
        json!(part)
    ))
}

/// Opens `url` with an empty browser cache, ready to search.
fn fresh(page: &mut Page, url: &str) {
    page.call("Network.clearBrowserCache", json!({}));
    open(page, url);
}

/// Opens `url` (the HTTP cache as it is) and waits for the search box.
fn open(page: &mut Page, url: &str) {
    page.goto(url);
    page.wait_for("!document.querySelector('[data-maillage-search]').hidden");
    page.eval("performance.setResourceTimingBufferSize(100000)");
}

/// Types `query` in one input event and waits for its results; returns the
/// script's own timing (input event → results in the page), in ms, and the
/// time of each phase.
fn ask(page: &mut Page, query: &str) -> (f64, Value) {
    page.eval("(() => { const i = document.querySelector('.search__input'); i.value = ''; i.focus(); })()");
    page.type_text(query);
    page.wait_for(&format!(
        "maillageSearch.lastQuery === {} && document.querySelector('[data-maillage-search]').dataset.state === 'done'",
        json!(query)
    ));
    let ms = page.eval("maillageSearch.lastTiming").as_f64();
    (
        ms.unwrap_or(f64::NAN),
        page.eval("maillageSearch.lastPhases"),
    )
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn maillage_query(page: &mut Page, site: &str, query: &str) -> Value {
    // Cold: empty cache, the whole query arriving at once.
    fresh(page, site);
    let (cold_ms, _) = ask(page, query);
    let cold_files = fetched(page, "/search/");
    let shown = page.eval("document.querySelectorAll('.search__hit--section').length");
    let total = page.eval("document.querySelector('.search__count')?.textContent ?? '0'");
    // In the page: the same query again, its files and postings in memory.
    let warm: Vec<f64> = (0..REPEAT).map(|_| ask(page, query).0).collect();
    // In the HTTP cache only: the page reloaded, then the query.
    let mut reload = Vec::new();
    let mut phases = Vec::new();
    for _ in 0..REPEAT {
        open(page, site);
        let (ms, p) = ask(page, query);
        reload.push(ms);
        phases.push(p);
    }
    // Typed one character at a time from an empty cache, each keystroke's
    // results awaited: what a reader's typing fetches, and the latency of
    // the last keystroke (files loaded by the earlier ones).
    fresh(page, site);
    page.eval("document.querySelector('.search__input').focus()");
    let mut typed = String::new();
    for c in query.chars() {
        typed.push(c);
        page.type_text(&c.to_string());
        if !typed.trim().is_empty() {
            page.wait_for(&format!(
                "maillageSearch.lastQuery === {} && document.querySelector('[data-maillage-search]').dataset.state === 'done'",
                json!(typed)
            ));
        }
    }
    let last_keystroke_ms = page.eval("maillageSearch.lastTiming");
    json!({
        "engine": "maillage", "query": query,
        "cold_files": cold_files, "sections_shown": shown, "sections_found": total,
        "cold_ms": cold_ms, "in_page_ms": median(&warm), "reload_ms": median(&reload),
        "reload_all_ms": reload, "reload_phases": phases,
        "typing_files": fetched(page, "/search/"), "typing_last_ms": last_keystroke_ms,
    })
}

/// Pagefind's own script on a blank page: import, search, the first ten
/// results' data (what a results list shows). Cold (empty cache), then
/// again on a reloaded page (HTTP cache).
fn pagefind_query(page: &mut Page, blank: &str, query: &str) -> Value {
    let run = format!(
        "(async () => {{ const t = performance.now(); \
           const pf = await import('/pagefind/pagefind.js'); \
           await pf.options({{ baseUrl: '/site/' }}); \
           const r = await pf.search({q}); \
           await Promise.all(r.results.slice(0, 10).map(x => x.data())); \
           return [performance.now() - t, r.results.length]; }})()",
        q = json!(query)
    );
    page.call("Network.clearBrowserCache", json!({}));
    page.goto(blank);
    page.eval("performance.setResourceTimingBufferSize(100000)");
    // A cold query on a large bundle may take long: wait for it.
    page.set_timeout(1800);
    let cold = page.eval(&run);
    let files = fetched(page, "/pagefind/");
    let mut reload = Vec::new();
    for _ in 0..REPEAT {
        page.goto(blank);
        reload.push(page.eval(&run)[0].as_f64().unwrap_or(f64::NAN));
    }
    page.set_timeout(300);
    json!({
        "engine": "pagefind", "query": query,
        "cold_files": files, "results": cold[1], "cold_ms": cold[0],
        "reload_ms": median(&reload), "reload_all_ms": reload,
    })
}

#[test]
#[ignore = "benchmark: run by bench/search.py"]
fn search_bench() {
    let root = PathBuf::from(std::env::var_os("MAILLAGE_BENCH_ROOT").expect("MAILLAGE_BENCH_ROOT"));
    let chromium = find_chromium().expect("chromium (apt-get install chromium)");
    let server = Server::start(&root);
    let browser = Browser::launch(&chromium);
    let mut page = browser.new_page();
    page.call("Network.enable", json!({}));
    let queries: Vec<String> = match std::env::var("MAILLAGE_BENCH_QUERIES") {
        Ok(q) => q.split('|').map(str::to_owned).collect(),
        Err(_) => QUERIES.iter().map(|q| q.to_string()).collect(),
    };
    let site = server.url("site/index.html");
    for q in &queries {
        println!("{}", maillage_query(&mut page, &site, q));
    }
    if root.join("pagefind").is_dir() {
        let blank = server.url("blank.html");
        for q in &queries {
            println!("{}", pagefind_query(&mut page, &blank, q));
        }
    }
}
