//! The words of every section, read once: each title and text is cut and
//! folded by `normalize` a single time, during topic matching, into compact
//! word ids of a site-wide [`Lexicon`] whose entries carry the folded form
//! and the stem. The later readers of words — section vectors
//! (`link::terms`) and the search index (`search`) — work on those ids and
//! never fold or stem again. (Four separate readings cost about a quarter of
//! a build's CPU.)
//!
//! Ids are varints, 1.45 bytes a word on average, about 21 MB for the 14
//! million words of 10,000 documents (see [`DocWords`]); positions are not
//! kept: the first mention of a topic is found while matching. Instead of a
//! position, the lexicon keeps how the site writes each word
//! ([`Lexicon::surface`], taken once per distinct word while reading): the
//! reason words of a related link are written with it. A build frees the ids
//! once the search index and the section vectors are made
//! (`link::link_dropping_words`).
//!
//! Word ids number words in the order the site first uses them (document by
//! document), so they do not depend on threads; `watch` appends the new
//! words of an edited document. No output depends on the ids' order: the
//! readers sort by text or by stem hash.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHasher};

use super::surfaces::{self, Surfaces};
use crate::model::{Document, Lang};

/// A folded word of one language.
pub type WordId = u32;

/// A stem of one language.
pub type StemId = u32;

/// Every folded word and stem the site uses, in every language.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Per word: its language, folded form and stem.
    words: Vec<(Lang, Box<str>, StemId)>,
    /// Per stem: its language and text.
    stems: Vec<(Lang, Box<str>)>,
    /// Per language (`Lang as usize`): folded word → id, stem text → id.
    word_ids: [FxHashMap<Box<str>, WordId>; 2],
    stem_ids: [FxHashMap<Box<str>, StemId>; 2],
    /// How the site writes each word (see [`Lexicon::surface`]).
    pub(super) surfaces: Surfaces,
}

impl Lexicon {
    /// The id of `folded` in `lang`, added with the stem `stem_of()` gives
    /// and the surface `surface_of()` gives (the word as written, lower-cased,
    /// in the document whose `DocWords::check` is `from`) if it is new.
    pub fn intern(
        &mut self,
        lang: Lang,
        folded: &str,
        stem_of: impl FnOnce() -> String,
        surface_of: impl FnOnce() -> String,
        from: u64,
    ) -> WordId {
        if let Some(&id) = self.word_ids[lang as usize].get(folded) {
            return id;
        }
        let stem = self.stem_id(lang, stem_of());
        let id = self.words.len() as WordId;
        self.words.push((lang, folded.into(), stem));
        self.word_ids[lang as usize].insert(folded.into(), id);
        self.surfaces.push(&surface_of(), folded, from);
        id
    }

    /// How the site writes word `id`, lower-cased: as at its first
    /// occurrence in site order (documents in order, each section's title
    /// then text), whatever the order of reading or `watch`'s edits, so
    /// that a build and a `watch` session agree. « Réseaux » and
    /// « réseaux » are one word `reseaux` whose surface is `réseaux`.
    pub fn surface(&self, id: WordId) -> &str {
        self.surfaces.get(id).unwrap_or_else(|| self.folded(id))
    }

    /// The id of `folded` in `lang`, if the site uses it.
    pub fn id(&self, lang: Lang, folded: &str) -> Option<WordId> {
        self.word_ids[lang as usize].get(folded).copied()
    }

    fn stem_id(&mut self, lang: Lang, text: String) -> StemId {
        if let Some(&id) = self.stem_ids[lang as usize].get(text.as_str()) {
            return id;
        }
        let id = self.stems.len() as StemId;
        let text: Box<str> = text.into();
        self.stems.push((lang, text.clone()));
        self.stem_ids[lang as usize].insert(text, id);
        id
    }

    /// Number of words; ids run from 0 to this, excluded.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Number of stems; stem ids run from 0 to this, excluded.
    pub fn stem_count(&self) -> usize {
        self.stems.len()
    }

    /// The folded form of word `id`.
    pub fn folded(&self, id: WordId) -> &str {
        &self.words[id as usize].1
    }

    /// The language of word `id`.
    pub fn lang(&self, id: WordId) -> Lang {
        self.words[id as usize].0
    }

    /// The stem of word `id`.
    pub fn stem_of(&self, id: WordId) -> StemId {
        self.words[id as usize].2
    }

