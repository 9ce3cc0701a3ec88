//! Finds catalog aliases in text by whole normalised tokens: each text
//! token's stem is looked up once in the catalog's vocabulary (the stems that
//! occur in some alias), and a trie over those token ids is walked from every
//! token that can start an alias. The cost per token is one hash lookup and,
//! for the few tokens that start an alias, a short walk — whatever the size of
//! the catalog.
//!
//! Both aliases and texts go through the same normalisation
//! (`topics::normalize`), so « FOMO », « la peur de manquer » and « vie
//! privée » match however they are written. An alias only matches whole,
//! consecutive tokens: « commerce » never matches inside « commercial », and
//! « peur de manquer » needs all three words in a row. Every occurrence of
//! every alias is reported, including aliases nested in one another.
//!
//! Stems are compared by their 64-bit hash, and each thread remembers the
//! stem hash of the folded words it met, so a text's words are neither
//! stemmed again nor copied. (An Aho–Corasick automaton over the joined
//! stems did the same, but needed every word stemmed and copied, and its
//! table grew with the catalog.)

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::normalize::{for_each_folded, normalize_phrase, stem, word_hash};
use crate::model::{Lang, TopicId};

/// One alias occurrence in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub topic: TopicId,
    /// Byte range in the original text, from the first to the last word of the alias.
    pub start: usize,
    pub end: usize,
}

/// A token id (a stem found in some alias), or a node of the trie.
pub type TokenId = u32;
type Id = TokenId;

/// No token id (a stem in no alias), or no trie node.
const NONE: Id = Id::MAX;

/// The token id of a stem in no alias.
pub const NO_TOKEN: TokenId = NONE;

/// One word of a text for [`Matcher::find_tokens`]: its token id and byte range.
pub type Token = (TokenId, usize, usize);

/// A compiled set of aliases.
pub struct Matcher {
    lang: Lang,
    /// Stem hash → token id, for every stem that occurs in some alias.
    vocabulary: FxHashMap<u64, Id>,
    /// Trie node reached from the root by each token id (`NONE` if none).
    roots: Vec<Id>,
    /// Deeper trie edges: (node, token id) → node.
    edges: FxHashMap<(Id, Id), Id>,
    /// Topics of the aliases ending at each node: aliases that normalise
    /// alike (FOMO and fomo, or one alias in two topics) share a node.
    topics: Vec<Vec<TopicId>>,
    /// Distinct normalised aliases.
    patterns: usize,
}

impl Matcher {
    /// Compiles `(topic, alias)` pairs. Aliases that normalise to nothing are skipped.
    pub fn new<'a>(aliases: impl IntoIterator<Item = (TopicId, &'a str)>, lang: Lang) -> Matcher {
        let mut m = Matcher {
            lang,
            vocabulary: FxHashMap::default(),
            roots: Vec::new(),
            edges: FxHashMap::default(),
            topics: Vec::new(),
            patterns: 0,
        };
        for (topic, alias) in aliases {
            let mut node = NONE;
            for word in normalize_phrase(alias, lang) {
                let id = m.intern(word_hash(&word));
                node = m.child_or_insert(node, id);
            }
            if node == NONE {
                continue;
            }
            let at = &mut m.topics[node as usize];
            if at.is_empty() {
                m.patterns += 1;
            }
            if !at.contains(&topic) {
                at.push(topic);
            }
        }
        m
    }

    /// Number of distinct normalised aliases compiled.
    pub fn len(&self) -> usize {
        self.patterns
    }

    /// Whether no alias survived normalisation (`find` then never hits).
    pub fn is_empty(&self) -> bool {
        self.patterns == 0
    }

    /// All hits in `text`, in order of position.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        if self.is_empty() {
            return Vec::new();
        }
        // (token id, start, end) of every word of the text.
        let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 6);
        STEMS.with(|cell| {
            let mut stems = cell.borrow_mut();
            for_each_folded(text, self.lang, |folded, start, end| {
                let id = self.token(stems.stem_hash(self.lang, folded));
                tokens.push((id, start, end));
            });
        });
        self.find_tokens(&tokens)
    }

    /// The token id of a stem (by its [`word_hash`]): `NO_TOKEN` for a stem
    /// in no alias. A reader that numbers words itself (`topics::read`) asks
    /// once per distinct word, then hands [`find_tokens`] the ids.
    ///
    /// [`find_tokens`]: Matcher::find_tokens
    pub fn token(&self, stem_hash: u64) -> TokenId {
        self.vocabulary.get(&stem_hash).copied().unwrap_or(NONE)
    }

    /// All hits among `tokens` (`(token id, start, end)` of each word of a
    /// text, in order), in order of position.
    pub fn find_tokens(&self, tokens: &[Token]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (i, &(id, start, _)) in tokens.iter().enumerate() {
            let mut node = self.child(NONE, id);
            let mut j = i;
            while node != NONE {
                let end = tokens[j].2;
                for &topic in &self.topics[node as usize] {
                    hits.push(Hit { topic, start, end });
                }
                j += 1;
                node = match tokens.get(j) {
                    Some(&(next, _, _)) => self.child(node, next),
                    None => NONE,
                };
            }
        }
        hits.sort_unstable_by_key(|h| (h.start, h.end, h.topic));
        hits
    }

    /// The node reached from `node` (`NONE`: the root) by token `id`.
    fn child(&self, node: Id, id: Id) -> Id {
        if id == NONE {
            NONE
        } else if node == NONE {
            self.roots[id as usize]
        } else {
            self.edges.get(&(node, id)).copied().unwrap_or(NONE)
        }
    }

    fn intern(&mut self, stem_hash: u64) -> Id {
        if let Some(&id) = self.vocabulary.get(&stem_hash) {
            return id;
        }
        let id = self.roots.len() as Id;
        self.vocabulary.insert(stem_hash, id);
        self.roots.push(NONE);
        id
    }

    fn child_or_insert(&mut self, node: Id, id: Id) -> Id {
        let existing = self.child(node, id);
        if existing != NONE {
            return existing;
        }
        let new = self.topics.len() as Id;
        self.topics.push(Vec::new());
        if node == NONE {
            self.roots[id as usize] = new;
        } else {
            self.edges.insert((node, id), new);
        }
        new
    }
}

