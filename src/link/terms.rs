//! Section vectors: what each section is about, as one sparse unit vector
//! mixing its words (TF-IDF) and its topics (rarity weights), so that the dot
//! product of two vectors is the relatedness score of two sections:
//!
//! `score = (1 − TOPIC_SHARE) · cos(words) + TOPIC_SHARE · cos(topics)`
//!
//! Words are the normalised tokens of `topics::normalize` (folded, stemmed),
//! stop words and numbers left out; a heading's words count twice. A term's
//! weight is `(1 + ln tf) · ln(1 + N / df)` over the N sections of the site,
//! a topic's weight `ln(1 + N / df)`. Each part is normalised on its own, then
//! scaled by the square root of its share, so the two cosines add up as
//! above. Only the `MAX_TERMS` heaviest words shared with at least one other
//! section are kept (a word found in one section links nothing), which bounds
//! the memory and the work of ranking whatever the length of a section; the
//! norm still counts every word, so a long section about many things stays
//! less similar to a short one than a short one about the same thing.
//!
//! Document frequencies are counted in a first parallel pass over the text
//! and vectors built in a second one, rather than keeping every section's
//! word counts in memory between the two.

use std::cell::RefCell;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::{Document, Lang, Section};
use crate::topics::TopicIndex;
use crate::topics::normalize::{for_each_folded, stem, word_hash};
use crate::topics::stopwords::is_stop_word;

/// Share of the score given to shared topics; the rest goes to shared words.
pub const TOPIC_SHARE: f64 = 0.5;

/// Words kept per section. Lucene's MoreLikeThis settles on 25 query terms
/// for the same job; a few more or less hardly changes the ranking.
pub const MAX_TERMS: usize = 24;

/// How many times a word of a heading counts.
const TITLE_BOOST: u32 = 2;

/// Where a word is first written in a section: in its title or its text.
/// Eight bytes, so that a vector entry takes 16 rather than 20: the vectors
/// of 100,000 documents hold some 30 million entries (120 MB saved at the
/// link stage's peak), and every related link keeps three spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    start: u32,
    /// 0 for no word (a topic's entry, or a "word" over 64 KiB).
    len: u16,
    in_title: bool,
}

impl Span {
    /// The word at bytes `start..end` of the title or the text.
    pub fn new(in_title: bool, start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            len: u16::try_from(end.saturating_sub(start)).unwrap_or(0),
            in_title,
        }
    }

    /// The word as written, lower-cased, or `None` if the span is stale.
    pub fn surface(&self, section: &Section) -> Option<String> {
        let source = if self.in_title {
            &section.title
        } else {
            &section.text
        };
        let start = self.start as usize;
        source
            .get(start..start + usize::from(self.len))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
    }
}

/// One non-zero coordinate of a section vector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// A word (`< text_dims`) or topic `dim − text_dims`.
    pub dim: u32,
    pub weight: f32,
    /// First occurrence of the word (meaningless for topics).
    pub span: Span,
}

/// The vectors of every section of the site, in site order.
#[derive(Debug, Clone, Default)]
pub struct SectionVectors {
    /// `vectors[g]`, entries sorted by dimension, for global section index `g`.
    pub vectors: Vec<Vec<Entry>>,
    /// Global section index → its document.
    pub doc_of: Vec<u32>,
    /// Document → global index of its first section.
    pub first: Vec<usize>,
    /// Dimensions below this are words; the others topics.
    pub text_dims: u32,
}

impl SectionVectors {
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// `(doc, section)` of global section index `g`.
    pub fn locate(&self, g: usize) -> (usize, usize) {
        let doc = self.doc_of[g] as usize;
        (doc, g - self.first[doc])
    }

    pub fn is_topic(&self, dim: u32) -> bool {
        dim >= self.text_dims
    }
}

/// A word's id and document frequency, for words found in 2 sections or more.
type Vocabulary = FxHashMap<u64, (u32, u32)>;

