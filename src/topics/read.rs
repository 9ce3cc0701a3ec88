//! One reading of every section: its words folded once into word ids of the
//! site's [`Lexicon`] (`topics::words`), and the topics its aliases name,
//! found by the matcher over the same words while their positions are at
//! hand.
//!
//! Documents are read in parallel runs, each numbering its words itself;
//! the runs' words are then numbered site-wide in site order (run by run,
//! each run's words in the order it met them: the order of first use in the
//! site, whatever the threads), and each document keeps its run's ids with
//! the run's table of their site ids (`DocWords::with_site_ids`).

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::matcher::{Hit, Matcher, NO_TOKEN, Token, TokenId};
use super::normalize::{FoldedWords, stem, word_hash};
use super::word_table::WordTable;
use super::words::{DocWords, Lexicon, SiteWords, WordId};
use crate::model::{Document, Lang};

/// The hits of each section of a document: `(title hits, text hits)`, the
/// title's only when it is part of the text.
pub type DocHits = Vec<(Vec<Hit>, Vec<Hit>)>;

/// Reads every document once: the words of each, and the hits of its aliases.
pub fn read_site(
    documents: &[Document],
    matchers: &HashMap<Lang, Matcher>,
) -> (SiteWords, Vec<DocHits>) {
    let run = documents
        .len()
        .div_ceil(8 * rayon::current_num_threads())
        .max(32);
    let runs: Vec<Run> = documents
        .par_chunks(run)
        .map(|chunk| {
            let mut r = Run::default();
            for doc in chunk {
                r.read(doc, matchers.get(&doc.lang));
            }
            r
        })
        .collect();
    // Site-wide ids, in site order.
    let mut lexicon = Lexicon::default();
    let mut docs = Vec::with_capacity(documents.len());
    let mut hits = Vec::with_capacity(documents.len());
    for r in runs {
        let to_site: Arc<[WordId]> = r
            .words
            .iter()
            .map(|w| {
                let surface = || w.surface().to_string();
                lexicon.intern(w.lang, &w.folded, || w.stem.to_string(), surface, w.from)
            })
            .collect();
        // The first run's ids are the site's: nothing to look up.
        let first_use = to_site.iter().enumerate().all(|(i, &id)| id as usize == i);
        let to_site = if first_use { Arc::default() } else { to_site };
        docs.extend(r.docs.into_iter().map(|d| d.with_site_ids(to_site.clone())));
        hits.extend(r.hits);
    }
    (SiteWords { lexicon, docs }, hits)
}

/// A word new to a run, as the run first met it.
struct RunWord {
    lang: Lang,
    folded: Box<str>,
    stem: Box<str>,
    /// As written, lower-cased; empty when that is `folded`.
    surface: Box<str>,
    /// The `DocWords::check` of the document it was met in.
    from: u64,
}

impl RunWord {
    fn surface(&self) -> &str {
        if self.surface.is_empty() {
            &self.folded
        } else {
            &self.surface
        }
    }
}

/// The reading of a run of documents, with its own word numbers.
#[derive(Default)]
struct Run {
    /// Folded word → run word id.
    ids: WordTable,
    /// Per run word id: what the site's lexicon keeps of it.
    words: Vec<RunWord>,
    /// Per run word id and matcher: its token id.
    tokens: Vec<TokenId>,
    docs: Vec<DocWords>,
    hits: Vec<DocHits>,
    /// The words of the text being read, for the matcher.
    text: Vec<Token>,
    /// The words of the document being read.
    current: DocWords,
}

impl Run {
    fn read(&mut self, doc: &Document, matcher: Option<&Matcher>) {
        let lang = doc.lang;
        let matcher = matcher.filter(|m| !m.is_empty());
        let mut words = std::mem::take(&mut self.current);
        words.restart(doc);
        let mut hits: DocHits = Vec::with_capacity(doc.sections.len());
        for section in &doc.sections {
            let title = self.read_text(&section.title, lang, matcher, &mut words);
            let title = if section.title_in_text {
                title
            } else {
                Vec::new()
            };
            let text = self.read_text(&section.text, lang, matcher, &mut words);
            hits.push((title, text));
        }
        self.docs.push(words.take());
        self.current = words;
        self.hits.push(hits);
    }