/// Beyond this many distinct words, a thread's stem cache is emptied, which
/// bounds its memory.
const STEM_CACHE_CAPACITY: usize = 1 << 16;

thread_local! {
    /// Folded word hash → stem hash, per thread: `find` reads whole texts
    /// (a document edited under `watch`, sections inline links read again),
    /// and stemming was most of it.
    static STEMS: RefCell<StemHashes> = RefCell::default();
}

#[derive(Default)]
struct StemHashes {
    fr: FxHashMap<u64, u64>,
    en: FxHashMap<u64, u64>,
}

impl StemHashes {
    fn stem_hash(&mut self, lang: Lang, folded: &str) -> u64 {
        let map = match lang {
            Lang::Fr => &mut self.fr,
            Lang::En => &mut self.en,
        };
        let key = word_hash(folded);
        if let Some(&h) = map.get(&key) {
            return h;
        }
        if map.len() >= STEM_CACHE_CAPACITY {
            map.clear();
        }
        let h = word_hash(&stem(lang, folded));
        map.insert(key, h);
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(aliases: &[(TopicId, &str)]) -> Matcher {
        Matcher::new(aliases.iter().copied(), Lang::Fr)
    }

    /// The original substrings hit, with their topics.
    fn found<'t>(m: &Matcher, text: &'t str) -> Vec<(TopicId, &'t str)> {
        m.find(text)
            .into_iter()
            .map(|h| (h.topic, &text[h.start..h.end]))
            .collect()
    }

    fn hits_alias(alias: &str, text: &str) -> bool {
        !matcher(&[(0, alias)]).find(text).is_empty()
    }

    #[test]
    fn case_accents_and_ligatures() {
        assert!(hits_alias("FOMO", "le fomo"));
        assert!(hits_alias("vie privee", "Sa vie privée"));
        assert!(hits_alias("vie privée", "sa VIE PRIVEE"));
        assert!(hits_alias("cœur", "au coeur du sujet"));
        assert!(hits_alias("coeur", "au cœur du sujet"));
    }

    #[test]
    fn elisions_with_both_apostrophes() {
        for (alias, text) in [
            ("homophilie", "l’homophilie"),
            ("homophilie", "l'homophilie"),
            ("influenceurs", "des milliers d’influenceurs"),
            ("influenceurs", "des milliers d'influenceurs"),
            ("il", "qu’il"),
            ("à", "jusqu'à"),
            ("elle", "lorsqu’elle"),
            ("on", "puisqu'on"),
        ] {
            assert_eq!(found(&matcher(&[(0, alias)]), text).len(), 1, "{text}");
        }
    }