/// Builds the vectors of every section.
pub fn section_vectors(documents: &[Document], topics: &TopicIndex) -> SectionVectors {
    let mut first = Vec::with_capacity(documents.len());
    let mut doc_of = Vec::new();
    for (d, doc) in documents.iter().enumerate() {
        first.push(doc_of.len());
        doc_of.extend(std::iter::repeat_n(d as u32, doc.sections.len()));
    }
    let total = doc_of.len();
    let vocabulary = vocabulary(documents);
    let text_dims = vocabulary.len() as u32;
    let topic_idf: Vec<f64> = topics
        .postings
        .iter()
        .map(|p| idf(total, p.len()))
        .collect();
    let vectors: Vec<Vec<Entry>> = documents
        .par_iter()
        .enumerate()
        .with_min_len(16)
        .map_init(FxHashMap::default, |counts, (d, doc)| {
            doc.sections
                .iter()
                .enumerate()
                .map(|(s, sec)| {
                    let section_topics = topics
                        .sections
                        .get(d)
                        .and_then(|x| x.get(s))
                        .map_or(&[][..], Vec::as_slice);
                    let mut v = text_entries(sec, doc.lang, total, &vocabulary, counts);
                    let topic_ids = section_topics.iter().map(|t| t.topic);
                    v.extend(topic_entries(topic_ids, &topic_idf, text_dims));
                    v.sort_by_key(|e| e.dim);
                    v
                })
                .collect::<Vec<_>>()
        })
        .flatten()
        .collect();
    SectionVectors {
        vectors,
        doc_of,
        first,
        text_dims,
    }
}

/// `ln(1 + N / df)`: never zero, so a word or topic found everywhere still
/// counts a little.
fn idf(total: usize, df: usize) -> f64 {
    if df == 0 {
        return 0.0;
    }
    (1.0 + total as f64 / df as f64).ln()
}

/// Streams the words of a section worth comparing: `(hash, weight in tf, span)`.
fn for_each_term(section: &Section, lang: Lang, mut emit: impl FnMut(u64, u32, Span)) {
    WORDS.with(|cell| {
        let mut cache = cell.borrow_mut();
        let mut keep = |folded: &str, start: usize, end: usize, in_title: bool| {
            let term = cache.term(lang, folded);
            if term != DROPPED {
                let span = Span::new(in_title, start, end);
                emit(term, if in_title { TITLE_BOOST } else { 1 }, span);
            }
        };
        if section.title_in_text {
            for_each_folded(&section.title, lang, |f, s, e| keep(f, s, e, true));
        }
        for_each_folded(&section.text, lang, |f, s, e| keep(f, s, e, false));
    });
}

/// The term of a word no section vector keeps (stop word, number, single
/// letter). A real term hashing to it would only be left out.
const DROPPED: u64 = 0;

/// Beyond this many distinct words, a thread's word cache is emptied, which
/// bounds its memory.
const WORD_CACHE_CAPACITY: usize = 1 << 16;

thread_local! {
    /// Folded word → its term (the hash of its stem) or `DROPPED`. The
    /// vectors read every word of the site twice, and stemming with the
    /// stop-word test was most of that work (the profile's top entry of the
    /// link stage); a text reuses few distinct words. Keyed by the hash of
    /// the folded word, so a lookup allocates nothing.
    static WORDS: RefCell<WordCache> = RefCell::default();
}

#[derive(Default)]
struct WordCache {
    fr: FxHashMap<u64, u64>,
    en: FxHashMap<u64, u64>,
}

impl WordCache {
    fn term(&mut self, lang: Lang, folded: &str) -> u64 {
        let map = match lang {
            Lang::Fr => &mut self.fr,
            Lang::En => &mut self.en,
        };
        let key = word_hash(folded);
        if let Some(&term) = map.get(&key) {
            return term;
        }
        if map.len() >= WORD_CACHE_CAPACITY {
            map.clear();
        }
        let norm = stem(lang, folded);
        let term = if norm.len() >= 2
            && !norm.bytes().all(|b| b.is_ascii_digit())
            && !is_stop_word(&norm, lang)
        {
            word_hash(&norm)
        } else {
            DROPPED
        };
        map.insert(key, term);
        term
    }
}

/// Counts in how many sections each word occurs, and numbers the words found
/// in two sections or more, in hash order so that ids never depend on threads.
fn vocabulary(documents: &[Document]) -> Vocabulary {
    let df: FxHashMap<u64, u32> = documents
        .par_iter()
        .fold(
            || (FxHashMap::default(), FxHashSet::default()),
            |(mut df, mut seen): (FxHashMap<u64, u32>, FxHashSet<u64>), doc| {
                for sec in &doc.sections {
                    seen.clear();
                    for_each_term(sec, doc.lang, |h, _, _| {
                        if seen.insert(h) {
                            *df.entry(h).or_insert(0) += 1;
                        }
                    });
                }
                (df, seen)
            },
        )
        .map(|(df, _)| df)
        .reduce(FxHashMap::default, |a, b| {
            let (small, mut big) = if a.len() < b.len() { (a, b) } else { (b, a) };
            for (h, n) in small {
                *big.entry(h).or_insert(0) += n;
            }
            big
        });
    let mut shared: Vec<(u64, u32)> = df.into_iter().filter(|&(_, n)| n >= 2).collect();
    shared.sort_unstable();
    shared
        .into_iter()
        .enumerate()
        .map(|(id, (h, n))| (h, (id as u32, n)))
        .collect()
}

