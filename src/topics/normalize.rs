//! Text normalisation shared by topic matching and search: folds
//! case and accents, drops French elisions, splits on hyphens and
//! apostrophes, and stems each word, keeping each token's byte range in the
//! original text.
//!
//! A word is a maximal run of alphanumeric characters (letters of any script,
//! digits) and combining marks; everything else — spaces of any kind,
//! hyphens, apostrophes, quotes, `#`, punctuation, emoji — separates words.
//! Each word is folded (lowercase, compatibility decomposition, Latin
//! diacritics removed, `œ`/`æ` expanded) and then stemmed with Snowball.
//! Folding happens *before* stemming so that « vie privee » and « vie privée »
//! give the same stems whatever accents the writer typed.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::fold::{is_apostrophe, is_word_char};
pub use super::folded::FoldedWords;

use crate::model::Lang;

/// One normalised word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Folded, stemmed form.
    pub norm: String,
    /// Byte range of the word in the original text.
    pub start: usize,
    pub end: usize,
}

/// French particles that are dropped when an apostrophe follows them
/// (« l’homophilie » → « homophilie »): they carry no topic meaning and would
/// otherwise glue to nothing useful.
pub const FRENCH_ELISIONS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// Splits `text` into normalised tokens.
pub fn tokenize(text: &str, lang: Lang) -> Vec<Token> {
    let mut tokens = Vec::new();
    for_each_token(text, lang, |norm, start, end| {
        tokens.push(Token {
            norm: norm.to_owned(),
            start,
            end,
        });
    });
    tokens
}

/// The normalised words of a short phrase such as a topic alias, without
/// their positions; empty when the phrase has no word (only punctuation).
pub fn normalize_phrase(phrase: &str, lang: Lang) -> Vec<String> {
    let mut words = Vec::new();
    for_each_token(phrase, lang, |norm, _, _| words.push(norm.to_owned()));
    words
}

/// Streams the tokens of `text` to `emit(norm, start, end)` without
/// allocating a `Token` per word: the folding and stemming buffers are
/// reused, and `norm` only lives for the duration of the call.
pub fn for_each_token(text: &str, lang: Lang, mut emit: impl FnMut(&str, usize, usize)) {
    for_each_word(text, lang, |_, stem, start, end| emit(stem, start, end));
}

/// Like [`for_each_token`], but also hands over each word's folded form,
/// before stemming: `emit(folded, stem, start, end)`. The search index maps
/// folded words to their stems with it, so that a browser only has to fold.
pub fn for_each_word(text: &str, lang: Lang, mut emit: impl FnMut(&str, &str, usize, usize)) {
    let mut stem = String::new();
    for_each_folded(text, lang, |folded, start, end| {
        stem_into(lang, folded, &mut stem);
        emit(folded, &stem, start, end);
    });
}

/// The words of `text`, folded, French elisions dropped, not stemmed:
/// `emit(folded, start, end)`. [`stem`] gives the stem [`for_each_token`]
/// would give; a caller that meets the same words again and again (the
/// search index) stems each distinct word once.
pub fn for_each_folded(text: &str, lang: Lang, mut emit: impl FnMut(&str, usize, usize)) {
    let mut words = FoldedWords::new(text, lang);
    while let Some((folded, start, end)) = words.next_word() {
        emit(folded, start, end);
    }
}

/// Whether `text` read in two pieces, cut at byte `at`, gives the same
/// words as read whole: no word runs across the cut, and the word before it
/// is not followed by an apostrophe that would make it an elided particle.
/// (The reading of a word depends only on its characters and the one after
/// it.) False when `at` is not a character boundary.
pub fn cuts_between_words(text: &str, at: usize) -> bool {
    let (Some(before), Some(after)) = (text.get(..at), text.get(at..)) else {
        return false;
    };
    match (before.chars().next_back(), after.chars().next()) {
        (Some(b), Some(a)) => !is_word_char(b) || !(is_word_char(a) || is_apostrophe(a)),
        _ => true,
    }
}

