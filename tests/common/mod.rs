//! Helpers shared by the integration tests: fixture sites in temporary
//! folders, running the real binary, and reading the produced HTML.

#![allow(dead_code)] // each test crate uses its own subset

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

/// A site folder in a temporary directory, removed when dropped.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// An empty site with a `content/` folder.
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(dir.path().join("content")).unwrap();
        Fixture { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn output(&self) -> PathBuf {
        self.root().join("output")
    }

    /// Writes a file under the site folder, creating folders.
    pub fn file(&self, rel: &str, content: impl AsRef<[u8]>) -> &Fixture {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    /// Runs `maillage build --root <site>` with extra arguments.
    pub fn build(&self, extra: &[&str]) -> Output {
        maillage(&[&["build", "--root", self.root().to_str().unwrap()], extra].concat())
    }

    /// Builds and panics with the error output if the build failed.
    pub fn build_ok(&self) -> Output {
        let out = self.build(&[]);
        assert!(out.status.success(), "build failed:\n{}", stderr(&out));
        out
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.output().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn site_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("site.json")).unwrap()
    }
}

/// Runs the maillage binary built for these tests.
pub fn maillage(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maillage"))
        .args(args)
        .output()
        .expect("run maillage")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The repository's own site folder.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, relative, with `/` separators, and its bytes.
pub fn snapshot_dir(dir: &Path) -> HashMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The `href`s of `<a>` elements matching `selector` in `html`.
pub fn hrefs(html: &str, selector: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(selector).unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr("href").map(str::to_string))
        .collect()
}

/// Resolves a relative link found in the page at `page` (a path relative to
/// the output root) into (output-relative file path, fragment).
pub fn resolve(page: &str, href: &str) -> (String, String) {
    let (path_part, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, f.to_string()),
        None => (href, String::new()),
    };
    if path_part.is_empty() {
        return (page.to_string(), fragment);
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in path_part.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                assert!(
                    parts.pop().is_some(),
                    "{href} in {page} climbs above the output root"
                );
            }
            s => parts.push(s),
        }
    }
    let mut target = parts.join("/");
    if path_part.ends_with('/') || target.is_empty() {
        target = if target.is_empty() {
            "index.html".into()
        } else {
            format!("{target}/index.html")
        };
    }
    (target, fragment)
}

/// The ids of all elements of an HTML page.
pub fn ids(html: &str) -> HashSet<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse("[id]").unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr("id").map(str::to_string))
        .collect()
}

/// Checks every internal link and anchor of the HTML pages under `out`.
/// Returns the broken ones as "page -> href" lines.
pub fn broken_links(out: &Path) -> Vec<String> {
    let files = snapshot_dir(out);
    let mut id_cache: HashMap<String, HashSet<String>> = HashMap::new();
    let mut broken = Vec::new();
    let link_sel = "a[href], link[href]";
    for (page, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for href in hrefs(&html, link_sel) {
            if href.starts_with("http://")
                || href.starts_with("https://")
                || href.starts_with("mailto:")
            {
                continue;
            }
            assert!(!href.starts_with('/'), "{page}: root-absolute link {href}");
            let (target, fragment) = resolve(page, &href);
            let Some(target_bytes) = files.get(&target) else {
                broken.push(format!("{page} -> {href} (no file {target})"));
                continue;
            };
            if fragment.is_empty() {
                continue;
            }
            let ids = id_cache
                .entry(target.clone())
                .or_insert_with(|| ids(&String::from_utf8_lossy(target_bytes)));
            if !ids.contains(&fragment) {
                broken.push(format!("{page} -> {href} (no #{fragment} in {target})"));
            }
        }
    }
    broken.sort();
    broken
}

/// The id of the `<section>` of an HTML page whose text contains `needle`.
pub fn section_containing(html: &str, needle: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse("section[id]").unwrap();
    doc.select(&sel)
        .find(|s| s.text().collect::<String>().contains(needle))
        .and_then(|s| s.value().attr("id").map(str::to_string))
}

/// The `<main>` of a page, so tests do not depend on the chrome around it.
pub fn main_of(html: &str) -> String {
    let doc = Html::parse_document(html);
    let sel = Selector::parse("main").unwrap();
    doc.select(&sel)
        .next()
        .map(|m| m.html())
        .unwrap_or_default()
}

/// The output page of the document built from `source` (a path under
/// `content/`), as `site.json` gives it.
pub fn page_of_source(json: &serde_json::Value, source: &str) -> String {
    let doc = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == source)
        .unwrap_or_else(|| panic!("no document from {source}"));
    format!("{}/index.html", doc["slug"].as_str().unwrap())
}
