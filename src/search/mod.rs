//! Full-text search: builds, from the `Site`, the index files that
//! `theme/search.js` loads on demand to answer queries in the browser, with
//! no server. A pure function of the `Site`, whose files are made one at a
//! time as they are written. The index itself needs only the documents and
//! their words ([`IndexParts`]): a build makes it before the link stage and
//! frees the words.
//!
//! - `terms`: sections → stems with levels, through the tokenizer of topic
//!   matching (`topics::normalize`), each distinct word stemmed once;
//! - `index`: all documents → stems with postings, and the vocabulary,
//!   built in parallel runs of documents then merged;
//! - `encode`: compact postings, base64, the script wrapper;
//! - `files`: the index cut into `search/` files (layout described there),
//!   each made when it is written ([`IndexFiles`]);
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

use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::json;

use crate::config::SiteConfig;
use crate::link::Site;
use crate::model::{Document, Lang};
use crate::render::Page;
use crate::render::urls::Urls;
use crate::topics::TopicIndex;
use crate::topics::catalog::Catalog;
use crate::topics::normalize::{FRENCH_ELISIONS, for_each_word};
use crate::topics::words::SiteWords;
use files::{FragmentLayout, Limits, PostingLayout};
use index::SearchIndex;

/// The folder of the index files in the output.
pub const SEARCH_DIR: &str = "search";

/// What the index files are made from: the parts of a site that exist
/// before the link stage. A build writes the files from this view before
/// linking, so that the index is freed before the link stage's peak of
/// memory; tests and `watch` take it from a linked [`Site`].
#[derive(Clone, Copy)]
pub struct SearchSite<'s> {
    pub config: &'s SiteConfig,
    pub catalog: &'s Catalog,
    pub documents: &'s [Document],
    pub topics: &'s TopicIndex,
}

impl<'s> From<&'s Site> for SearchSite<'s> {
    fn from(site: &'s Site) -> SearchSite<'s> {
        SearchSite {
            config: &site.config,
            catalog: &site.catalog,
            documents: &site.documents,
            topics: &site.topics,
        }
    }
}

/// The index files of `site`, with the default sizes.
pub fn index_pages(site: &Site) -> Vec<Page> {
    index_pages_with(site, &Limits::default())
}

/// Builds the in-memory index of `site`.
pub fn build_index(site: &Site) -> SearchIndex {
    build_index_of(
        &site.config,
        &site.catalog,
        &site.documents,
        &site.topics.words,
    )
}

/// Builds the in-memory index of a site's documents from their words (read
/// again if `words` do not cover them): all it needs comes before the link
/// stage.
pub fn build_index_of(
    config: &SiteConfig,
    catalog: &Catalog,
    documents: &[Document],
    words: &SiteWords,
) -> SearchIndex {
    // Topic names and aliases are words too, so typing one finds its topic
    // even if no section uses it; in every language in use.
    let phrases: Vec<(Lang, &str)> = languages(config, documents)
        .into_iter()
        .flat_map(|lang| {
            catalog
                .topics
                .iter()
                .flat_map(move |t| t.aliases.iter().map(move |a| (lang, a.as_str())))
        })
        .collect();
    index::build_from_words(documents, words, &phrases)
}

/// The index files of `site`, cut to `limits`, all in memory (for tests,
/// tools and `watch`; a build writes them one at a time, see [`IndexFiles`]).
pub fn index_pages_with(site: &Site, limits: &Limits) -> Vec<Page> {
    all_pages(&IndexFiles::new(site, limits))
}

/// [`index_pages`] from the index made earlier ([`IndexParts`]).
pub fn index_pages_of(site: &Site, parts: IndexParts) -> Vec<Page> {
    all_pages(&IndexFiles::from_parts(site.into(), parts))
}

/// Every file of `files`, the manifest first.
fn all_pages(files: &IndexFiles) -> Vec<Page> {
    use rayon::prelude::*;
    let data: Vec<Page> = (0..files.len())
        .into_par_iter()
        .map(|i| files.page(i))
        .collect();
    let mut pages = Vec::with_capacity(data.len() + 1);
    pages.push(files.manifest());
    pages.extend(data);
    pages
}

/// The part of the index files made from the words alone: the index
/// (postings encoded, a byte or two each) and the small vocabulary files.
/// A build makes it before the link stage, so that the words of every
/// section (tens of megabytes) can be freed before that stage's peak.
#[derive(Debug, Clone)]
pub struct IndexParts {
    limits: Limits,
    index: SearchIndex,
    postings: PostingLayout,
    vocab: Vec<String>,
    firsts: Vec<String>,
}

impl IndexParts {
    /// Builds the index of `documents` (see [`build_index_of`]) and lays
    /// out its posting and vocabulary files.
    pub fn new(
        config: &SiteConfig,
        catalog: &Catalog,
        documents: &[Document],
        words: &SiteWords,
        limits: &Limits,
    ) -> IndexParts {
        IndexParts::of_index(build_index_of(config, catalog, documents, words), limits)
    }

