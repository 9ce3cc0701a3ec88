//! The search benchmark's browser half, run by `bench/search.py` and
//! ignored by `cargo test`: what each query fetches, and how long its
//! results take, in headless Chromium. It prints figures and asserts
//! nothing about them (docs/PERFORMANCE.md holds the figures).
//!
//! `MAILLAGE_BENCH_ROOT` is a folder served on localhost holding `site/` (a
//! built maillage site) and, for the comparison, `pagefind/` (a Pagefind
//! bundle of the same pages) and `blank.html` (an empty page to run it in).
//! `MAILLAGE_BENCH_QUERIES` (queries separated by `|`) replaces the default
//! queries; `MAILLAGE_BENCH_PAGE` is the page of `site/` searched from
//! (default `index.html`). Prints one JSON line per query and engine.

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

/// The paths of the files the server sent since the last call whose path
/// contains `part` (the page's own requests and its workers' alike).
fn fetched(server: &Server, part: &str) -> Value {
    let paths: Vec<String> = server
        .take_log()
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| p.contains(part))
        .collect();
    json!(paths)
}

/// Opens `url` with an empty browser cache and nothing kept by the tab
/// (theme/search.js keeps loaded files in sessionStorage), ready to search.
fn fresh(page: &mut Page, url: &str) {
    page.call("Network.clearBrowserCache", json!({}));
    open(page, url);
    page.eval("sessionStorage.clear()");
}

/// Opens `url` (the HTTP cache as it is) and waits for the search box.
fn open(page: &mut Page, url: &str) {
    page.goto(url);
    page.wait_for("!document.querySelector('[data-maillage-search]').hidden");
}

/// Types `query` in one input event and waits for its results; returns the
/// script's own timing (input event → results in the page), in ms, and the
/// time of each phase.
fn ask(page: &mut Page, query: &str) -> (f64, Value) {
    page.eval("(() => { const i = document.querySelector('.search__input'); i.value = ''; i.focus(); })()");
    let before = thread_time(page);
    page.type_text(query);
    page.wait_for(&format!(
        "maillageSearch.lastQuery === {} && document.querySelector('[data-maillage-search]').dataset.state === 'done'",
        json!(query)
    ));
    let cpu_ms = (thread_time(page) - before) * 1000.0;
    let ms = page.eval("maillageSearch.lastTiming").as_f64();
    let mut phases = page.eval("maillageSearch.lastPhases");
    phases["main_thread_cpu"] = json!(cpu_ms.round());
    (ms.unwrap_or(f64::NAN), phases)
}

/// CPU seconds of the page's main thread so far (Chromium's `ThreadTime`
/// metric): unlike wall time, other processes on the machine do not
/// inflate it. The polling of `ask` adds a little of its own.
fn thread_time(page: &mut Page) -> f64 {
    let metrics = page.call("Performance.getMetrics", json!({}));
    metrics["metrics"]
        .as_array()
        .and_then(|m| m.iter().find(|x| x["name"] == "ThreadTime"))
        .and_then(|x| x["value"].as_f64())
        .unwrap_or(f64::NAN)
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn maillage_query(page: &mut Page, server: &Server, site: &str, query: &str) -> Value {
    // Cold: empty cache, the whole query arriving at once.
    server.take_log();
    fresh(page, site);
    let (cold_ms, _) = ask(page, query);
    let cold_files = fetched(server, "/search/");
    let shown = page.eval("document.querySelectorAll('.search__hit--section').length");
    let total = page.eval("document.querySelector('.search__count')?.textContent ?? '0'");
    // In the page: the same query again, its files and postings in memory.
    let warm: Vec<f64> = (0..REPEAT).map(|_| ask(page, query).0).collect();
    // The page reloaded (as after following a result), then the query
    // typed at once, or once the page is idle (its manifest preloaded), as
    // a reader who takes a moment to start typing; the files kept by the
    // tab, or (its store cleared) in the HTTP cache only.
    let (mut at_once, mut idle, mut http, mut phases) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    server.take_log();
    for _ in 0..REPEAT {
        open(page, site);
        let (ms, p) = ask(page, query);
        at_once.push(ms);
        phases.push(p);
        open(page, site);
        page.eval("maillageSearch.internals.ready()");
        let (ms, p) = ask(page, query);
        idle.push(ms);
        phases.push(p);
        open(page, site);
        page.eval("sessionStorage.clear()");
        page.eval("maillageSearch.internals.ready()");
        let (ms, p) = ask(page, query);
        http.push(ms);
        phases.push(p);
    }
    let refetched = fetched(server, "/search/");
    // Typed one character at a time from an empty cache, each keystroke's
    // results awaited: what a reader's typing fetches, and the latency of
    // the last keystroke (files loaded by the earlier ones).
    server.take_log();
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
        "cold_ms": cold_ms, "in_page_ms": median(&warm), "reload_ms": median(&idle),
        "reload_at_once_ms": median(&at_once), "reload_http_ms": median(&http),
        "reload_all_ms": [idle, at_once, http],
        "reload_phases": phases, "reload_refetched": refetched,
        "typing_files": fetched(server, "/search/"), "typing_last_ms": last_keystroke_ms,
    })
}

/// Pagefind's own script on a blank page: import, search, the first ten
/// results' data (what a results list shows). Cold (empty cache), then
/// again on a reloaded page (HTTP cache).
fn pagefind_query(page: &mut Page, server: &Server, blank: &str, query: &str) -> Value {
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
    server.take_log();
    // A cold query on a large bundle may take long: wait for it.
    page.set_timeout(1800);
    let cold = page.eval(&run);
    let files = fetched(server, "/pagefind/");
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
    page.call("Performance.enable", json!({}));
    let queries: Vec<String> = match std::env::var("MAILLAGE_BENCH_QUERIES") {
        Ok(q) => q.split('|').map(str::to_owned).collect(),
        Err(_) => QUERIES.iter().map(|q| q.to_string()).collect(),
    };
    // A document page: the home page of a large site lists every document.
    let start = std::env::var("MAILLAGE_BENCH_PAGE").unwrap_or_else(|_| "index.html".into());
    let site = server.url(&format!("site/{start}"));
    for q in &queries {
        println!("{}", maillage_query(&mut page, &server, &site, q));
    }
    if root.join("pagefind").is_dir() {
        let blank = server.url("blank.html");
        for q in &queries {
            println!("{}", pagefind_query(&mut page, &server, &blank, q));
        }
    }
}
