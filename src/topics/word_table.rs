//! Folded word → word id, the table `topics::read` looks every word of the
//! site up in (14 million lookups at 10,000 documents, nearly all of words
//! it already knows).
//!
//! A word of up to 15 bytes (nearly every word) is looked up by its bytes
//! packed into a `u128` with its length and language: hashing it is two
//! multiplications and comparing it one comparison, where a `Box<str>` key
//! cost a hash over the bytes and a call to `memcmp` at every lookup (a
//! third of the reading loop in callgrind). Longer words go to a map of
//! strings.

use rustc_hash::FxHashMap;

use super::words::WordId;
use crate::model::Lang;

/// Folded words of any language → ids.
#[derive(Default)]
pub(super) struct WordTable {
    /// Words of up to [`SHORT`] bytes, by [`pack`].
    short: FxHashMap<u128, WordId>,
    /// Longer words, per language (`Lang as usize`).
    long: [FxHashMap<Box<str>, WordId>; 2],
}

/// The longest word kept in [`WordTable::short`]: its sixteenth byte holds
/// the length and the language.
const SHORT: usize = 15;

impl WordTable {
    /// The id of `folded` in `lang`, if it has one.
    #[inline]
    pub fn get(&self, lang: Lang, folded: &str) -> Option<WordId> {
        match pack(lang, folded.as_bytes()) {
            Some(key) => self.short.get(&key).copied(),
            None => self.long[lang as usize].get(folded).copied(),
        }
    }

    /// Gives `folded` in `lang` the id `id`.
    pub fn insert(&mut self, lang: Lang, folded: &str, id: WordId) {
        match pack(lang, folded.as_bytes()) {
            Some(key) => self.short.insert(key, id),
            None => self.long[lang as usize].insert(folded.into(), id),
        };
    }
}

/// `word`'s bytes, zero-padded, in the low 15 bytes and its length and
/// language in the sixteenth, so that two keys are equal exactly when the
/// words and languages are; `None` past [`SHORT`] bytes. Reads the bytes in
/// a few overlapping loads rather than a copy of variable length (a call
/// to `memcpy`).
#[inline]
fn pack(lang: Lang, word: &[u8]) -> Option<u128> {
    let n = word.len();
    let tag = u128::from(n as u8 | (lang as u8) << 4) << 120;
    let bytes = match n {
        0 => 0,
        1..=3 => {
            let byte = |i: usize| u128::from(word[i]) << (8 * i);
            byte(0) | byte(n / 2) | byte(n - 1)
        }
        4..=7 => {
            let first = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
            let last = u32::from_le_bytes([word[n - 4], word[n - 3], word[n - 2], word[n - 1]]);
            // `last` read from byte n - 4: shifted to byte 4, its bytes
            // before byte 4 (the overlap with `first`) fall off.
            let high = u64::from(last) >> (8 * (8 - n)) << 32;
            u128::from(u64::from(first) | high)
        }
        8..=SHORT => {
            let first = u64::from_le_bytes(word[..8].try_into().ok()?);
            let last = u64::from_le_bytes(word[n - 8..].try_into().ok()?);
            let high = last.checked_shr(8 * (16 - n as u32)).unwrap_or(0);
            u128::from(first) | u128::from(high) << 64
        }
        _ => return None,
    };
    Some(bytes | tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `pack` must give: the bytes one after the other.
    fn plain(lang: Lang, word: &[u8]) -> Option<u128> {
        let mut buf = [0u8; 16];
        buf.get_mut(..word.len())?.copy_from_slice(word);
        (word.len() <= SHORT).then_some(())?;
        buf[15] = word.len() as u8 | (lang as u8) << 4;
        Some(u128::from_le_bytes(buf))
    }

    #[test]
    fn packing_keeps_every_byte_length_and_language() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for lang in [Lang::Fr, Lang::En] {
            for start in 0..4 {
                for n in 0..=20 {
                    let word = &text[start..start + n];
                    assert_eq!(pack(lang, word), plain(lang, word), "{n}");
                }
            }
        }
        assert_ne!(pack(Lang::Fr, b"ab"), pack(Lang::En, b"ab"));
        assert_ne!(pack(Lang::Fr, b"a"), pack(Lang::Fr, b"aa"));
    }

    #[test]
    fn short_and_long_words_get_their_ids() {
        let mut table = WordTable::default();
        let long = "anticonstitutionnellement";
        let words = [
            (Lang::Fr, "vie"),
            (Lang::Fr, long),
            (Lang::En, "vie"),
            (Lang::En, long),
        ];
        for (id, &(lang, word)) in words.iter().enumerate() {
            assert_eq!(table.get(lang, word), None);
            table.insert(lang, word, id as WordId);
        }
        for (id, &(lang, word)) in words.iter().enumerate() {
            assert_eq!(table.get(lang, word), Some(id as WordId));
        }
        assert_eq!(table.get(Lang::Fr, "vies"), None);
    }
}
