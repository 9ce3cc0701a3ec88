//! Builds one in-memory index from the documents: the site's stems with
//! their postings (which sections hold them, and how strongly) and the
//! vocabulary of folded words, each pointing to its stems.
//!
//! Sections are numbered in site order (document by document), so a posting
//! list is a sorted list of section numbers and the browser finds a section's
//! fragment file by division.

use std::cmp::Ordering;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::encode;
use super::terms::{Level, Lexicon, SectionReader, StemId};
use crate::model::{Document, Lang};
use crate::topics::normalize::for_each_folded;
use crate::topics::words::{DocWords, Lexicon as SiteLexicon, SiteWords};

/// A stem of one language. The same string in two languages is two stems:
/// « pass » in English and in French are different words.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Stem {
    pub lang: u8,
    pub text: String,
}

impl Stem {
    pub fn new(lang: Lang, text: &str) -> Stem {
        Stem {
            lang: lang as u8,
            text: text.to_owned(),
        }
    }
}

/// One section holding a stem, and how strongly: the section number and the
/// level packed in 32 bits (`section << 2 | level`), as `encode::postings`
/// (the reference encoder) takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Posting(u32);

impl Posting {
    /// Sections are numbered below 2³⁰ (a billion); the level is 2 bits.
    pub fn new(section: u32, level: Level) -> Posting {
        debug_assert!(section < 1 << 30, "section number {section} out of range");
        Posting((section << 2) | u32::from(level & 3))
    }

    pub fn section(self) -> u32 {
        self.0 >> 2
    }

    pub fn level(self) -> Level {
        (self.0 & 3) as Level
    }
}

impl PartialEq<(u32, Level)> for Posting {
    fn eq(&self, other: &(u32, Level)) -> bool {
        (self.section(), self.level()) == *other
    }
}

impl PartialEq<Posting> for (u32, Level) {
    fn eq(&self, other: &Posting) -> bool {
        other == self
    }
}

/// The whole index in memory, before it is cut into files. Postings are
/// kept as the files hold them (`encode`): a byte or two per posting rather
/// than four, in one buffer rather than a list per stem (at 100,000
/// documents some 80 million postings over hundreds of thousands of stems).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchIndex {
    /// Sorted, so that stems sharing a beginning (the stems a prefix finds)
    /// land in the same posting file.
    pub stems: Vec<Stem>,
    /// Every stem's encoded postings, one after the other.
    encoded: Vec<u8>,
    /// `ends[stem]`: where the stem's encoded postings end in `encoded`.
    ends: Vec<usize>,
    /// `counts[stem]`: the number of sections holding it; 0 for a stem known
    /// only from a topic alias.
    counts: Vec<u32>,
    /// Folded words, sorted, each with its stems (one per language using it).
    pub words: Vec<(String, Vec<u32>)>,
    /// Number of sections: section numbers run from 0 to this, excluded.
    pub sections: u32,
}

/// The postings of one stem while the index is built: already in the sparse
/// encoding of the files (`encode`), without its tag byte.
#[derive(Debug, Clone, Default)]
struct Postings {
    /// Varints `gap << 2 | level`, the gaps counted from the run's start.
    bytes: Vec<u8>,
    /// The section after the last one added (what the next gap counts from).
    next: u32,
    count: u32,
}

impl Postings {
    fn push(&mut self, section: u32, level: Level) {
        let gap = section.saturating_sub(self.next);
        encode::varint(
            &mut self.bytes,
            (u64::from(gap) << 2) | u64::from(level & 3),
        );
        self.next = section.saturating_add(1);
        self.count += 1;
    }

    /// Appends `later`, whose sections were numbered from `offset` on (a run
    /// built after this one): only its first gap changes.
    fn append(&mut self, later: &Postings, offset: u32) {
        if later.count == 0 {
            return;
        }
        let Some((first, used)) = encode::read_varint(&later.bytes) else {
            return;
        };
        let section = offset.saturating_add((first >> 2) as u32);
        let gap = section.saturating_sub(self.next);
        encode::varint(&mut self.bytes, (u64::from(gap) << 2) | (first & 3));
        self.bytes.extend_from_slice(&later.bytes[used..]);
        self.next = offset.saturating_add(later.next);
        self.count += later.count;
    }
}

/// Builds the index of a run of documents; runs built apart (in parallel)
/// are then merged in site order.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    lexicon: Lexicon,
    reader: SectionReader,
    /// Per lexicon stem: the sections holding it.
    postings: Vec<Postings>,
    sections: u32,
}

