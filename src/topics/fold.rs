//! One character of a word: whether it belongs to a word, and how it folds
//! (lower case, compatibility decomposition, Latin diacritics removed,
//! ligatures expanded). ASCII and the Latin letters of most Western
//! languages go through a table; the rest through Unicode's tables.
//! `topics::normalize` cuts texts into words with these.

use std::sync::OnceLock;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Whether `c` is part of a word: a letter of any script, a digit or a
/// combining mark, but never an apostrophe.
pub(super) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if let Some(entry) = latin_fold(c) {
        entry.word
    } else {
        slow_is_word_char(c)
    }
}

fn slow_is_word_char(c: char) -> bool {
    // ʼ (U+02BC) is a letter for Unicode but an apostrophe for writers.
    (c.is_alphanumeric() || is_combining_mark(c)) && !is_apostrophe(c)
}

/// Straight, typographic and modifier-letter apostrophes (the opening
/// quote ‘ is often typed by mistake for ’).
pub(super) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘')
}

/// Appends the folded form of one word character to `out`.
pub(super) fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if let Some(entry) = latin_fold(c) {
        out.push_str(entry.folded());
    } else {
        slow_fold_char(c, out);
    }
}

/// Folds one character through Unicode's case and decomposition tables.
fn slow_fold_char(c: char, out: &mut String) {
    for lower in c.to_lowercase() {
        match lower {
            // Ligatures have no Unicode decomposition, yet writers use both.
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            _ => decompose_compatible(lower, |d| push_folded_part(d, out)),
        }
    }
}

/// Characters below this (Latin-1, Latin Extended-A and B: every accented
/// letter of French and most of Western Europe's) fold through a table.
const LATIN_END: u32 = 0x250;

/// The folded form of one character of the table.
struct LatinFold {
    word: bool,
    folded: Box<str>,
}

impl LatinFold {
    fn folded(&self) -> &str {
        &self.folded
    }
}

/// The table entry of `c`, if `c` is in the table. « é » through Unicode's
/// lowercase and decomposition tables took about a tenth of folding a
/// French text; the table gives the same result (computed from them once)
/// for the price of an index.
fn latin_fold(c: char) -> Option<&'static LatinFold> {
    static TABLE: OnceLock<Vec<Option<LatinFold>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0..LATIN_END)
            .map(|code| {
                let c = char::from_u32(code)?;
                let mut folded = String::new();
                slow_fold_char(c, &mut folded);
                Some(LatinFold {
                    word: slow_is_word_char(c),
                    folded: folded.into(),
                })
            })
            .collect()
    });
    table.get(c as usize)?.as_ref()
}

/// Keeps a decomposed part unless it is a Latin diacritic (the accent of
/// « é ») or not a word character at all (some compatibility decompositions,
/// e.g. of Arabic ligatures, contain spaces, which must never enter a token).
fn push_folded_part(d: char, out: &mut String) {
    let is_diacritic = ('\u{300}'..='\u{36f}').contains(&d);
    if !is_diacritic && slow_is_word_char(d) {
        // Compatibility forms may decompose to uppercase (e.g. ㎒ → MHz).
        out.extend(d.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_table_folds_like_unicode() {
        for code in 0x80..LATIN_END {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let mut slow = String::new();
            slow_fold_char(c, &mut slow);
            let mut fast = String::new();
            fold_char(c, &mut fast);
            assert_eq!(fast, slow, "{c}");
            assert_eq!(is_word_char(c), slow_is_word_char(c), "{c}");
        }
    }
}
