//! Cutting a text into folded words ([`FoldedWords`]), the loop under every
//! reading of words (`normalize::for_each_folded` and the reading of the
//! site in `topics::read`). What a word is and how it folds is said in
//! `topics::normalize`; one character's folding is in `topics::fold`.
//!
//! The words come one at a time from [`FoldedWords::next_word`] rather than
//! through a callback, so that the reader's loop body sits in one place the
//! compiler inlines: the callback was a call per word, and its entry and
//! exit were a tenth of reading the site (callgrind). Between words, ASCII
//! separators are skipped a byte at a time without decoding a character.

use super::fold::{fold_char, is_apostrophe, is_word_char};
use super::normalize::FRENCH_ELISIONS;
use crate::model::Lang;

/// The folded words of a text, French elisions dropped, not stemmed.
pub struct FoldedWords<'t> {
    text: &'t str,
    lang: Lang,
    /// Where the next word is looked for.
    at: usize,
    /// The word being folded, when it is not a run of the text as is.
    folded: String,
}

impl<'t> FoldedWords<'t> {
    pub fn new(text: &'t str, lang: Lang) -> FoldedWords<'t> {
        FoldedWords {
            text,
            lang,
            at: 0,
            folded: String::new(),
        }
    }

    /// The next word: `(folded, start, end)`, `start..end` its bytes in the
    /// text. A lower-case ASCII word (most words) is handed on as the text
    /// has it, neither copied nor folded.
    #[inline(always)]
    pub fn next_word(&mut self) -> Option<(&str, usize, usize)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = self.at;
        // Byte offset where the current word began, if inside a word.
        let mut word_start: Option<usize> = None;
        self.folded.clear();
        loop {
            if word_start.is_none() {
                while let Some(&b) = bytes.get(i)
                    && b.is_ascii()
                    && !b.is_ascii_alphanumeric()
                {
                    i += 1;
                }
            }
            if i >= bytes.len() {
                break;
            }
            // A run of ASCII letters and digits (most of a French or
            // English text).
            let (run, upper) = ascii_run(&bytes[i..]);
            if run > 0 {
                let end = i + run;
                let next = bytes.get(end).copied();
                if word_start.is_none()
                    && !upper
                    && next.is_none_or(|b| b.is_ascii() && !b.is_ascii_alphanumeric())
                {
                    let word = &text[i..end];
                    let elided = self.lang == Lang::Fr && next == Some(b'\'') && is_elision(word);
                    if !elided {
                        self.at = end;
                        return Some((word, i, end));
                    }
                    i = end;
                    continue;
                }
                word_start.get_or_insert(i);
                let from = self.folded.len();
                self.folded.push_str(&text[i..end]);
                self.folded[from..].make_ascii_lowercase();
                i = end;
                continue;
            }
            // `i` is on a character boundary: runs and characters end on one.
            let at = i;
            let c = match bytes[i] {
                b if b.is_ascii() => b as char,
                _ => match text[i..].chars().next() {
                    Some(c) => c,
                    None => break,
                },
            };
            i += c.len_utf8();
            if is_word_char(c) {
                word_start.get_or_insert(at);
                fold_char(c, &mut self.folded);
                continue;
            }
            if let Some(start) = word_start.take() {
                let elided = self.lang == Lang::Fr && is_apostrophe(c) && is_elision(&self.folded);
                // A lone combining mark folds to nothing: no word.
                if !elided && !self.folded.is_empty() {
                    self.at = i;
                    return Some((&self.folded, start, at));
                }
                self.folded.clear();
            }
        }
        self.at = bytes.len();
        match word_start {
            Some(start) if !self.folded.is_empty() => Some((&self.folded, start, text.len())),
            _ => None,
        }
    }
}

/// The length of the run of ASCII letters and digits `bytes` starts with,
/// and whether it holds an upper-case letter. A plain loop over a table:
/// the iterator chain it replaces (`take_while(is_ascii_alphanumeric)
/// .count()`) took a fifth of folding.
#[inline]
fn ascii_run(bytes: &[u8]) -> (usize, bool) {
    /// 0: not a letter or digit; 1: lower-case letter or digit; 2: upper-case.
    static CLASS: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            table[b] = if c.is_ascii_uppercase() {
                2
            } else if c.is_ascii_alphanumeric() {
                1
            } else {
                0
            };
            b += 1;
        }
        table
    };
    let mut n = 0;
    let mut seen = 0;
    while let Some(&b) = bytes.get(n) {
        let class = CLASS[b as usize];
        if class == 0 {
            break;
        }
        seen |= class;
        n += 1;
    }
    (n, seen & 2 != 0)
}

fn is_elision(folded: &str) -> bool {
    FRENCH_ELISIONS.contains(&folded)
}
