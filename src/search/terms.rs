//! Reads sections into stems with a coarse weight, the `Level`.
//!
//! Every word goes through the tokenizer of topic matching
//! ([`for_each_folded`], then [`stem`]: what [`for_each_token`] does), so
//! search and topic pages agree on what a word is. The topics stage has
//! already read every section into word ids (`topics::words`), stems known,
//! and [`SectionReader::read_words`] only counts them; a [`Lexicon`] maps
//! them to its own stem numbers once per distinct word.
//!
//! [`for_each_folded`]: crate::topics::normalize::for_each_folded
//! [`for_each_token`]: crate::topics::normalize::for_each_token

use rustc_hash::FxHashMap;

use crate::model::Lang;
use crate::topics::normalize::stem;
use crate::topics::words::{self, Ids, WordId};

/// How strongly a section holds a stem, in two bits: 0 is "absent".
pub type Level = u8;

/// Mentioned in the body, not often for the section's length.
pub const LEVEL_BODY: Level = 1;
/// Mentioned often in the body.
pub const LEVEL_FREQUENT: Level = 2;
/// In the section's title (for an introduction, the document's title).
pub const LEVEL_TITLE: Level = 3;

/// Stem numbers given out by a [`Lexicon`]: dense, from 0.
pub type StemId = u32;

/// The folded words and stems met so far, in every language.
#[derive(Debug, Default, Clone)]
pub struct Lexicon {
    /// Per language: folded word → stem.
    words: Vec<(Lang, FxHashMap<String, StemId>)>,
    /// Per language: stem text → stem.
    stem_ids: Vec<(Lang, FxHashMap<String, StemId>)>,
    /// Every stem, by id.
    pub stems: Vec<(Lang, String)>,
    /// Per word id of the site's lexicon (`topics::words`): its stem here,
    /// or `NO_STEM` if not met yet.
    by_site_word: Vec<StemId>,
}

/// A site word not met yet.
const NO_STEM: StemId = StemId::MAX;

impl Lexicon {
    /// The stem of `folded` in `lang`, numbered on first sight.
    pub fn word(&mut self, lang: Lang, folded: &str) -> StemId {
        let words = slot(&mut self.words, lang);
        if let Some(&id) = words.get(folded) {
            return id;
        }
        let id = self.stem(lang, &stem(lang, folded));
        slot(&mut self.words, lang).insert(folded.to_owned(), id);
        id
    }

    /// The stem of the site's word `id` (read once by the topics stage, its
    /// stem known), numbered on first sight: per occurrence, an index.
    #[inline]
    pub fn site_word(&mut self, site: &words::Lexicon, id: WordId) -> StemId {
        match self.by_site_word.get(id as usize) {
            Some(&stem) if stem != NO_STEM => stem,
            _ => self.new_site_word(site, id),
        }
    }

    /// `site_word` of a word not met yet: kept out of line, so that the
    /// lookup of every occurrence is inlined (the call was a fifth of
    /// reading a section's words, callgrind).
    #[cold]
    #[inline(never)]
    fn new_site_word(&mut self, site: &words::Lexicon, id: WordId) -> StemId {
        let i = id as usize;
        let lang = site.lang(id);
        let stem = self.stem(lang, site.stem(site.stem_of(id)).1);
        self.insert_word(lang, site.folded(id), stem);
        if i >= self.by_site_word.len() {
            self.by_site_word.resize(i + 1, NO_STEM);
        }
        self.by_site_word[i] = stem;
        stem
    }

    /// The id of the stem `text` of `lang`, numbered on first sight.
    pub fn stem(&mut self, lang: Lang, text: &str) -> StemId {
        let ids = slot(&mut self.stem_ids, lang);
        if let Some(&id) = ids.get(text) {
            return id;
        }
        let id = self.stems.len() as StemId;
        ids.insert(text.to_owned(), id);
        self.stems.push((lang, text.to_owned()));
        id
    }

    /// Records that `folded` has the stem `id` in `lang`.
    pub fn insert_word(&mut self, lang: Lang, folded: &str, id: StemId) {
        slot(&mut self.words, lang)
            .entry(folded.to_owned())
            .or_insert(id);
    }

    /// Every `(language, folded word, stem)`, in no particular order.
    pub fn words_by_lang(&self) -> impl Iterator<Item = (Lang, &str, StemId)> {
        self.words
            .iter()
            .flat_map(|(l, m)| m.iter().map(move |(w, &s)| (*l, w.as_str(), s)))
    }

    /// Every `(folded word, stem)` pair, in no particular order.
    pub fn words(&self) -> impl Iterator<Item = (&str, StemId)> {
        self.words
            .iter()
            .flat_map(|(_, m)| m.iter().map(|(w, &s)| (w.as_str(), s)))
    }
}

fn slot<V>(slots: &mut Vec<(Lang, FxHashMap<String, V>)>, lang: Lang) -> &mut FxHashMap<String, V> {
    let i = match slots.iter().position(|(l, _)| *l == lang) {
        Some(i) => i,
        None => {
            slots.push((lang, FxHashMap::default()));
            slots.len() - 1
        }
    };
    &mut slots[i].1
}

/// Counts of one stem in the section being read.
#[derive(Debug, Clone, Copy, Default)]
struct Count {
    body: u32,
    title: bool,
}

/// Turns sections into `(stem, level)` lists, reusing its buffers.
#[derive(Debug, Default)]
pub struct SectionReader {
    /// Per stem id, its counts in the current section.
    counts: Vec<Count>,
    /// Stems seen in the current section.
    touched: Vec<StemId>,
}