    fn of_index(mut index: SearchIndex, limits: &Limits) -> IndexParts {
        let postings = files::posting_layout(&index, limits);
        let (vocab, firsts) = files::vocab_files(&index, &postings.locations, limits);
        // The vocabulary files hold the words and stems: the posting files
        // only need the encoded postings.
        index.words = Vec::new();
        index.stems = Vec::new();
        IndexParts {
            limits: *limits,
            index,
            postings,
            vocab,
            firsts,
        }
    }
}

/// The index files of a site, each made when asked for and then dropped,
/// so that they are never all in memory: they come to 100 MB at 10,000
/// documents and 1 GB at 100,000, most of it fragments, which are made from
/// the `Site` as they are written. Only the postings (encoded, a byte or two
/// each) and the small vocabulary files are kept ([`IndexParts`]).
///
/// The manifest names a version, a hash of every other file, so it comes
/// last: [`IndexFiles::manifest`], after the files (`page`) were made.
pub struct IndexFiles<'s> {
    site: SearchSite<'s>,
    urls: Urls,
    limits: Limits,
    index: SearchIndex,
    postings: PostingLayout,
    vocab: Vec<String>,
    firsts: Vec<String>,
    fragments: FragmentLayout,
    /// Each file's hash, once it was made.
    hashes: Vec<OnceLock<u64>>,
}

impl<'s> IndexFiles<'s> {
    /// Builds the index of `site` and lays out its files.
    pub fn new(site: &'s Site, limits: &Limits) -> IndexFiles<'s> {
        IndexFiles::from_parts(site.into(), IndexParts::of_index(build_index(site), limits))
    }

    /// The files of `site` from its index made earlier (from the same
    /// documents, with the same catalog and configuration).
    pub fn from_parts(site: SearchSite<'s>, parts: IndexParts) -> IndexFiles<'s> {
        let IndexParts {
            limits,
            index,
            postings,
            vocab,
            firsts,
        } = parts;
        let fragments = FragmentLayout::new(&site, &limits);
        let count = vocab.len() + postings.len() + fragments.len();
        IndexFiles {
            site,
            urls: Urls::new(site.config.pretty_urls),
            limits,
            index,
            postings,
            vocab,
            firsts,
            fragments,
            hashes: (0..count).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Number of files, the manifest aside.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Which file `i` is: its folder (`w`, `p` or `f`) and number there.
    fn file(&self, i: usize) -> (&'static str, usize) {
        let (vocab, postings) = (self.vocab.len(), self.postings.len());
        if i < vocab {
            ("w", i)
        } else if i < vocab + postings {
            ("p", i - vocab)
        } else {
            ("f", i - vocab - postings)
        }
    }

    /// Path of file `i` in the output.
    pub fn path(&self, i: usize) -> String {
        let (dir, n) = self.file(i);
        format!("{SEARCH_DIR}/{dir}/{n}.js")
    }

    fn json(&self, i: usize) -> Cow<'_, str> {
        match self.file(i) {
            ("w", n) => Cow::Borrowed(&self.vocab[n]),
            ("p", n) => Cow::Owned(files::posting_file(&self.index, &self.postings, n)),
            (_, n) => Cow::Owned(files::fragment_file(
                &self.site,
                &self.urls,
                &self.limits,
                &self.fragments,
                n,
            )),
        }
    }

    /// Makes file `i`, and records its hash for the manifest.
    pub fn page(&self, i: usize) -> Page {
        let json = self.json(i);
        let _ = self.hashes[i].set(encode::hash(json.as_bytes()));
        let (dir, n) = self.file(i);
        page(&format!("{dir}/{n}"), &json)
    }

    /// The manifest, `index.js`: files not made yet are made to be hashed.
    pub fn manifest(&self) -> Page {
        let hashes: Vec<u64> = (0..self.len())
            .map(|i| *self.hashes[i].get_or_init(|| encode::hash(self.json(i).as_bytes())))
            .collect();
        let site = self.site;
        let french =
            site.config.lang == Lang::Fr || site.documents.iter().any(|d| d.lang == Lang::Fr);
        let manifest = json!({
            "version": encode::fingerprint_of(&hashes),
            "sections": self.index.sections,
            "fragmentSections": self.limits.fragment_sections.max(1),
            "elisions": if french { FRENCH_ELISIONS } else { &[] },
            "vocab": self.firsts,
            "topics": topics_json(&site, &self.urls),
        });
        page("index", &manifest.to_string())
    }
}

fn page(key: &str, json: &str) -> Page {
    Page {
        path: format!("{SEARCH_DIR}/{key}.js"),
        bytes: encode::script(key, json),
    }
}

/// Languages whose stems the index holds: the documents' and the site's.
fn languages(config: &SiteConfig, documents: &[Document]) -> Vec<Lang> {
    let mut langs = vec![config.lang];
    for doc in documents {
        if !langs.contains(&doc.lang) {
            langs.push(doc.lang);
        }
    }
    langs
}

/// `[name, url, aliases]` per topic (in catalog order, so a section's topic
/// ids index it), each alias as its `[folded, stem]` words in the site's
/// language; the name is the first alias.
fn topics_json(site: &SearchSite, urls: &Urls) -> serde_json::Value {
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
