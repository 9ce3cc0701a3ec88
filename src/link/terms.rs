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
//! The words are those the topics stage read once as ids
//! (`topics::words`): terms are looked up per word id, document frequencies
//! counted in a first parallel pass over the ids and vectors built in a
//! second one, with dense per-term counters rather than hash maps. A kept
//! term remembers the word id of its first occurrence in the section: the
//! reason word of a related link, written as the site writes that word
//! (`Lexicon::surface`), so the text is never cut again.

use rayon::prelude::*;

use super::reasons::Surfaces;
use crate::model::{Document, Section};
use crate::topics::TopicIndex;
use crate::topics::normalize::word_hash;
use crate::topics::stopwords::is_stop_word;
use crate::topics::words::{DocWords, Ids, Lexicon, SiteWords, StemId, WordId};

/// Share of the score given to shared topics; the rest goes to shared words.
pub const TOPIC_SHARE: f64 = 0.5;

/// Words kept per section. Lucene's MoreLikeThis settles on 25 query terms
/// for the same job; a few more or less hardly changes the ranking.
pub const MAX_TERMS: usize = 24;

/// How many times a word of a heading counts.
const TITLE_BOOST: u32 = 2;

/// One non-zero coordinate of a section vector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// A word (`< text_dims`) or topic `dim − text_dims`.
    pub dim: u32,
    pub weight: f32,
    /// The word of the term's first occurrence in the section (`title`
    /// first), which a related link gives as its reason (`NO_WORD` for a
    /// topic): an index into `SectionVectors::surfaces`.
    pub word: WordId,
}

/// The `Entry::word` of a topic.
pub const NO_WORD: WordId = WordId::MAX;

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
    /// How the site writes each word of `Entry::word`.
    pub surfaces: Surfaces,
}

impl SectionVectors {
    /// Number of sections (also once `vectors` is taken, as the ranking does).
    pub fn len(&self) -> usize {
        self.doc_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.doc_of.is_empty()
    }

    /// `(doc, section)` of global section index `g`.
    pub fn locate(&self, g: usize) -> (usize, usize) {
        let doc = self.doc_of[g] as usize;
        (doc, g - self.first[doc])
    }

    /// Global section index `g` as a section of its document.
    pub fn target(&self, g: usize) -> crate::model::SectionRef {
        let (doc, section) = self.locate(g);
        crate::model::SectionRef { doc, section }
    }

    pub fn is_topic(&self, dim: u32) -> bool {
        dim >= self.text_dims
    }
}

/// Builds the vectors of every section, from the words the topics stage
/// read (`TopicIndex::words`), or read here if they do not cover `documents`.
pub fn section_vectors(documents: &[Document], topics: &TopicIndex) -> SectionVectors {
    let read;
    let words = if topics.words.covers(documents) {
        &topics.words
    } else {
        read = SiteWords::read(documents);
        &read
    };
    let mut first = Vec::with_capacity(documents.len());
    let mut doc_of = Vec::new();
    for (d, doc) in documents.iter().enumerate() {
        first.push(doc_of.len());
        doc_of.extend(std::iter::repeat_n(d as u32, doc.sections.len()));
    }
    let total = doc_of.len();
    let terms = Terms::new(&words.lexicon);
    let df = document_frequencies(documents, words, &terms);
    // Words found in two sections or more are numbered in the order of
    // their hash (the terms' order), so that dimensions never depend on
    // threads or on word ids.
    let mut dims = vec![NO_DIM; terms.count];
    let mut text_dims = 0u32;
    for (t, &n) in df.iter().enumerate() {
        if n >= 2 {
            dims[t] = text_dims;
            text_dims += 1;
        }
    }
    let topic_idf: Vec<f64> = topics
        .postings
        .iter()
        .map(|p| idf(total, p.len()))
        .collect();
    let ctx = Weighing::new(&terms, &df, &dims, total);
    let mut vectors: Vec<Vec<Entry>> = documents
        .par_iter()
        .zip(&words.docs)
        .enumerate()
        .with_min_len(16)
        .map_init(
            || Scratch::new(terms.count),
            |scratch, (d, (doc, doc_words))| {
                doc.sections
                    .iter()
                    .enumerate()
                    .map(|(s, sec)| {
                        let section_topics = topics
                            .sections
                            .get(d)
                            .and_then(|x| x.get(s))
                            .map_or(&[][..], Vec::as_slice);
                        let title = section_title(sec, doc_words, s);
                        let text = doc_words.text(s);
                        let mut v = ctx.text_entries(title, text, section_topics.len(), scratch);
                        let topic_ids = section_topics.iter().map(|t| t.topic);
                        v.extend(topic_entries(topic_ids, &topic_idf, text_dims));
                        v.sort_by_key(|e| e.dim);
                        v
                    })
                    .collect::<Vec<_>>()
            },
        )
        .flatten()
        .collect();
    let surfaces = number_words(&mut vectors, &words.lexicon);
    SectionVectors {
        vectors,
        doc_of,
        first,
        text_dims,
        surfaces,
    }
}