impl SectionReader {
    /// The stems of a section, each once with its level, handed to `each`
    /// in order of first occurrence, from the word ids of its title and body
    /// that the topics stage read into `site`'s lexicon: nothing is folded
    /// or stemmed again. (Not sorted: the index adds a posting to each
    /// stem's list whatever the order, and sorting them was a third of
    /// reading the words, callgrind.)
    pub fn read_words(
        &mut self,
        lexicon: &mut Lexicon,
        site: &words::Lexicon,
        title: Ids,
        text: Ids,
        mut each: impl FnMut(StemId, Level),
    ) {
        for id in title {
            self.count(lexicon.site_word(site, id), true);
        }
        let mut body_words = 0;
        for id in text {
            self.count(lexicon.site_word(site, id), false);
            body_words += 1;
        }
        let counts = &mut self.counts;
        for id in self.touched.drain(..) {
            let c = std::mem::take(&mut counts[id as usize]);
            each(id, level(c, body_words));
        }
    }

    /// Counts one occurrence of `stem`, in the title or the body.
    fn count(&mut self, stem: StemId, title: bool) {
        let id = stem as usize;
        if id >= self.counts.len() {
            self.counts.resize(id + 1, Count::default());
        }
        let c = &mut self.counts[id];
        if c.body == 0 && !c.title {
            self.touched.push(stem);
        }
        if title {
            c.title = true;
        } else {
            c.body += 1;
        }
    }
}

/// Sections of this many words are "average" for the frequency weight.
const AVERAGE_WORDS: f64 = 150.0;

fn level(c: Count, body_words: usize) -> Level {
    if c.title {
        return LEVEL_TITLE;
    }
    // BM25's saturating term frequency (k1 = 1.2, b = 0.75): once is 1.0 in
    // an average section; "frequent" is clearly above that, and more than once.
    let (k1, b) = (1.2, 0.75);
    let tf = f64::from(c.body);
    let norm = k1 * (1.0 - b + b * body_words as f64 / AVERAGE_WORDS);
    if c.body >= 2 && tf * (k1 + 1.0) / (tf + norm) >= 1.3 {
        LEVEL_FREQUENT
    } else {
        LEVEL_BODY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `(title, text)` sections as a build does: words read once
    /// into the site's lexicon, then each section's stems and levels.
    fn read(sections: &[(&str, &str)]) -> (Lexicon, Vec<Vec<(StemId, Level)>>) {
        let doc = crate::model::Document::for_tests(
            "a.md",
            sections
                .iter()
                .enumerate()
                .map(|(i, (title, text))| {
                    crate::model::Section::for_tests(&format!("s{i}"), title, text)
                })
                .collect(),
        );
        let words = words::SiteWords::read(std::slice::from_ref(&doc));
        let doc_words = &words.docs[0];
        let mut lexicon = Lexicon::default();
        let mut reader = SectionReader::default();
        let out = (0..sections.len())
            .map(|s| {
                let mut stems = Vec::new();
                reader.read_words(
                    &mut lexicon,
                    &words.lexicon,
                    doc_words.title(s),
                    doc_words.text(s),
                    |stem, level| stems.push((stem, level)),
                );
                stems
            })
            .collect();
        (lexicon, out)
    }

    fn level_of(l: &Lexicon, s: &[(StemId, Level)], stem: &str) -> Option<Level> {
        let id = l.stems.iter().position(|(_, t)| t == stem)? as StemId;
        s.iter().find(|(x, _)| *x == id).map(|(_, l)| *l)
    }

    #[test]
    fn folded_words_map_to_their_stems() {
        let (l, _) = read(&[("Réseaux", "Les réseaux privés et l’homophilie.")]);
        let stem_of = |w: &str| {
            let (_, id) = l.words().find(|(f, _)| *f == w).unwrap();
            l.stems[id as usize].1.clone()
        };
        assert_eq!(stem_of("reseaux"), "reseau");
        assert_eq!(stem_of("prives"), "priv");
        assert_eq!(stem_of("homophilie"), "homophil");
        // The elided particle is no word at all.
        assert!(!l.words().any(|(w, _)| w == "l"));
    }

    #[test]
    fn levels_rank_title_above_frequent_above_once() {
        let (l, s) = read(&[
            (
                "La peur",
                "peur, encore la peur, toujours la peur; et un chat.",
            ),
            ("Autre", "Rien à voir avec le chat."),
            ("X", "chat chat chat chien"),
        ]);
        assert_eq!(level_of(&l, &s[0], "peur"), Some(LEVEL_TITLE));
        assert_eq!(level_of(&l, &s[0], "encor"), Some(LEVEL_BODY));
        assert_eq!(level_of(&l, &s[1], "chat"), Some(LEVEL_BODY));
        assert_eq!(level_of(&l, &s[1], "peur"), None);
        assert_eq!(level_of(&l, &s[2], "chat"), Some(LEVEL_FREQUENT));
    }

    #[test]
    fn sections_list_each_stem_once_in_order_of_first_occurrence() {
        let (_, s) = read(&[("b", "x"), ("b a", "a b c a b c")]);
        // Stems numbered b 0, x 1, a 2, c 3: the second section's title
        // gives b, a, then its body c.
        let ids: Vec<StemId> = s[1].iter().map(|(s, _)| *s).collect();
        assert_eq!(ids, [0, 2, 3]);
    }

    #[test]
    fn languages_stem_apart() {
        let mut l = Lexicon::default();
        let fr = l.word(Lang::Fr, "passe");
        let en = l.word(Lang::En, "passe");
        assert_ne!(fr, en);
        assert_eq!(l.word(Lang::Fr, "passe"), fr);
    }
}