    /// The language and text of stem `id`.
    pub fn stem(&self, id: StemId) -> (Lang, &str) {
        let (lang, text) = &self.stems[id as usize];
        (*lang, text)
    }
}

/// The words of one document: for section `s`, its title's word ids are
/// part `2s` and its text's part `2s + 1`, read with [`title`] and
/// [`text`]. The title is read even when it is not part of the text
/// (`Section::title_in_text`): search indexes it.
///
/// Ids are kept as LEB128 varints, one after the other: ids number words in
/// the order the site first uses them, so the frequent ones are small and
/// most take one or two bytes (1.45 bytes a word on average at 10,000
/// generated documents, against 4 as `u32`: the words of 100,000 documents
/// took 570 MB, alive until the section vectors are made).
///
/// The documents read together in a run of `topics::read` keep the ids the
/// run gave its words, with the run's table of their site ids, which
/// [`Ids`] applies as it decodes: translating each document's ids once
/// (decoding and encoding every varint again) was 2.4 % of a build, a
/// lookup per word read costs less.
///
/// [`title`]: DocWords::title
/// [`text`]: DocWords::text
#[derive(Debug, Clone, Default)]
pub struct DocWords {
    /// The varints of every part, one after the other.
    bytes: Vec<u8>,
    /// Where each part ends in `bytes` (the first part starts at 0).
    bounds: Vec<u32>,
    /// A hash of the texts read, to tell words that no longer match their
    /// document (see [`SiteWords::refresh`]).
    check: u64,
    /// The site id of each id of `bytes` when they were numbered apart
    /// (shared by the documents of a run); empty when they are site ids.
    site_ids: Arc<[WordId]>,
}

/// The word ids of one title or text, in order (see [`DocWords`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ids<'a> {
    bytes: &'a [u8],
    /// See `DocWords::site_ids`: an id past its end is a site id.
    site_ids: &'a [WordId],
}

impl Ids<'_> {
    /// No words.
    pub const EMPTY: Ids<'static> = Ids {
        bytes: &[],
        site_ids: &[],
    };

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl Iterator for Ids<'_> {
    type Item = WordId;

    #[inline]
    fn next(&mut self) -> Option<WordId> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        let id = if first < 0x80 {
            WordId::from(first)
        } else {
            self.decode_rest(first)
        };
        Some(self.site_ids.get(id as usize).copied().unwrap_or(id))
    }
}

impl Ids<'_> {
    /// The id whose varint starts with `first` (at least two bytes).
    #[inline]
    fn decode_rest(&mut self, first: u8) -> WordId {
        let mut id = WordId::from(first & 0x7f);
        let mut shift = 7;
        while let Some((&b, rest)) = self.bytes.split_first() {
            self.bytes = rest;
            id |= WordId::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b < 0x80 {
                break;
            }
            shift += 7;
        }
        id
    }
}

impl DocWords {
    /// Starts the words of `doc`; sections are added with [`push`] and
    /// [`close`].
    ///
    /// [`push`]: DocWords::push
    /// [`close`]: DocWords::close
    pub fn begin(doc: &Document) -> DocWords {
        DocWords {
            bytes: Vec::new(),
            bounds: Vec::new(),
            check: check(doc),
            site_ids: Arc::default(),
        }
    }

    /// Starts the words of `doc` in the buffers of `self` (see [`take`]).
    ///
    /// [`take`]: DocWords::take
    pub fn restart(&mut self, doc: &Document) {
        self.bytes.clear();
        self.bounds.clear();
        self.check = check(doc);
        self.site_ids = Arc::default();
    }

    /// Adds a word to the title or the text being read.
    #[inline]
    pub fn push(&mut self, id: WordId) {
        let mut v = id;
        while v >= 0x80 {
            self.bytes.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        self.bytes.push(v as u8);
    }

    /// Closes the title or the text of the section being read.
    pub fn close(&mut self) {
        self.bounds.push(self.bytes.len() as u32);
    }

    /// The words read, at their exact size, leaving `self` empty to read
    /// the next document with the same buffers: the words of a site are
    /// tens of megabytes, kept until the section vectors are made, and
    /// growing each document's list by doubling left as much again behind.
    pub fn take(&mut self) -> DocWords {
        let words = DocWords {
            bytes: self.bytes.as_slice().into(),
            bounds: self.bounds.as_slice().into(),
            check: self.check,
            site_ids: self.site_ids.clone(),
        };
        self.bytes.clear();
        self.bounds.clear();
        words
    }

    /// The same words, their ids `i` numbered apart and read as
    /// `site_ids[i]` (see [`DocWords`]).
    pub fn with_site_ids(self, site_ids: Arc<[WordId]>) -> DocWords {
        DocWords { site_ids, ..self }
    }

    /// Number of sections read.
    pub fn sections(&self) -> usize {
        self.bounds.len() / 2
    }

    /// The word ids of section `s`'s title.
    pub fn title(&self, s: usize) -> Ids<'_> {
        self.part(2 * s)
    }

