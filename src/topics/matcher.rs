//! Finds catalog aliases in text with one multi-pattern automaton over
//! normalised tokens: cost grows with the text, not with text × topics.
//!
//! Both aliases and texts go through [`for_each_token`], and the stems are
//! joined as `" stem1 stem2 … "` with single spaces. Each alias becomes the
//! pattern `" a b "`: since stems never contain a space, a pattern can only
//! match whole, consecutive tokens, so « commerce » never matches inside
//! « commercial » and « peur de manquer » needs all three words in a row.
//! One Aho–Corasick automaton searched in overlapping mode reports every
//! alias, including aliases nested in one another, in a single pass.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::normalize::for_each_token;
use crate::model::{Lang, TopicId};

/// One alias occurrence in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub topic: TopicId,
    /// Byte range in the original text, from the first to the last word of the alias.
    pub start: usize,
    pub end: usize,
}

/// A compiled set of aliases.
pub struct Matcher {
    lang: Lang,
    /// `None` when no alias survived normalisation.
    automaton: Option<AhoCorasick>,
    /// Topics of each automaton pattern: aliases that normalise alike (FOMO
    /// and fomo, or the same alias in two topics) share one pattern.
    topics: Vec<Vec<TopicId>>,
}

/// Where one text token sits in the normalised string and in the original.
#[derive(Debug, Clone, Copy)]
struct Span {
    norm_start: usize,
    start: usize,
    end: usize,
}

impl Matcher {
    /// Compiles `(topic, alias)` pairs. Aliases that normalise to nothing are skipped.
    pub fn new<'a>(aliases: impl IntoIterator<Item = (TopicId, &'a str)>, lang: Lang) -> Matcher {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut topics: Vec<Vec<TopicId>> = Vec::new();
        for (topic, alias) in aliases {
            let Some(pattern) = alias_pattern(alias, lang) else {
                continue;
            };
            let next = topics.len();
            let slot = *index.entry(pattern).or_insert(next);
            if slot == next {
                topics.push(Vec::new());
            }
            if !topics[slot].contains(&topic) {
                topics[slot].push(topic);
            }
        }
        // Pattern ids of the automaton must be the slots of `topics`.
        let mut patterns = vec![String::new(); topics.len()];
        for (pattern, slot) in index {
            patterns[slot] = pattern;
        }
        let automaton = build_automaton(&patterns);
        Matcher {
            lang,
            automaton,
            topics,
        }
    }

    /// Number of distinct normalised aliases compiled.
    pub fn len(&self) -> usize {
        self.topics.len()
    }

    /// Whether no alias survived normalisation (`find` then never hits).
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    /// All hits in `text`, in order of position.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let (norm, spans) = normalise_text(text, self.lang);
        let mut hits = Vec::new();
        for m in automaton.find_overlapping_iter(&norm) {
            let Some((start, end)) = original_range(&spans, m.start(), m.end()) else {
                continue;
            };
            let topics = self.topics.get(m.pattern().as_usize());
            for &topic in topics.into_iter().flatten() {
                hits.push(Hit { topic, start, end });
            }
        }
        hits.sort_unstable_by_key(|h| (h.start, h.end, h.topic));
        hits
    }
}

/// The pattern `" a b "` of an alias, or `None` if it has no word.
fn alias_pattern(alias: &str, lang: Lang) -> Option<String> {
    let mut pattern = String::from(" ");
    for_each_token(alias, lang, |norm, _, _| {
        pattern.push_str(norm);
        pattern.push(' ');
    });
    (pattern.len() > 1).then_some(pattern)
}

/// Builds the automaton, preferring a DFA (fastest search) and falling back
/// to the builder's own choice if the DFA would exceed its size limits.
fn build_automaton(patterns: &[String]) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    let mut builder = AhoCorasick::builder();
    // Overlapping search requires the standard match semantics.
    builder.match_kind(MatchKind::Standard);
    builder
        .kind(Some(AhoCorasickKind::DFA))
        .build(patterns)
        .or_else(|_| builder.kind(None).build(patterns))
        .ok()
}

/// Streams the tokens of `text` straight into `" stem1 stem2 … "`, noting
/// where each token starts there and where it lies in `text`.
fn normalise_text(text: &str, lang: Lang) -> (String, Vec<Span>) {
    let mut norm = String::with_capacity(text.len() + 2);
    norm.push(' ');
    let mut spans = Vec::new();
    for_each_token(text, lang, |stem, start, end| {
        spans.push(Span {
            norm_start: norm.len(),
            start,
            end,
        });
        norm.push_str(stem);
        norm.push(' ');
    });
    (norm, spans)
}

/// Maps a match `[m_start, m_end)` of `" a b "` in the normalised string back
/// to the original bytes from the first word's start to the last word's end.
fn original_range(spans: &[Span], m_start: usize, m_end: usize) -> Option<(usize, usize)> {
    // The first token starts just after the leading space; the last one is
    // the last token starting before the trailing space.
    let first = spans.partition_point(|s| s.norm_start <= m_start);
    let last = spans
        .partition_point(|s| s.norm_start < m_end)
        .checked_sub(1)?;
    let (first, last) = (spans.get(first)?, spans.get(last)?);
    Some((first.start, last.end))
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
