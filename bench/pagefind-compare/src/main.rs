//! Indexes the document pages of a built maillage site with Pagefind's
//! library API (`pagefind::api::PagefindIndex`) and writes its bundle, for
//! the side-by-side figures of docs/PERFORMANCE.md (run by
//! `bench/search.py --pagefind`, never by the main build or CI).
//!
//! `pagefind-compare SITE_OUTPUT BUNDLE_DIR` prints one JSON line: pages,
//! and the seconds (wall, and CPU for the whole process) spent reading the
//! pages, adding them, and building and writing the bundle.
//!
//! To compare like with like, each page is indexed as maillage indexes it:
//! only the document's `<article>` (`data-pagefind-body`), without its table
//! of contents and related-section lists (`data-pagefind-ignore`). Topic
//! pages, the home page and the search index itself are left out.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pagefind::api::PagefindIndex;

/// CPU seconds (user + system) of this process so far, all threads.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .map(|f| f.parse().unwrap_or(0.0))
                .collect()
        })
        .unwrap_or_default();
    // utime and stime, in clock ticks of 1/100 s.
    (fields.get(11).unwrap_or(&0.0) + fields.get(12).unwrap_or(&0.0)) / 100.0
}

/// The document pages of a maillage output: `<slug>/index.html` for every
/// top-level folder but the site's own (`topics`, `theme`, `search`).
fn document_pages(site: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(site)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let page = entry.path().join("index.html");
        if ["topics", "theme", "search"].contains(&name.as_str()) || !page.is_file() {
            continue;
        }
        pages.push((format!("{name}/index.html"), page));
    }
    pages.sort();
    Ok(pages)
}

/// The page with only what maillage's own index reads marked for Pagefind.
fn mark_up(html: &str) -> String {
    html.replacen(
        "<article class=\"doc\"",
        "<article data-pagefind-body class=\"doc\"",
        1,
    )
    .replace(
        "<nav class=\"toc\"",
        "<nav data-pagefind-ignore=\"all\" class=\"toc\"",
    )
    .replace(
        "class=\"related\"",
        "data-pagefind-ignore=\"all\" class=\"related\"",
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, site, bundle] = &args[..] else {
        eprintln!("usage: pagefind-compare SITE_OUTPUT BUNDLE_DIR");
        std::process::exit(2);
    };
    let (cpu0, start) = (cpu(), Instant::now());
    let pages = document_pages(Path::new(site)).expect("list the site's pages");
    let texts: Vec<(String, String)> = pages
        .iter()
        .map(|(rel, path)| {
            let html = std::fs::read_to_string(path).expect("read a page");
            (rel.clone(), mark_up(&html))
        })
        .collect();
    let (cpu1, read) = (cpu(), start.elapsed());

    let mut index = PagefindIndex::new(None).expect("pagefind options");
    for (rel, html) in texts {
        index
            .add_html_file(Some(rel), None, html)
            .await
            .expect("pagefind add_html_file");
    }
    let (cpu2, added) = (cpu(), start.elapsed());
    // Builds the index (in memory) and writes it.
    index
        .write_files(Some(bundle.clone()))
        .await
        .expect("pagefind write_files");
    let (cpu3, written) = (cpu(), start.elapsed());

    println!(
        "{{\"pages\":{},\"read_wall\":{:.3},\"read_cpu\":{:.2},\"add_wall\":{:.3},\"add_cpu\":{:.2},\
         \"write_wall\":{:.3},\"write_cpu\":{:.2}}}",
        pages.len(),
        read.as_secs_f64(),
        cpu1 - cpu0,
        (added - read).as_secs_f64(),
        cpu2 - cpu1,
        (written - added).as_secs_f64(),
        cpu3 - cpu2,
    );
}