    /// The word ids of section `s`'s text.
    pub fn text(&self, s: usize) -> Ids<'_> {
        self.part(2 * s + 1)
    }

    fn part(&self, i: usize) -> Ids<'_> {
        let start = match i.checked_sub(1) {
            None => Some(0),
            Some(j) => self.bounds.get(j).copied(),
        };
        let bytes = match (start, self.bounds.get(i)) {
            (Some(a), Some(&b)) => self.bytes.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        };
        Ids {
            bytes,
            site_ids: &self.site_ids,
        }
    }

    /// Every word id, title and text of every section, in order.
    pub fn all(&self) -> Ids<'_> {
        Ids {
            bytes: &self.bytes,
            site_ids: &self.site_ids,
        }
    }

    /// The hash of the texts read (what [`DocWords::matches`] compares).
    pub fn check(&self) -> u64 {
        self.check
    }

    /// Whether these are the words of `doc` as it is now.
    pub fn matches(&self, doc: &Document) -> bool {
        self.sections() == doc.sections.len() && self.check == check(doc)
    }
}

/// A hash of the titles and texts of `doc`'s sections, and its language.
fn check(doc: &Document) -> u64 {
    let mut h = FxHasher::default();
    (doc.lang as u8).hash(&mut h);
    for s in &doc.sections {
        s.title.hash(&mut h);
        s.text.hash(&mut h);
    }
    h.finish()
}

/// The words of every document of a site, in site order.
#[derive(Debug, Clone, Default)]
pub struct SiteWords {
    pub lexicon: Lexicon,
    pub docs: Vec<DocWords>,
}

impl SiteWords {
    /// Reads the words of `documents` (without matching topics).
    pub fn read(documents: &[Document]) -> SiteWords {
        let mut words = SiteWords::default();
        words.refresh(documents);
        words
    }

    /// Whether these words cover `documents` (same count of documents and
    /// of sections in each), as the readers check before trusting them.
    pub fn covers(&self, documents: &[Document]) -> bool {
        self.docs.len() == documents.len()
            && self
                .docs
                .iter()
                .zip(documents)
                .all(|(w, d)| w.sections() == d.sections.len())
    }

    /// Makes the words those of `documents`: documents whose words are
    /// missing or stale (edited, added or moved by `watch`) are read again,
    /// their new words added to the lexicon; the others are kept (found by
    /// their hash if they moved). Costs a hash of the texts when nothing changed.
    pub fn refresh(&mut self, documents: &[Document]) {
        use rayon::prelude::*;
        let fresh: Vec<bool> = documents
            .par_iter()
            .enumerate()
            .map(|(d, doc)| self.docs.get(d).is_some_and(|w| w.matches(doc)))
            .collect();
        if self.docs.len() == documents.len() && fresh.iter().all(|&f| f) {
            if self.lexicon.surfaces.stale {
                surfaces::fix(self, documents);
            }
            return;
        }
        let had_words = !self.lexicon.is_empty();
        let mut old: FxHashMap<u64, DocWords> = std::mem::take(&mut self.docs)
            .into_iter()
            .map(|w| (w.check, w))
            .collect();
        let lexicon = &mut self.lexicon;
        self.docs = documents
            .iter()
            .map(|doc| match old.remove(&check(doc)) {
                Some(w) if w.sections() == doc.sections.len() => w,
                _ => read_document(lexicon, doc),
            })
            .collect();
        if had_words {
            surfaces::fix(self, documents);
        }
    }
}

impl SiteWords {
    /// Reads again the words of document `d`, now `doc` (an edit in place).
    pub fn update(&mut self, d: usize, doc: &Document) {
        if let Some(words) = self.docs.get_mut(d)
            && !words.matches(doc)
        {
            *words = read_document(&mut self.lexicon, doc);
            self.lexicon.surfaces.stale = true;
        }
    }
}

