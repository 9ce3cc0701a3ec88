//! Cuts the in-memory index into the small files a browser fetches on
//! demand, under `search/`:
//!
//! - `index.js` — the manifest: where each vocabulary file starts, the
//!   topics with the folded words and stems of their names and aliases, the
//!   French elisions, sizes. Loaded once, when the search box is first used.
//! - `w/<n>.js` — vocabulary: a sorted range of folded words, each with its
//!   stems; a stem says which posting file holds it and in how many sections
//!   it appears. The manifest lists each file's first word.
//! - `p/<n>.js` — postings: consecutive stems' section lists (see `encode`).
//!   A stem is never split, so one word costs one posting file.
//! - `f/<n>.js` — fragments: what a result shows (document and section
//!   titles, URL, topics, text for the excerpt) for a fixed run of
//!   `fragment_sections` sections, so section `s` is in file `s / run`.
//!
//! Every file is a script calling `maillageSearch(key, data)`.

use serde_json::json;

mod clip;

pub use clip::{clip, clip_into};

use super::SearchSite;
use super::encode;
use super::index::SearchIndex;
use crate::render::json_str::{push_str, push_u64, push_u64s};
use crate::render::urls::Urls;

/// Sizes of the files. A query fetches one vocabulary file and one posting
/// file per word, and one fragment file per result shown, so the bytes of
/// a query follow these sizes; the number of files (one more write each)
/// follows their inverse. The defaults keep a three-word query on a site of
/// 10,000 documents near 100 KB (300 KB is the budget) for about one index
/// file per six sections (figures in docs/PERFORMANCE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A vocabulary file is closed once it reaches this many bytes.
    pub vocab_bytes: usize,
    /// A posting file is closed once it reaches this many bytes.
    pub posting_bytes: usize,
    /// Sections per fragment file.
    pub fragment_sections: usize,
    /// Bytes of a section's text kept for its excerpt.
    pub fragment_text: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            vocab_bytes: 6_000,
            posting_bytes: 8_000,
            fragment_sections: 6,
            fragment_text: 1_000,
        }
    }
}

/// Where a stem's postings are: file number and position in it; `None`
/// when no section holds the stem.
pub type Location = Option<(u32, u32)>;

/// How the posting files are cut: which stems each holds, and where each
/// stem's postings are. The files themselves are made one at a time from
/// the index ([`posting_file`]), when written.
#[derive(Debug, Clone, Default)]
pub struct PostingLayout {
    /// The first stem of each file: a file holds the stems with postings
    /// from its first to the next file's.
    starts: Vec<u32>,
    /// Per stem, its location.
    pub locations: Vec<Location>,
}

impl PostingLayout {
    /// Number of posting files.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

/// Cuts the index's stems into posting files of at most
/// `limits.posting_bytes` (a stem is never split).
pub fn posting_layout(index: &SearchIndex, limits: &Limits) -> PostingLayout {
    let count = index.stems.len();
    let mut layout = PostingLayout {
        starts: Vec::new(),
        locations: Vec::with_capacity(count),
    };
    let (mut size, mut in_file) = (0, 0u32);
    for stem in 0..count as u32 {
        if index.df(stem) == 0 {
            layout.locations.push(None);
            continue;
        }
        // The base64 text, its quotes and comma.
        let cost = index.encoded(stem).len().div_ceil(3) * 4 + 3;
        if layout.starts.is_empty() || (size > 0 && size + cost > limits.posting_bytes) {
            layout.starts.push(stem);
            size = 0;
            in_file = 0;
        }
        size += cost;
        let file = layout.starts.len() as u32 - 1;
        layout.locations.push(Some((file, in_file)));
        in_file += 1;
    }
    layout
}

/// The JSON of posting file `n`: its stems' postings, base64 strings.
pub fn posting_file(index: &SearchIndex, layout: &PostingLayout, n: usize) -> String {
    let start = layout.starts[n] as usize;
    let end = layout
        .starts
        .get(n + 1)
        .map_or(layout.locations.len(), |&s| s as usize);
    let mut json = String::from("[");
    for stem in start..end {
        if layout.locations[stem].is_none() {
            continue;
        }
        if json.len() > 1 {
            json.push(',');
        }
        // Base64 needs no escaping in a JSON string.
        json.push('"');
        encode::base64_into(&mut json, index.encoded(stem as u32));
        json.push('"');
    }
    json.push(']');
    json
}

/// Every posting file (their JSON) and each stem's location, all in memory
/// (for tests; a build makes them one at a time).
pub fn posting_files(index: &SearchIndex, limits: &Limits) -> (Vec<String>, Vec<Location>) {
    let layout = posting_layout(index, limits);
    let files = (0..layout.len())
        .map(|n| posting_file(index, &layout, n))
        .collect();
    (files, layout.locations)
}

/// The vocabulary files (their JSON) and the first word of each.
pub fn vocab_files(
    index: &SearchIndex,
    locations: &[Location],
    limits: &Limits,
) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    let mut firsts = Vec::new();
    let mut file = VocabFile::default();
    for (word, stems) in &index.words {
        if file.size >= limits.vocab_bytes {
            files.push(std::mem::take(&mut file).json());
        }
        if file.words.is_empty() {
            firsts.push(word.clone());
        }
        let mut entry = vec![json!(word)];
        file.size += word.len() + 6;
        for &stem in stems {
            let local = file.stem(index, stem, locations[stem as usize]);
            entry.push(json!(local));
        }
        file.words.push(serde_json::Value::Array(entry));
    }
    if !file.words.is_empty() {
        files.push(file.json());
    }
    (files, firsts)
}