    /// Adds the words of `text` to `words`; returns the hits of `matcher`.
    fn read_text(
        &mut self,
        text: &str,
        lang: Lang,
        matcher: Option<&Matcher>,
        words: &mut DocWords,
    ) -> Vec<Hit> {
        self.text.clear();
        let from = words.check();
        // Whether some word is in an alias: without one, no hit.
        let mut tokens = false;
        // Whether the last word kept for the matcher is in no alias.
        let mut after_none = false;
        let mut folded_words = FoldedWords::new(text, lang);
        while let Some((folded, start, end)) = folded_words.next_word() {
            let id = match self.ids.get(lang, folded) {
                Some(id) => id,
                None => self.new_word(lang, folded, &text[start..end], from, matcher),
            };
            words.push(id);
            if matcher.is_some() {
                // A word in no alias only ends the aliases before it: one
                // stands for a run of them, which the matcher then skips at
                // once (most words are in no alias).
                let token = self.tokens[id as usize];
                let none = token == NO_TOKEN;
                if !(none && after_none) {
                    self.text.push((token, start, end));
                }
                after_none = none;
                tokens |= !none;
            }
        }
        words.close();
        match matcher {
            Some(m) if tokens => m.find_tokens(&self.text),
            _ => Vec::new(),
        }
    }

    /// Numbers a word new to the run, `written` as in the text. Apart from
    /// the loop over words, which then needs nothing of this.
    #[cold]
    #[inline(never)]
    fn new_word(
        &mut self,
        lang: Lang,
        folded: &str,
        written: &str,
        from: u64,
        matcher: Option<&Matcher>,
    ) -> WordId {
        let id = self.words.len() as WordId;
        let stem = stem(lang, folded);
        let token = matcher.map_or(NO_TOKEN, |m| m.token(word_hash(&stem)));
        let surface = written.to_lowercase();
        self.words.push(RunWord {
            lang,
            folded: folded.into(),
            stem: stem.into(),
            surface: if surface == folded {
                Box::default()
            } else {
                surface.into()
            },
            from,
        });
        self.tokens.push(token);
        self.ids.insert(lang, folded, id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Section;

    #[test]
    fn reading_once_finds_what_the_matcher_finds() {
        let text = include_str!("../../content/000_7f63989c8955f20d.txt");
        let mut docs: Vec<Document> = (0..3)
            .map(|i| {
                let sections = vec![
                    Section::for_tests("a", "La FOMO", text),
                    Section::for_tests("b", "", &text[i * 100..]),
                ];
                Document::for_tests(&format!("{i}.md"), sections)
            })
            .collect();
        docs[2].lang = Lang::En;
        let aliases = [(0, "peur de manquer"), (1, "FOMO"), (2, "homophilie")];
        let matchers: HashMap<Lang, Matcher> = [Lang::Fr, Lang::En]
            .into_iter()
            .map(|l| (l, Matcher::new(aliases, l)))
            .collect();
        let (words, hits) = read_site(&docs, &matchers);
        let alone = SiteWords::read(&docs);
        assert_eq!(words, alone);
        for id in 0..words.lexicon.len() as WordId {
            assert_eq!(words.lexicon.surface(id), alone.lexicon.surface(id));
        }
        for (doc, doc_hits) in docs.iter().zip(&hits) {
            let m = &matchers[&doc.lang];
            for (s, (title, body)) in doc.sections.iter().zip(doc_hits) {
                let want_title = if s.title_in_text {
                    m.find(&s.title)
                } else {
                    Vec::new()
                };
                assert_eq!(title, &want_title);
                assert_eq!(body, &m.find(&s.text));
            }
        }
        assert!(!hits[0][0].1.is_empty());
    }
}