/// Numbers the words the vectors keep, in site order, and writes them out
/// (the lexicon is gone by the time render needs them).
fn number_words(vectors: &mut [Vec<Entry>], lexicon: &Lexicon) -> Surfaces {
    let mut number = vec![NO_WORD; lexicon.len()];
    let mut surfaces = Surfaces::with_words(lexicon.len() / 4);
    for e in vectors.iter_mut().flatten() {
        if let Some(n) = number.get_mut(e.word as usize) {
            if *n == NO_WORD {
                *n = surfaces.push(lexicon, e.word);
            }
            e.word = *n;
        }
    }
    surfaces
}

/// `ln(1 + N / df)`: never zero, so a word or topic found everywhere still
/// counts a little.
fn idf(total: usize, df: usize) -> f64 {
    if df == 0 {
        return 0.0;
    }
    (1.0 + total as f64 / df as f64).ln()
}

/// The word ids of a section's title, if its title counts (is part of its text).
fn section_title<'w>(section: &Section, words: &'w DocWords, s: usize) -> Ids<'w> {
    if section.title_in_text {
        words.title(s)
    } else {
        Ids::EMPTY
    }
}

/// The term of a word no section vector keeps (stop word, number, single
/// letter).
const DROPPED: u32 = u32::MAX;

/// No dimension: a term found in one section only.
const NO_DIM: u32 = u32::MAX;

/// The terms of the site's words: a term is the hash of a stem, so that a
/// stem written alike in two languages is one term, as it always was.
/// Terms are numbered in the order of their hash.
struct Terms {
    /// Per word id: its term, or `DROPPED`.
    of_word: Vec<u32>,
    count: usize,
}

impl Terms {
    fn new(lexicon: &Lexicon) -> Terms {
        let stem_hash: Vec<Option<u64>> = (0..lexicon.stem_count() as StemId)
            .map(|s| {
                let (lang, stem) = lexicon.stem(s);
                let kept = stem.len() >= 2
                    && !stem.bytes().all(|b| b.is_ascii_digit())
                    && !is_stop_word(stem, lang);
                kept.then(|| word_hash(stem))
            })
            .collect();
        let mut hashes: Vec<u64> = stem_hash.iter().flatten().copied().collect();
        hashes.sort_unstable();
        hashes.dedup();
        let of_stem: Vec<u32> = stem_hash
            .iter()
            .map(|h| {
                h.and_then(|h| hashes.binary_search(&h).ok())
                    .map_or(DROPPED, |t| t as u32)
            })
            .collect();
        let of_word = (0..lexicon.len() as WordId)
            .map(|w| of_stem[lexicon.stem_of(w) as usize])
            .collect();
        Terms {
            of_word,
            count: hashes.len(),
        }
    }

    fn of(&self, word: WordId) -> u32 {
        self.of_word.get(word as usize).copied().unwrap_or(DROPPED)
    }
}