#[derive(Default)]
struct VocabFile {
    /// `[stem, posting file or -1, position, sections holding it]`.
    stems: Vec<serde_json::Value>,
    /// Global stem id → index in `stems`.
    local: std::collections::HashMap<u32, usize>,
    /// `[word, local stem, …]`.
    words: Vec<serde_json::Value>,
    size: usize,
}

impl VocabFile {
    fn stem(&mut self, index: &SearchIndex, stem: u32, at: Location) -> usize {
        if let Some(&i) = self.local.get(&stem) {
            return i;
        }
        let text = &index.stems[stem as usize].text;
        let (file, pos) = at.map_or((-1, 0), |(f, p)| (i64::from(f), p));
        self.size += text.len() + 24;
        self.stems.push(json!([text, file, pos, index.df(stem)]));
        self.local.insert(stem, self.stems.len() - 1);
        self.stems.len() - 1
    }

    fn json(self) -> String {
        json!({ "s": self.stems, "w": self.words }).to_string()
    }
}

/// Where the fragment files' sections are: each file covers
/// `fragment_sections` consecutive sections of the site.
#[derive(Debug, Clone)]
pub struct FragmentLayout {
    /// The number of the first section of each document.
    starts: Vec<usize>,
    sections: usize,
    run: usize,
}

impl FragmentLayout {
    pub fn new(site: &SearchSite, limits: &Limits) -> FragmentLayout {
        let mut starts = Vec::with_capacity(site.documents.len());
        let mut sections = 0;
        for doc in site.documents {
            starts.push(sections);
            sections += doc.sections.len();
        }
        FragmentLayout {
            starts,
            sections,
            run: limits.fragment_sections.max(1),
        }
    }

    /// Number of fragment files.
    pub fn len(&self) -> usize {
        self.sections.div_ceil(self.run)
    }

    pub fn is_empty(&self) -> bool {
        self.sections == 0
    }

    /// The sections of file `n`, as (document, section) pairs.
    fn run(&self, n: usize) -> Vec<(usize, usize)> {
        let first = n * self.run;
        let last = (first + self.run).min(self.sections);
        // The document holding `first`: the last one starting at or before
        // it (documents without sections start where the next one does).
        let mut d = self
            .starts
            .partition_point(|&s| s <= first)
            .saturating_sub(1);
        let mut run = Vec::with_capacity(last.saturating_sub(first));
        for section in first..last {
            while self.starts.get(d + 1).is_some_and(|&s| s <= section) {
                d += 1;
            }
            run.push((d, section - self.starts[d]));
        }
        run
    }
}

/// The JSON of fragment file `n`.
pub fn fragment_file(
    site: &SearchSite,
    urls: &Urls,
    limits: &Limits,
    layout: &FragmentLayout,
    n: usize,
) -> String {
    fragment_json(site, urls, limits, &layout.run(n))
}

