//! The query-side rules — how the browser turns what a reader types into
//! stems — written here as the reference that `theme/search.js` follows and
//! that the tests (unit and browser) check it against.
//!
//! The browser does not stem. It folds the query exactly as
//! [`for_each_word`] does (lowercase, compatibility decomposition, Latin
//! accents dropped, `œ`/`æ`/`ß` expanded, French elisions dropped, split on
//! anything that is not a letter, digit or mark) and looks the folded words
//! up in the vocabulary, which maps every folded word of the site to the stem
//! the Rust stemmer gave it. A word of the site therefore always reaches the
//! very stems topic matching used; no second stemmer can disagree.
//!
//! Each folded query word then finds:
//! 1. its own entry (exact);
//! 2. if it is the last word and the query does not end with a space, the
//!    stems of the most frequent words it begins (prefix, while typing), up
//!    to [`PREFIX_MAX_STEMS`] stems in all;
//! 3. when the site does not have the word itself (« réseau » when the site
//!    only writes « réseaux »): the longest stems of at least
//!    [`INFLECTION_MIN_CHARS`] letters that the word begins with (inflection).
//!    Snowball strips endings, so a stem is the beginning of its words, and
//!    an inflected form the site never uses still finds its stem;
//! 4. only when 1 to 3 found nothing, and the word has at least
//!    [`TYPO_MIN_CHARS`] letters: the words one typo away — one letter
//!    inserted, deleted, replaced, or two neighbours swapped — whose first two
//!    letters are the word's own or its first and third (so a swap of the
//!    second and third letters is forgiven, and the browser only looks in
//!    two places of the sorted vocabulary).
//!
//! A section matches a query when it matches every word; see [`resolve`].
//! Except: a word whose every stem is in more than [`COMMON_SHARE`] of the
//! sections (« de », « les ») narrows nothing and costs the largest posting
//! files, so it is left out of the query while another word is not such a
//! word ([`is_common`]); it still counts for topics.

use super::index::{SearchIndex, js_order};
use crate::model::Lang;
use crate::topics::normalize::for_each_word;

/// Words shorter than this are never corrected: too many neighbours.
pub const TYPO_MIN_CHARS: usize = 5;

/// Corrections kept at most: the stems of the most frequent candidates.
pub const TYPO_MAX_STEMS: usize = 3;

/// Shorter stems are not trusted to stand for an unknown word (« de » is
/// not the stem of « demain »).
pub const INFLECTION_MIN_CHARS: usize = 4;

/// Stems the last word reaches at most through rules 1 and 2: its own,
/// then those of the most frequent words it begins. Each costs a posting
/// file; three keep a query's transfer within budget.
pub const PREFIX_MAX_STEMS: usize = 3;

/// Prefixes shorter than this are not expanded.
pub const PREFIX_MIN_CHARS: usize = 2;

/// A word all of whose stems are in more than this share of the sections
/// is left out of a query that has other words.
pub const COMMON_SHARE: f64 = 0.5;

/// Whether a query word that reached `stems` is too common to narrow a
/// query (a word that reached nothing is not: it still finds nothing).
pub fn is_common(index: &SearchIndex, stems: &[(u32, Reach)]) -> bool {
    let limit = COMMON_SHARE * f64::from(index.sections);
    !stems.is_empty() && stems.iter().all(|&(s, _)| index.df(s) as f64 > limit)
}

/// How a query word reached a stem, best first: it weighs the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    Exact,
    Prefix,
    Inflection,
    Typo,
}

/// The stems a folded query word reaches in `index`, with how (rules 1–4
/// of the module documentation). `last` says the reader may still be typing
/// the word.
pub fn resolve(index: &SearchIndex, word: &str, last: bool) -> Vec<(u32, Reach)> {
    let mut found: Vec<(u32, Reach)> = index
        .stems_of(word)
        .iter()
        .map(|&s| (s, Reach::Exact))
        .collect();
    if last && word.chars().count() >= PREFIX_MIN_CHARS {
        let start = index
            .words
            .partition_point(|(w, _)| js_order(w, word).is_lt());
        let mut more: Vec<u32> = index.words[start..]
            .iter()
            .take_while(|(w, _)| w.starts_with(word))
            .flat_map(|(_, stems)| stems.iter().copied())
            .filter(|s| !found.iter().any(|(f, _)| f == s))
            .collect();
        more.sort_unstable_by_key(|&s| (std::cmp::Reverse(index.df(s)), s));
        more.dedup();
        more.truncate(PREFIX_MAX_STEMS.saturating_sub(found.len()));
        found.extend(more.into_iter().map(|s| (s, Reach::Prefix)));
    }
    if index.stems_of(word).is_empty() {
        let candidates: Vec<u32> = (0..index.stems.len() as u32)
            .filter(|&s| inflection_of(word, &index.stems[s as usize].text))
            .collect();
        let longest = candidates
            .iter()
            .map(|&s| index.stems[s as usize].text.len())
            .max();
        found.extend(
            candidates
                .into_iter()
                .filter(|&s| Some(index.stems[s as usize].text.len()) == longest)
                .filter(|s| !found.iter().any(|(f, _)| f == s))
                .map(|s| (s, Reach::Inflection))
                .collect::<Vec<_>>(),
        );
    }
    if found.is_empty() && typo_allowed(word) {
        let mut typos: Vec<u32> = index
            .words
            .iter()
            .filter(|(w, _)| typo_candidate(word, w))
            .flat_map(|(_, stems)| stems.iter().copied())
            .collect();
        typos.sort_unstable_by_key(|&s| (std::cmp::Reverse(index.df(s)), s));
        typos.dedup();
        typos.truncate(TYPO_MAX_STEMS);
        found.extend(typos.into_iter().map(|s| (s, Reach::Typo)));
    }
    found
}

