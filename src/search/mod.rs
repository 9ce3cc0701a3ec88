//! Full-text search: builds, from the `Site`, the index files that
//! `theme/search.js` loads on demand to answer queries in the browser, with
//! no server. A pure function `Site → Vec<Page>`, run beside rendering.
//!
//! - `terms`: sections → stems with levels, through the tokenizer of topic
//!   matching (`topics::normalize`), each distinct word stemmed once;
//! - `index`: all documents → stems with postings, and the vocabulary,
//!   built in parallel runs of documents then merged;
//! - `encode`: compact postings, base64, the script wrapper;
//! - `files`: the index cut into `search/` files (layout described there);
//! - `query`: the query-side rules the browser follows (exact, prefix, typo).
//!
//! Results are sections, not pages: section numbers run through the site in
//! order, and every posting names a section. Why our own index rather than
//! Pagefind's is told in docs/ARCHITECTURE.md, with figures in
//! docs/PERFORMANCE.md.

pub mod encode;
pub mod files;
pub mod index;
pub mod query;
pub mod terms;

use serde_json::json;

use crate::link::Site;
use crate::model::Lang;
use crate::render::Page;
use crate::render::urls::Urls;
use crate::topics::normalize::{FRENCH_ELISIONS, for_each_word};
use files::Limits;
use index::SearchIndex;

/// The folder of the index files in the output.
pub const SEARCH_DIR: &str = "search";

/// The index files of `site`, with the default sizes.
pub fn index_pages(site: &Site) -> Vec<Page> {
    index_pages_with(site, &Limits::default())
}

/// Builds the in-memory index of `site`.
pub fn build_index(site: &Site) -> SearchIndex {
    // Topic names and aliases are words too, so typing one finds its topic
    // even if no section uses it; in every language in use.
    let phrases: Vec<(Lang, &str)> = languages(site)
        .into_iter()
        .flat_map(|lang| {
            site.catalog
                .topics
                .iter()
                .flat_map(move |t| t.aliases.iter().map(move |a| (lang, a.as_str())))
        })
        .collect();
    index::build_from_words(&site.documents, &site.topics.words, &phrases)
}

/// The index files of `site`, cut to `limits`.
pub fn index_pages_with(site: &Site, limits: &Limits) -> Vec<Page> {
    let urls = Urls::new(site.config.pretty_urls);
    let index = build_index(site);
    let (postings, locations) = files::posting_files(&index, limits);
    let (vocab, firsts) = files::vocab_files(&index, &locations, limits);
    let fragments = files::fragment_files(site, &urls, limits);

    let files: Vec<&String> = vocab.iter().chain(&postings).chain(&fragments).collect();
    let version = encode::fingerprint(&files);
    let french = site.config.lang == Lang::Fr || site.documents.iter().any(|d| d.lang == Lang::Fr);
    let manifest = json!({
        "version": version,
        "sections": index.sections,
        "fragmentSections": limits.fragment_sections.max(1),
        "elisions": if french { FRENCH_ELISIONS } else { &[] },
        "vocab": firsts,
        "topics": topics_json(site, &urls),
    });

    let mut pages = vec![page("index", &manifest.to_string())];
    // Each text is dropped once wrapped, so the fragments (most of the
    // index: 0.7 GB at 100,000 documents) are never in memory twice.
    for (dir, list) in [("w", vocab), ("p", postings), ("f", fragments)] {
        pages.extend(
            list.into_iter()
                .enumerate()
                .map(|(i, json)| page(&format!("{dir}/{i}"), &json)),
        );
    }
    pages
}

fn page(key: &str, json: &str) -> Page {
    Page {
        path: format!("{SEARCH_DIR}/{key}.js"),
        bytes: encode::script(key, json),
    }
}

/// Languages whose stems the index holds: the documents' and the site's.
fn languages(site: &Site) -> Vec<Lang> {
    let mut langs = vec![site.config.lang];
    for doc in &site.documents {
        if !langs.contains(&doc.lang) {
            langs.push(doc.lang);
        }
    }
    langs
}

/// `[name, url, aliases]` per topic (in catalog order, so a section's topic
/// ids index it), each alias as its `[folded, stem]` words in the site's
/// language; the name is the first alias.
fn topics_json(site: &Site, urls: &Urls) -> serde_json::Value {
    let lang = site.config.lang;
    let topics: Vec<serde_json::Value> = site
        .catalog
        .topics
        .iter()
        .map(|t| {
            let aliases: Vec<Vec<[String; 2]>> = t
                .aliases
                .iter()
                .map(|a| {
                    let mut words = Vec::new();
                    for_each_word(a, lang, |f, s, _, _| {
                        words.push([f.to_owned(), s.to_owned()])
                    });
                    words
                })
                .filter(|w| !w.is_empty())
                .collect();
            json!([t.name, urls.topic(&t.slug), aliases])
        })
        .collect();
    serde_json::Value::Array(topics)
}

#[cfg(test)]
mod tests;