    #[test]
    fn plural_and_singular_both_ways() {
        for (a, b) in [
            ("influenceur", "influenceurs"),
            ("communauté", "communautés"),
            ("dépendance", "dépendants"),
            ("réseau", "réseaux"),
        ] {
            assert!(hits_alias(a, b), "{a} in {b}");
            assert!(hits_alias(b, a), "{b} in {a}");
        }
    }

    #[test]
    fn english_stemming() {
        let m = Matcher::new([(0, "influencer")], Lang::En);
        assert_eq!(m.find("Many influencers post daily").len(), 1);
        let m = Matcher::new([(0, "influencers")], Lang::En);
        assert_eq!(m.find("an influencer").len(), 1);
    }

    #[test]
    fn hyphen_equals_space() {
        assert!(hits_alias("bouche-à-oreille", "le bouche à oreille"));
        assert!(hits_alias("bouche à oreille", "le bouche-à-oreille"));
        assert!(hits_alias("vie privée", "vie\u{202f}privée"));
    }

    #[test]
    fn word_boundaries() {
        assert!(!hits_alias("commerce", "un site commercial"));
        assert!(!hits_alias("peur de manquer", "le manque de diversité"));
        assert!(!hits_alias("réseaux", "le réseautage"));
        assert!(!hits_alias("peur de manquer", "peur, puis de manquer")); // "puis" in between
        assert!(hits_alias(
            "peur de manquer",
            "la peur de « manquer quelque chose »"
        ));
    }

    #[test]
    fn overlapping_aliases_of_two_topics() {
        let m = matcher(&[(1, "commerce social"), (2, "commerce"), (3, "social")]);
        let text = "Le commerce social progresse.";
        assert_eq!(
            found(&m, text),
            [(2, "commerce"), (1, "commerce social"), (3, "social")]
        );
    }

    #[test]
    fn duplicate_aliases_share_a_pattern() {
        let m = matcher(&[(0, "FOMO"), (0, "fomo"), (4, "Fomo")]);
        assert_eq!(m.len(), 1);
        assert_eq!(found(&m, "FOMO !"), [(0, "FOMO"), (4, "FOMO")]);
    }

    #[test]
    fn ranges_cover_exact_original_substring() {
        let m = matcher(&[(0, "homophilie"), (1, "vie privée"), (2, "cœur")]);
        let text = "Élan : l’homophilie, la « Vie Privée » et le cœur.";
        assert_eq!(
            found(&m, text),
            [(0, "homophilie"), (1, "Vie Privée"), (2, "cœur")]
        );
    }

    #[test]
    fn empty_and_punctuation_only_aliases_are_skipped() {
        let m = matcher(&[(0, ""), (1, "  "), (2, "« — ! »"), (3, "’")]);
        assert!(m.is_empty());
        assert!(m.find("n’importe quel texte").is_empty());
        let m = matcher(&[(0, ""), (1, "fomo")]);
        assert_eq!(m.len(), 1);
        assert!(m.find("").is_empty());
    }

    #[test]
    fn emoji_and_cjk_do_not_panic() {
        let m = matcher(&[(0, "日本語"), (1, "fomo")]);
        let text = "😀 日本語 🇫🇷 fomo\u{301} 中文";
        assert_eq!(found(&m, text), [(0, "日本語"), (1, "fomo\u{301}")]);
    }

    #[test]
    fn finds_aliases_in_seed_text() {
        let text = include_str!("../../content/000_7f63989c8955f20d.txt");
        let m = matcher(&[(0, "peur de manquer"), (1, "FOMO"), (2, "homophilie")]);
        let hits = found(&m, text);
        assert!(hits.contains(&(0, "peur de manquer")));
        assert!(hits.contains(&(1, "FOMO")));
        assert!(hits.contains(&(2, "homophilie")));
    }

    #[test]
    fn matcher_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Matcher>();
    }

    #[test]
    fn many_topics_compile() {
        let aliases: Vec<String> = (0..1000).map(|i| format!("sujet {i}")).collect();
        let m = Matcher::new(
            aliases.iter().enumerate().map(|(i, a)| (i, a.as_str())),
            Lang::Fr,
        );
        assert_eq!(m.len(), 1000);
        assert_eq!(found(&m, "le sujet 42."), [(42, "sujet 42")]);
    }
}