/// Whether the unknown word `word` may be an inflection of `stem`.
pub fn inflection_of(word: &str, stem: &str) -> bool {
    stem.chars().count() >= INFLECTION_MIN_CHARS && word.starts_with(stem)
}

/// The folded words of a query, in order.
pub fn query_words(query: &str) -> Vec<String> {
    let mut words = Vec::new();
    for_each_word(query, Lang::Fr, |folded, _, _, _| {
        words.push(folded.to_owned())
    });
    words
}

/// Whether a typo is tolerated in the folded query word `word`.
pub fn typo_allowed(word: &str) -> bool {
    word.chars().count() >= TYPO_MIN_CHARS
}

/// The two beginnings a typo candidate of `word` may have: its first two
/// letters, or its first and third.
pub fn typo_prefixes(word: &str) -> Vec<String> {
    let c: Vec<char> = word.chars().collect();
    if c.len() < 3 {
        return vec![word.to_owned()];
    }
    let mut out = vec![
        c[..2].iter().collect::<String>(),
        [c[0], c[2]].iter().collect(),
    ];
    out.dedup();
    out
}

/// Whether the vocabulary word `candidate` is accepted as a correction of
/// the query word `word`.
pub fn typo_candidate(word: &str, candidate: &str) -> bool {
    typo_allowed(word)
        && typo_prefixes(word)
            .iter()
            .any(|p| candidate.starts_with(p.as_str()))
        && one_typo(word, candidate)
}

/// Whether `a` and `b` differ by exactly one edit: a letter inserted,
/// deleted or replaced, or two neighbouring letters swapped (the optimal
/// string alignment distance is 1).
pub fn one_typo(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    // Skip the common beginning and end; what is left must be one edit.
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ra, rb) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    match (ra.len(), rb.len()) {
        (1, 1) | (0, 1) | (1, 0) => true,
        (2, 2) => ra[0] == rb[1] && ra[1] == rb[0],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_fold_and_drop_elisions() {
        assert_eq!(query_words("Réseaux PRIVÉS"), ["reseaux", "prives"]);
        assert_eq!(query_words("l’homophilie"), ["homophilie"]);
        assert_eq!(query_words("L'Œuvre d'art"), ["oeuvre", "art"]);
        assert_eq!(query_words("peur-de-manquer !"), ["peur", "de", "manquer"]);
        assert!(query_words(" « » ").is_empty());
    }

    #[test]
    fn one_typo_is_one_edit_or_one_swap() {
        assert!(one_typo("homophilei", "homophilie")); // swap
        assert!(!one_typo("homofilie", "homophilie")); // two edits
        assert!(one_typo("reseaus", "reseaux")); // replace
        assert!(one_typo("resaux", "reseaux")); // delete
        assert!(one_typo("reseeaux", "reseaux")); // insert
        assert!(one_typo("rseau", "reseau"));
        assert!(!one_typo("reseaux", "reseaux"));
        assert!(!one_typo("abcd", "badc"));
        assert!(!one_typo("abc", "cba"));
        assert!(one_typo("é", "e"));
    }

    #[test]
    fn short_words_are_never_corrected() {
        assert!(!typo_candidate("peux", "peur"));
        assert!(typo_candidate("peurr", "peur"));
        assert!(typo_allowed("homme"));
        assert!(!typo_allowed("homm"));
    }

    #[test]
    fn typo_candidates_keep_the_first_letters() {
        assert!(typo_candidate("homophilei", "homophilie"));
        assert!(typo_candidate("hmoophilie", "homophilie")); // 2nd and 3rd swapped
        assert!(typo_candidate("hxomophilie", "homophilie")); // extra 2nd letter
        assert!(!typo_candidate("ohmophilie", "homophilie")); // 1st and 2nd swapped
        assert!(!typo_candidate("hamophilie", "homophilie")); // 2nd letter replaced
        assert_eq!(typo_prefixes("homophilie"), ["ho", "hm"]);
        assert_eq!(typo_prefixes("aaaaa"), ["aa"]);
    }
}