impl IndexBuilder {
    /// Adds the sections of a document, numbered after those added before,
    /// from the words the topics stage read (`topics::words`).
    pub fn add_words(&mut self, doc: &DocWords, site: &SiteLexicon) {
        for s in 0..doc.sections() {
            let number = self.sections;
            let postings = &mut self.postings;
            self.reader.read_words(
                &mut self.lexicon,
                site,
                doc.title(s),
                doc.text(s),
                |stem, level| {
                    let i = stem as usize;
                    if i >= postings.len() {
                        postings.resize_with(i + 1, Postings::default);
                    }
                    postings[i].push(number, level);
                },
            );
            self.sections += 1;
        }
    }

    /// Adds the words of `phrase` to the vocabulary without any section:
    /// the words of topic names and aliases, so that typing one finds the
    /// topic even if no section uses it.
    pub fn add_phrase(&mut self, lang: Lang, phrase: &str) {
        let lexicon = &mut self.lexicon;
        for_each_folded(phrase, lang, |folded, _, _| {
            lexicon.word(lang, folded);
        });
    }

    /// Joins runs built apart, in site order (each run's sections numbered
    /// after the previous runs'). Every merged list is allocated once at its
    /// final length (growing them run by run would copy and over-allocate),
    /// and each run's lists are freed as soon as they are copied.
    pub fn merge(parts: Vec<IndexBuilder>) -> IndexBuilder {
        let mut all = IndexBuilder::default();
        let ids: Vec<Vec<StemId>> = parts
            .iter()
            .map(|part| {
                let ids: Vec<StemId> = part
                    .lexicon
                    .stems
                    .iter()
                    .map(|(lang, text)| all.lexicon.stem(*lang, text))
                    .collect();
                for (lang, folded, stem) in part.lexicon.words_by_lang() {
                    all.lexicon.insert_word(lang, folded, ids[stem as usize]);
                }
                ids
            })
            .collect();
        // A run's first gap may take a few bytes more once renumbered.
        let mut lengths = vec![0usize; all.lexicon.stems.len()];
        for (part, ids) in parts.iter().zip(&ids) {
            for (stem, list) in part.postings.iter().enumerate() {
                lengths[ids[stem] as usize] += list.bytes.len() + 5;
            }
        }
        all.postings = lengths
            .into_iter()
            .map(|n| Postings {
                bytes: Vec::with_capacity(n),
                ..Postings::default()
            })
            .collect();
        for (part, ids) in parts.into_iter().zip(&ids) {
            let offset = all.sections;
            for (stem, list) in part.postings.into_iter().enumerate() {
                all.postings[ids[stem] as usize].append(&list, offset);
            }
            all.sections += part.sections;
        }
        all
    }

    /// Sorts stems (renumbering them) and words, and lays the postings out
    /// in one buffer, each list freed once copied.
    pub fn finish(mut self) -> SearchIndex {
        let count = self.lexicon.stems.len();
        self.postings.resize_with(count, Postings::default);
        let mut order: Vec<usize> = (0..count).collect();
        let key = |i: usize| {
            let (lang, text) = &self.lexicon.stems[i];
            (*lang as u8, text.as_str())
        };
        order.sort_unstable_by(|&a, &b| key(a).cmp(&key(b)));
        let mut new_id = vec![0u32; count];
        for (new, &old) in order.iter().enumerate() {
            new_id[old] = new as u32;
        }
        let total: usize = self.postings.iter().map(|p| p.bytes.len() + 1).sum();
        let mut index = SearchIndex {
            sections: self.sections,
            encoded: Vec::with_capacity(total),
            ..SearchIndex::default()
        };
        index.stems.reserve_exact(count);
        index.ends.reserve_exact(count);
        index.counts.reserve_exact(count);
        for &old in &order {
            let (lang, text) = &self.lexicon.stems[old];
            index.stems.push(Stem::new(*lang, text));
            let list = std::mem::take(&mut self.postings[old]);
            encode::finish_postings(&mut index.encoded, &list.bytes, self.sections);
            index.ends.push(index.encoded.len());
            index.counts.push(list.count);
        }
        let mut words: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
        for (word, stem) in self.lexicon.words() {
            words.entry(word).or_default().push(new_id[stem as usize]);
        }
        index.words = words
            .into_iter()
            .map(|(w, mut ids)| {
                ids.sort_unstable();
                ids.dedup();
                (w.to_owned(), ids)
            })
            .collect();
        index.words.sort_unstable_by(|a, b| js_order(&a.0, &b.0));
        index
    }
}