/// The word part of a section vector, already scaled by its share.
fn text_entries(
    section: &Section,
    lang: Lang,
    total: usize,
    vocabulary: &Vocabulary,
    counts: &mut FxHashMap<u64, (u32, Span)>,
) -> Vec<Entry> {
    counts.clear();
    for_each_term(section, lang, |h, n, span| {
        counts.entry(h).or_insert((0, span)).0 += n;
    });
    let mut norm2 = 0.0f64;
    let mut kept: Vec<(f64, u32, Span)> = Vec::new();
    for (h, &(tf, span)) in counts.iter() {
        let (id, df) = match vocabulary.get(h) {
            Some(&(id, df)) => (Some(id), df as usize),
            None => (None, 1),
        };
        let w = (1.0 + f64::from(tf).ln()) * idf(total, df);
        norm2 += w * w;
        if let Some(id) = id {
            kept.push((w, id, span));
        }
    }
    kept.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    kept.truncate(MAX_TERMS);
    let scale = (1.0 - TOPIC_SHARE).sqrt() / norm2.sqrt();
    kept.into_iter()
        .map(|(w, id, span)| Entry {
            dim: id,
            weight: (w * scale) as f32,
            span,
        })
        .collect()
}

/// The topic part of a section vector, already scaled by its share.
fn topic_entries(
    topics: impl Iterator<Item = usize>,
    topic_idf: &[f64],
    text_dims: u32,
) -> Vec<Entry> {
    let weighted: Vec<(usize, f64)> = topics
        .filter_map(|t| topic_idf.get(t).map(|&w| (t, w)))
        .collect();
    let norm = weighted.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if norm == 0.0 {
        return Vec::new();
    }
    let scale = TOPIC_SHARE.sqrt() / norm;
    let none = Span::new(false, 0, 0);
    weighted
        .into_iter()
        .map(|(t, w)| Entry {
            dim: text_dims + t as u32,
            weight: (w * scale) as f32,
            span: none,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SectionRef;

    /// The dot product of two vectors (entries sorted by dimension).
    fn dot(a: &[Entry], b: &[Entry]) -> f64 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0f64);
        while i < a.len() && j < b.len() {
            match a[i].dim.cmp(&b[j].dim) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += f64::from(a[i].weight) * f64::from(b[j].weight);
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }

    fn doc(texts: &[&str]) -> Document {
        let sections = texts.iter().map(|t| Section::for_tests("s", "", t));
        Document::for_tests("x.md", sections.collect())
    }

    fn no_topics(docs: &[Document]) -> TopicIndex {
        TopicIndex {
            sections: docs
                .iter()
                .map(|d| vec![Vec::new(); d.sections.len()])
                .collect(),
            documents: vec![Vec::new(); docs.len()],
            postings: Vec::<Vec<SectionRef>>::new(),
        }
    }

    #[test]
    fn vectors_are_unit_length_scaled_to_the_word_share() {
        let docs = [doc(&[
            "Les chats noirs dorment. Les chiens aboient.",
            "Les chats dorment au soleil, les chiens aussi.",
        ])];
        let v = section_vectors(&docs, &no_topics(&docs));
        assert_eq!(v.len(), 2);
        // Only the shared words are kept, so the norm is below the share.
        let n = dot(&v.vectors[0], &v.vectors[0]);
        assert!(n > 0.0 && n <= 1.0 - TOPIC_SHARE + 1e-6, "{n}");
    }

    #[test]
    fn stop_words_numbers_and_single_section_words_are_left_out() {
        let docs = [doc(&["les 2024 homophilie unique", "les 2024 homophilie"])];
        let v = section_vectors(&docs, &no_topics(&docs));
        assert_eq!(v.text_dims, 1, "only « homophilie » is shared and kept");
        let e = &v.vectors[0][0];
        assert_eq!(
            e.span.surface(&docs[0].sections[0]).as_deref(),
            Some("homophilie")
        );
    }
}