/// A stable 64-bit hash (FNV-1a) of a normalised token, so that words can be
/// counted without owning a string each. Collisions over a few million
/// words are vanishingly rare, and would only merge two words' counts.
pub fn word_hash(norm: &str) -> u64 {
    norm.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The stem of a word folded by [`for_each_folded`].
pub fn stem(lang: Lang, folded: &str) -> String {
    let mut out = String::new();
    stem_into(lang, folded, &mut out);
    out
}

/// Beyond this many distinct words, a thread's stem cache is emptied, which
/// bounds its memory.
const STEM_CACHE_CAPACITY: usize = 1 << 15;

/// Longer words (URLs, identifiers) are rare and not worth caching.
const STEM_CACHE_MAX_WORD: usize = 48;

/// Folded word → stem, per language.
#[derive(Default)]
struct StemCache {
    fr: HashMap<Box<str>, Box<str>>,
    en: HashMap<Box<str>, Box<str>>,
}

thread_local! {
    /// Snowball is by far the costliest step (hundreds of ns a word) while a
    /// text reuses few distinct words, so each thread remembers its stems.
    static STEM_CACHE: RefCell<StemCache> = RefCell::default();
}

/// Replaces `out` with the stem of the folded word `folded`.
fn stem_into(lang: Lang, folded: &str, out: &mut String) {
    out.clear();
    let cached = folded.len() <= STEM_CACHE_MAX_WORD
        && STEM_CACHE
            .try_with(|cell| {
                // try_*: never panic, even during thread teardown.
                let Ok(mut cache) = cell.try_borrow_mut() else {
                    return false;
                };
                cache.stem_into(lang, folded, out);
                true
            })
            .unwrap_or(false);
    if !cached {
        out.push_str(&snowball_stem(lang, folded));
    }
}

impl StemCache {
    fn stem_into(&mut self, lang: Lang, folded: &str, out: &mut String) {
        let map = match lang {
            Lang::Fr => &mut self.fr,
            Lang::En => &mut self.en,
        };
        if let Some(stem) = map.get(folded) {
            out.push_str(stem);
            return;
        }
        if map.len() >= STEM_CACHE_CAPACITY {
            map.clear();
        }
        let stem = snowball_stem(lang, folded);
        out.push_str(&stem);
        map.insert(folded.into(), stem.into());
    }
}

/// The Snowball stem of a folded word.
fn snowball_stem(lang: Lang, folded: &str) -> Cow<'_, str> {
    let stem = stemmer(lang).stem(folded);
    // Snowball may strip a whole short word; keep the folded form then, so
    // that the word still exists as a token.
    if stem.is_empty() {
        Cow::Borrowed(folded)
    } else {
        stem
    }
}