/// Reads the words of one document into `lexicon`.
pub fn read_document(lexicon: &mut Lexicon, doc: &Document) -> DocWords {
    use super::normalize::{for_each_folded, stem};
    let lang = doc.lang;
    let mut words = DocWords::begin(doc);
    let from = words.check;
    for section in &doc.sections {
        for text in [&section.title, &section.text] {
            for_each_folded(text, lang, |folded, start, end| {
                let surface = || text[start..end].to_lowercase();
                let id = lexicon.intern(lang, folded, || stem(lang, folded), surface, from);
                words.push(id);
            });
            words.close();
        }
    }
    words.take()
}

/// Equal when they hold the same words, whatever their ids.
impl PartialEq for SiteWords {
    fn eq(&self, other: &SiteWords) -> bool {
        let spell = |w: &SiteWords, d: &DocWords| -> Vec<Vec<(Lang, String)>> {
            (0..d.bounds.len())
                .map(|part| {
                    d.part(part)
                        .map(|id| (w.lexicon.lang(id), w.lexicon.folded(id).to_owned()))
                        .collect()
                })
                .collect()
        };
        self.docs.len() == other.docs.len()
            && self
                .docs
                .iter()
                .zip(&other.docs)
                .all(|(a, b)| a.check == b.check && spell(self, a) == spell(other, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Section;

    fn doc(sections: &[(&str, &str)]) -> Document {
        let sections = sections
            .iter()
            .map(|(title, text)| Section::for_tests("s", title, text));
        Document::for_tests("a.md", sections.collect())
    }

    fn spelled(w: &SiteWords, ids: Ids) -> Vec<String> {
        ids.map(|i| w.lexicon.folded(i).to_owned()).collect()
    }

    #[test]
    fn titles_and_texts_are_read_apart() {
        let docs = [doc(&[("Réseaux", "Les réseaux, l’homophilie."), ("", "")])];
        let w = SiteWords::read(&docs);
        assert_eq!(w.docs[0].sections(), 2);
        assert_eq!(spelled(&w, w.docs[0].title(0)), ["reseaux"]);
        assert_eq!(
            spelled(&w, w.docs[0].text(0)),
            ["les", "reseaux", "homophilie"]
        );
        assert!(w.docs[0].text(1).is_empty());
        // One id per distinct word, its stem known.
        let reseaux = w.docs[0].title(0).next().unwrap();
        assert_eq!(w.docs[0].text(0).nth(1), Some(reseaux));
        let stem = w.lexicon.stem_of(reseaux);
        assert_eq!(w.lexicon.stem(stem), (Lang::Fr, "reseau"));
    }

    #[test]
    fn refresh_reads_only_what_changed() {
        let mut docs = vec![doc(&[("", "un chat")]), doc(&[("", "un chien")])];
        let mut w = SiteWords::read(&docs);
        let before = w.lexicon.len();
        w.refresh(&docs);
        assert_eq!(w.lexicon.len(), before);
        // Edited, and moved first.
        docs[0] = doc(&[("", "un oiseau")]);
        docs.swap(0, 1);
        w.refresh(&docs);
        assert_eq!(spelled(&w, w.docs[0].text(0)), ["un", "chien"]);
        assert_eq!(spelled(&w, w.docs[1].text(0)), ["un", "oiseau"]);
        assert_eq!(w, SiteWords::read(&docs));
        assert!(w.covers(&docs));
        assert!(!w.covers(&docs[..1]));
    }

    #[test]
    fn ids_of_any_size_read_back() {
        let ids = [0, 1, 127, 128, 300, 16_383, 16_384, 1 << 21, WordId::MAX];
        let mut words = DocWords::default();
        for &id in &ids {
            words.push(id);
        }
        words.close();
        words.close();
        let words = words.take();
        assert_eq!(words.title(0).collect::<Vec<_>>(), ids);
        assert!(words.text(0).is_empty());
        assert_eq!(words.sections(), 1);
        // Numbered apart: ids past the table are site ids.
        let to: Vec<WordId> = (0..400).map(|i| 399 - i).collect();
        let remapped = words.with_site_ids(to.into());
        assert_eq!(
            remapped.title(0).take(6).collect::<Vec<_>>(),
            [399, 398, 272, 271, 99, 16_383]
        );
        assert_eq!(remapped.title(0).count(), ids.len());
        assert_eq!(remapped.all().count(), ids.len());
    }
}