/// One fragment file: the sections `run` (document, section) in order, as
/// `{"d":[[title, url]…],"s":[[document, id, title, text, [topics]]…]}`:
/// the bytes `serde_json` gives for those tuples (a test holds it to it),
/// written straight into the file's text. Serialized a tuple at a time,
/// each into its own `String` copied twice more, and each section's text
/// escaped byte by byte, the fragments were a third of staging the search
/// files.
fn fragment_json(
    site: &SearchSite,
    urls: &Urls,
    limits: &Limits,
    run: &[(usize, usize)],
) -> String {
    let mut json = String::with_capacity(run.len() * (limits.fragment_text + 200) + 16);
    json.push_str("{\"d\":[");
    let mut last_doc = None;
    for &(d, _) in run {
        if last_doc != Some(d) {
            if last_doc.is_some() {
                json.push(',');
            }
            let doc = &site.documents[d];
            json.push('[');
            push_str(&mut json, &doc.title);
            json.push(',');
            push_str(&mut json, &urls.document(&doc.slug));
            json.push(']');
            last_doc = Some(d);
        }
    }
    json.push_str("],\"s\":[");
    let (mut last_doc, mut doc_count) = (None, 0);
    let mut text = String::with_capacity(limits.fragment_text + 8);
    for (k, &(d, s)) in run.iter().enumerate() {
        if last_doc != Some(d) {
            doc_count += 1;
            last_doc = Some(d);
        }
        let section = &site.documents[d].sections[s];
        if k > 0 {
            json.push(',');
        }
        json.push('[');
        push_u64(&mut json, doc_count as u64 - 1);
        json.push(',');
        push_str(&mut json, &section.id);
        json.push(',');
        push_str(&mut json, &section.title);
        json.push(',');
        clip_into(&mut text, &section.text, limits.fragment_text);
        push_str(&mut json, &text);
        json.push(',');
        push_u64s(
            &mut json,
            site.topics.sections[d][s].iter().map(|t| t.topic as u64),
        );
        json.push(']');
    }
    json.push_str("]}");
    json
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::build_pages;
    use crate::load::SiteInput;
    use crate::model::{SourceDoc, SourceKind};

    /// A fragment file as it was written before `fragment_json` wrote it
    /// by hand: each tuple through `serde_json`.
    fn serde_fragment(
        site: &SearchSite,
        urls: &Urls,
        limits: &Limits,
        run: &[(usize, usize)],
    ) -> String {
        let (mut docs, mut sections) = (Vec::new(), Vec::new());
        let mut last_doc = None;
        for &(d, s) in run {
            let doc = &site.documents[d];
            if last_doc != Some(d) {
                docs.push((doc.title.clone(), urls.document(&doc.slug)));
                last_doc = Some(d);
            }
            let section = &doc.sections[s];
            let topics: Vec<usize> = site.topics.sections[d][s].iter().map(|t| t.topic).collect();
            sections.push((
                docs.len() - 1,
                section.id.clone(),
                section.title.clone(),
                clip(&section.text, limits.fragment_text),
                topics,
            ));
        }
        serde_json::to_string(&serde_json::json!({ "d": docs, "s": sections })).unwrap()
    }

    #[test]
    fn fragments_are_written_as_serde_json_writes_them() {
        let text = "# Doc \"{n}\" \\ x\n\nIntro « \"guillemets\" » et \\ barre,\ttab.\n\n## La peur de manquer\n\nLa peur de manquer des réseaux sociaux.\n\n## Réseaux \"q\"\n\nLes réseaux sociaux et la peur de manquer.\n";
        let input = SiteInput {
            root: "/nonexistent".into(),
            config: Some("title = \"T\"\nlanguage = \"fr\"\n".into()),
            catalog: Some(
                "[[topic]]\nslug = \"fomo\"\nname = \"FOMO\"\naliases = [\"peur de manquer\"]\ndescription = \"x\"\n\n[[topic]]\nslug = \"reseaux\"\nname = \"Réseaux\"\naliases = [\"réseaux sociaux\"]\ndescription = \"y\"\n".into(),
            ),
            sources: ["a", "b", "c"]
                .iter()
                .map(|n| SourceDoc {
                    rel_path: format!("{n}.md"),
                    kind: SourceKind::Markdown,
                    text: text.replace("{n}", n),
                })
                .collect(),
            ..SiteInput::default()
        };
        let built = build_pages(&input, false).expect("site builds").site;
        let site = SearchSite::from(&built);
        let urls = Urls::new(false);
        for limits in [
            Limits::default(),
            Limits {
                fragment_sections: 2,
                fragment_text: 12,
                ..Limits::default()
            },
        ] {
            let layout = FragmentLayout::new(&site, &limits);
            assert!(layout.len() > 1);
            for n in 0..layout.len() {
                assert_eq!(
                    fragment_file(&site, &urls, &limits, &layout, n),
                    serde_fragment(&site, &urls, &limits, &layout.run(n))
                );
            }
        }
    }

    #[test]
    fn fragment_runs_skip_documents_without_sections() {
        // Sections per document: 0, 3, 0, 2, 1.
        let layout = FragmentLayout {
            starts: vec![0, 0, 3, 3, 5],
            sections: 6,
            run: 4,
        };
        assert_eq!(layout.len(), 2);
        assert_eq!(layout.run(0), [(1, 0), (1, 1), (1, 2), (3, 0)]);
        assert_eq!(layout.run(1), [(3, 1), (4, 0)]);
    }
}