/// Builds the index of `docs` (in site order) with the extra `phrases`,
/// in parallel over runs of documents.
pub fn build(docs: &[Document], phrases: &[(Lang, &str)]) -> SearchIndex {
    build_from_words(docs, &SiteWords::read(docs), phrases)
}

/// [`build`] from the words the topics stage read (read again here if they
/// do not cover `docs`).
pub fn build_from_words(
    docs: &[Document],
    words: &SiteWords,
    phrases: &[(Lang, &str)],
) -> SearchIndex {
    let read;
    let words = if words.covers(docs) {
        words
    } else {
        read = SiteWords::read(docs);
        &read
    };
    let run = docs
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(64);
    let parts: Vec<IndexBuilder> = words
        .docs
        .par_chunks(run)
        .map(|chunk| {
            let mut b = IndexBuilder::default();
            chunk.iter().for_each(|d| b.add_words(d, &words.lexicon));
            b
        })
        .collect();
    let mut all = IndexBuilder::merge(parts);
    for &(lang, phrase) in phrases {
        all.add_phrase(lang, phrase);
    }
    all.finish()
}

/// The order of JavaScript's `<` on strings (UTF-16 code units), in which
/// the vocabulary is sorted so that the browser's binary search agrees; it
/// differs from Rust's byte order only beyond U+FFFF.
pub fn js_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

impl SearchIndex {
    /// The stems of a folded word, if the site has it.
    pub fn stems_of(&self, folded: &str) -> &[u32] {
        self.words
            .binary_search_by(|(w, _)| js_order(w, folded))
            .map_or(&[], |i| &self.words[i].1)
    }

    /// Number of sections holding `stem`.
    pub fn df(&self, stem: u32) -> usize {
        self.counts[stem as usize] as usize
    }

    /// The postings of `stem` as the posting files hold them (`encode`).
    pub fn encoded(&self, stem: u32) -> &[u8] {
        let i = stem as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.encoded[start..self.ends[i]]
    }

    /// The sections holding `stem`, ascending, with their levels.
    pub fn postings(&self, stem: u32) -> Vec<(u32, Level)> {
        encode::decode_postings(self.encoded(stem)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Section;
    use crate::search::terms::{LEVEL_BODY, LEVEL_TITLE};

    fn doc(lang: Lang, sections: &[(&str, &str)]) -> Document {
        let mut d = Document::for_tests(
            "a.md",
            sections
                .iter()
                .map(|(title, text)| Section::for_tests("s", title, text))
                .collect(),
        );
        d.slug = "a".into();
        d.title = "A".into();
        d.lang = lang;
        d
    }

    #[test]
    fn sections_are_numbered_across_documents_and_runs() {
        let a = doc(Lang::Fr, &[("Peur", "x"), ("Vide", "")]);
        let b = doc(Lang::Fr, &[("Autre", "des peurs")]);
        let index = build(&[a.clone(), b.clone()], &[]);
        assert_eq!(index.sections, 3);
        let peur = index.stems_of("peur")[0];
        assert_eq!(index.stems_of("peurs"), [peur]);
        assert_eq!(index.postings(peur), [(0, LEVEL_TITLE), (2, LEVEL_BODY)]);
        // Built in two runs and merged: the same index.
        let words = SiteWords::read(&[a, b]);
        let mut first = IndexBuilder::default();
        first.add_words(&words.docs[0], &words.lexicon);
        let mut second = IndexBuilder::default();
        second.add_words(&words.docs[1], &words.lexicon);
        let merged = IndexBuilder::merge(vec![first, second]);
        assert_eq!(merged.finish(), index);
    }

    #[test]
    fn stems_are_sorted_and_per_language() {
        let fr = doc(Lang::Fr, &[("", "passe abc")]);
        let en = doc(Lang::En, &[("", "passe")]);
        let index = build(&[fr, en], &[]);
        let texts: Vec<&str> = index.stems.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["abc", "pass", "pass"]);
        assert_eq!(index.stems_of("passe").len(), 2);
        assert!(index.words.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(js_order("\u{ffff}", "\u{10000}"), Ordering::Greater);
    }

    #[test]
    fn phrase_words_are_findable_without_postings() {
        let index = build(&[], &[(Lang::Fr, "FOMO")]);
        let id = index.stems_of("fomo")[0];
        assert_eq!(index.df(id), 0);
        assert!(index.stems_of("absent").is_empty());
    }
}