/// In how many sections each term occurs.
fn document_frequencies(documents: &[Document], words: &SiteWords, terms: &Terms) -> Vec<u32> {
    let count = terms.count;
    documents
        .par_iter()
        .zip(&words.docs)
        .with_min_len(64)
        .fold(
            || (vec![0u32; count], vec![0u32; count], 0u32),
            |(mut df, mut seen, mut stamp), (doc, doc_words)| {
                for (s, sec) in doc.sections.iter().enumerate() {
                    stamp += 1;
                    let title = section_title(sec, doc_words, s);
                    for w in title.chain(doc_words.text(s)) {
                        let t = terms.of(w);
                        if t != DROPPED && seen[t as usize] != stamp {
                            seen[t as usize] = stamp;
                            df[t as usize] += 1;
                        }
                    }
                }
                (df, seen, stamp)
            },
        )
        .map(|(df, _, _)| df)
        .reduce(
            || vec![0u32; count],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

/// Counts of the section being weighed, per term.
struct Scratch {
    tf: Vec<u32>,
    /// The word of the term's first occurrence.
    first: Vec<WordId>,
    /// Terms met, in order of first occurrence.
    touched: Vec<u32>,
    /// `(weight, dimension, word)` of the terms with a dimension.
    kept: Vec<(f64, u32, WordId)>,
}

impl Scratch {
    fn new(count: usize) -> Scratch {
        Scratch {
            tf: vec![0; count],
            first: vec![0; count],
            touched: Vec::new(),
            kept: Vec::new(),
        }
    }

    fn count(&mut self, terms: &Terms, words: Ids, boost: u32) {
        for w in words {
            let t = terms.of(w);
            if t == DROPPED {
                continue;
            }
            let i = t as usize;
            if self.tf[i] == 0 {
                self.touched.push(t);
                self.first[i] = w;
            }
            self.tf[i] += boost;
        }
    }
}

/// Term frequencies whose `1 + ln tf` is in a table: most of them (a term
/// of a section is rarely met more than a few dozen times).
const TF_TABLE: usize = 64;

/// What weighs a section's words: the site's terms and their frequencies.
struct Weighing<'a> {
    terms: &'a Terms,
    dims: &'a [u32],
    /// Per term: `idf(total, df)`, computed once rather than per section
    /// it occurs in (two `ln` per word of each section were 3 % of a build).
    idf: Vec<f64>,
    /// `1 + ln tf` for `tf < TF_TABLE`.
    tf_weight: [f64; TF_TABLE],
}

impl<'a> Weighing<'a> {
    fn new(terms: &'a Terms, df: &[u32], dims: &'a [u32], total: usize) -> Weighing<'a> {
        let mut tf_weight = [0.0; TF_TABLE];
        for (tf, w) in tf_weight.iter_mut().enumerate().skip(1) {
            *w = 1.0 + (tf as f64).ln();
        }
        Weighing {
            terms,
            dims,
            idf: df.iter().map(|&n| idf(total, n as usize)).collect(),
            tf_weight,
        }
    }

    fn tf_weight(&self, tf: u32) -> f64 {
        match self.tf_weight.get(tf as usize) {
            Some(&w) => w,
            None => 1.0 + f64::from(tf).ln(),
        }
    }

    /// The word part of a section vector, already scaled by its share, with
    /// room for `topics` more entries.
    fn text_entries(
        &self,
        title: Ids,
        text: Ids,
        topics: usize,
        scratch: &mut Scratch,
    ) -> Vec<Entry> {
        scratch.count(self.terms, title, TITLE_BOOST);
        scratch.count(self.terms, text, 1);
        let mut norm2 = 0.0f64;
        let kept = &mut scratch.kept;
        kept.clear();
        for t in scratch.touched.drain(..) {
            let i = t as usize;
            let tf = std::mem::take(&mut scratch.tf[i]);
            let w = self.tf_weight(tf) * self.idf[i];
            norm2 += w * w;
            if self.dims[i] != NO_DIM {
                kept.push((w, self.dims[i], scratch.first[i]));
            }
        }
        // The `MAX_TERMS` heaviest, ties to the lower dimension (dimensions
        // are distinct, so the order is total), in no order: the vector is
        // sorted by dimension once its topics are added.
        let heaviest = |a: &(f64, u32, WordId), b: &(f64, u32, WordId)| {
            b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
        };
        if kept.len() > MAX_TERMS {
            kept.select_nth_unstable_by(MAX_TERMS - 1, heaviest);
            kept.truncate(MAX_TERMS);
        }
        let scale = (1.0 - TOPIC_SHARE).sqrt() / norm2.sqrt();
        let mut entries = Vec::with_capacity(kept.len() + topics);
        entries.extend(kept.iter().map(|&(w, dim, word)| Entry {
            dim,
            weight: (w * scale) as f32,
            word,
        }));
        entries
    }
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
    weighted
        .into_iter()
        .map(|(t, w)| Entry {
            dim: text_dims + t as u32,
            weight: (w * scale) as f32,
            word: NO_WORD,
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
            words: Default::default(),
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
        assert_eq!(v.surfaces.get(e.word), Some("homophilie"));
    }
}