/// The Snowball stemmer of `lang`, built once per process.
fn stemmer(lang: Lang) -> &'static Stemmer {
    static FRENCH: OnceLock<Stemmer> = OnceLock::new();
    static ENGLISH: OnceLock<Stemmer> = OnceLock::new();
    match lang {
        Lang::Fr => FRENCH.get_or_init(|| Stemmer::create(Algorithm::French)),
        Lang::En => ENGLISH.get_or_init(|| Stemmer::create(Algorithm::English)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str, lang: Lang) -> Vec<String> {
        tokenize(text, lang).into_iter().map(|t| t.norm).collect()
    }

    fn fr(text: &str) -> Vec<String> {
        norms(text, Lang::Fr)
    }

    #[test]
    fn folds_case_accents_and_ligatures() {
        assert_eq!(fr("Vie Privée"), fr("vie privee"));
        assert_eq!(fr("VIE PRIVÉE"), fr("vie privée"));
        assert_eq!(fr("cœur"), fr("coeur"));
        assert_eq!(fr("Œuvre"), fr("oeuvre"));
        assert_eq!(fr("ex æquo"), fr("ex aequo"));
        // Decomposed accent (e + U+0301) is the same as the precomposed one.
        assert_eq!(fr("prive\u{301}e"), fr("privée"));
    }

    #[test]
    fn drops_french_elisions_with_both_apostrophes() {
        for apostrophe in ['’', '\'', 'ʼ'] {
            let cases = [
                ("l", "homophilie"),
                ("d", "influenceurs"),
                ("j", "aime"),
                ("m", "appelle"),
                ("n", "importe"),
                ("s", "agit"),
                ("t", "es"),
                ("c", "est"),
                ("qu", "il"),
                ("jusqu", "à"),
                ("lorsqu", "elle"),
                ("puisqu", "on"),
                ("quoiqu", "il"),
                ("L", "Homophilie"),
            ];
            for (particle, word) in cases {
                let text = format!("{particle}{apostrophe}{word}");
                assert_eq!(fr(&text), fr(word), "{text}");
            }
        }
    }

    #[test]
    fn elided_token_range_excludes_particle() {
        let text = "Cette l’homophilie";
        let tokens = tokenize(text, Lang::Fr);
        let last = tokens.last().unwrap();
        assert_eq!(&text[last.start..last.end], "homophilie");
    }

    #[test]
    fn english_keeps_particles() {
        assert_eq!(norms("l'amour", Lang::En).len(), 2);
    }

    #[test]
    fn separators_hyphens_spaces_and_quotes() {
        assert_eq!(fr("bouche-à-oreille"), fr("bouche à oreille"));
        assert_eq!(fr("vie\u{a0}privée"), fr("vie privée"));
        assert_eq!(fr("vie\u{202f}privée"), fr("vie privée"));
        assert_eq!(fr("« peur » “de” \"manquer\""), fr("peur de manquer"));
        assert_eq!(fr("#WeAccept"), vec!["weaccept".to_owned()]);
        assert_eq!(fr("covid19 2024"), vec!["covid19", "2024"]);
    }

    #[test]
    fn stems_merge_french_inflections() {
        assert_eq!(fr("influenceur"), fr("influenceurs"));
        assert_eq!(fr("communauté"), fr("communautés"));
        assert_eq!(fr("dépendance"), fr("dépendances"));
        assert_eq!(fr("dépendant"), fr("dépendants"));
        assert_eq!(fr("réseau"), fr("réseaux"));
        assert_ne!(fr("commerce"), fr("commercial"));
        assert_ne!(fr("réseaux"), fr("réseautage"));
    }

    #[test]
    fn stems_merge_english_inflections() {
        assert_eq!(
            norms("influencer", Lang::En),
            norms("Influencers", Lang::En)
        );
    }

    #[test]
    fn byte_ranges_point_at_original_words() {
        let text = "  Éthique—des « réseaux » 😀 日本語 ok";
        let tokens = tokenize(text, Lang::Fr);
        let words: Vec<&str> = tokens.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(words, ["Éthique", "des", "réseaux", "日本語", "ok"]);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for text in [
            "",
            "   ",
            "’’''«»",
            "\u{301}",
            "a\u{301}\u{301}",
            "😀😀 🇫🇷",
            "ﷺ ㎒ ﬁn ½ İstanbul",
            "l’",
            "’l",
            "中文字符和日本語のテキスト",
        ] {
            for lang in [Lang::Fr, Lang::En] {
                for token in tokenize(text, lang) {
                    assert!(!token.norm.is_empty());
                    assert!(!token.norm.contains(' '));
                    assert!(text.get(token.start..token.end).is_some());
                }
            }
        }
    }

    #[test]
    fn cached_stems_equal_fresh_ones() {
        let long = format!("{}ements", "x".repeat(STEM_CACHE_MAX_WORD));
        for word in ["influenceurs", "communautés", long.as_str()] {
            let fresh = snowball_stem(Lang::Fr, &word.replace('é', "e")).into_owned();
            // The first call fills the cache, the second reads it.
            for _ in 0..2 {
                assert_eq!(normalize_phrase(word, Lang::Fr), [fresh.as_str()]);
            }
        }
    }

    #[test]
    fn folded_words_then_stem_give_the_tokens() {
        let text = "L’Homophilie des RÉSEAUX privés, ex-æquo: covid19 Straße ﬁn x\u{301}y";
        for lang in [Lang::Fr, Lang::En] {
            let mut via_folded = Vec::new();
            for_each_folded(text, lang, |f, s, e| via_folded.push((stem(lang, f), s, e)));
            let tokens: Vec<(String, usize, usize)> = tokenize(text, lang)
                .into_iter()
                .map(|t| (t.norm, t.start, t.end))
                .collect();
            assert_eq!(via_folded, tokens);
        }
    }

    #[test]
    fn ascii_runs_fold_like_single_characters() {
        // The ASCII fast path must cut and fold exactly as the general path:
        // runs that start, end or sit inside non-ASCII words.
        let mut words = Vec::new();
        for_each_folded(
            "ÉtÉ aBc-Déf Ab\u{301}C l'Été 12ÀB",
            Lang::Fr,
            |f, s, e| words.push((f.to_owned(), s, e)),
        );
        let folded: Vec<&str> = words.iter().map(|(f, _, _)| f.as_str()).collect();
        assert_eq!(folded, ["ete", "abc", "def", "abc", "ete", "12ab"]);
        assert_eq!((words[3].1, words[3].2), (15, 20));
    }

    #[test]
    fn a_cut_between_words_reads_like_the_whole() {
        let texts = [
            "L’Homophilie des RÉSEAUX privés, ex-æquo: covid19 Straße ﬁn x\u{301}y",
            "QU'il l'a Ĺ’x \u{301} a\u{301}\u{301} jusqu’à QUOIQU’on \u{345}’x l",
            "la vie privée\net l'homophilie, « qu'on » d' 'x",
        ];
        let words = |text: &str, lang, shift: usize| {
            let mut out = Vec::new();
            for_each_folded(text, lang, |f, s, e| {
                out.push((f.to_owned(), s + shift, e + shift))
            });
            out
        };
        for text in texts {
            for lang in [Lang::Fr, Lang::En] {
                let whole = words(text, lang, 0);
                let mut cuts = 0;
                for at in 0..=text.len() {
                    if !cuts_between_words(text, at) {
                        continue;
                    }
                    cuts += 1;
                    let mut pieces = words(&text[..at], lang, 0);
                    pieces.extend(words(&text[at..], lang, at));
                    assert_eq!(pieces, whole, "{text:?} cut at {at}");
                }
                assert!(cuts > 10, "{text:?}");
            }
        }
        assert!(!cuts_between_words("supermarché", 5));
        assert!(!cuts_between_words("l'homophilie", 1));
        assert!(cuts_between_words("l'homophilie", 2));
        assert!(!cuts_between_words("été", 1));
    }

    #[test]
    fn phrase_of_punctuation_is_empty() {
        assert!(normalize_phrase("« — ! »", Lang::Fr).is_empty());
        assert_eq!(normalize_phrase("Peur de manquer", Lang::Fr).len(), 3);
    }
}
