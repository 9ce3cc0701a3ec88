//! A section's text as a search result shows it: white space made single
//! spaces, cut at a word boundary.

/// `text` with runs of white space made one space, cut after at most `max`
/// bytes at a word boundary. White space is Unicode's (`char::is_whitespace`,
/// as `str::split_whitespace`), but the text is walked sixteen bytes at a
/// time (`run_end`), only a byte that may start a white-space character
/// beyond ASCII (0xC2, 0xE1–0xE3) being decoded, and words separated by a
/// single space are copied as one run. The `split_whitespace` loop it
/// replaces, a char decoded and classified and a copy made a word, was 3% of
/// a 10,000-document build; a byte at a time through a table, 7
/// instructions a byte (callgrind).
pub fn clip(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max + 8));
    clip_into(&mut out, text, max);
    out
}

/// `clip` into `out`, emptied first: one buffer serves every section of a
/// fragment file.
pub fn clip_into(out: &mut String, text: &str, max: usize) {
    out.clear();
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = skip_space(text, 0);
    while i < n {
        // A run of words separated by single spaces, copied at once, after
        // a space when the output already holds words.
        let sep = usize::from(!out.is_empty());
        let start = i;
        // How many bytes of the run still fit; past them the run is not
        // read further.
        let room = max.saturating_sub(out.len() + sep);
        let limit = n.min(start + room + 1);
        let end = run_end(text, start, limit);
        if end - start > room {
            // The run goes on past `room`: its words up to the last space
            // within it fit (every space in a run is a single one between
            // words).
            match memchr::memrchr(b' ', &bytes[start..limit]) {
                Some(k) => {
                    if sep == 1 {
                        out.push(' ');
                    }
                    out.push_str(&text[start..start + k]);
                }
                None if out.is_empty() => {
                    // A first word longer than `max`: cut in it.
                    let mut cut = start + max;
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    out.push_str(&text[start..cut]);
                }
                None => {}
            }
            out.push('…');
            return;
        }
        // `start` and `end` are char boundaries: the end of white space (or
        // the start of the text), the start of white space (or the end).
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(&text[start..end]);
        i = skip_space(text, end);
    }
}

/// Where the run of words starting at byte `i` of `text` ends: at white
/// space other than a single space followed by a word byte, or at `limit`.
fn run_end(text: &str, mut i: usize, limit: usize) -> usize {
    let bytes = text.as_bytes();
    let n = bytes.len();
    while i < limit {
        // Sixteen bytes at once (and the one after, for the spaces), when
        // none of them ends the run: most of a text.
        let chunk_end = i + 16;
        if chunk_end < n
            && chunk_end <= limit
            && let Some(window) = bytes[i..=chunk_end].first_chunk::<17>()
            && !may_end_run(window)
        {
            i = chunk_end;
            continue;
        }
        // A byte at a time through the rest of the chunk.
        let stop = chunk_end.min(limit);
        while i < stop {
            match BYTE_CLASS[bytes[i] as usize] {
                WORD => i += 1,
                SPACE
                    if bytes[i] == b' '
                        && bytes
                            .get(i + 1)
                            .is_some_and(|&b| BYTE_CLASS[b as usize] == WORD) =>
                {
                    i += 1
                }
                SPACE => return i,
                _ if unicode_space(text, i).is_some() => return i,
                _ => i += 1,
            }
        }
    }
    limit
}

/// Whether one of the first sixteen bytes of `window` may end a run: white
/// space or a lead byte of it, but a space followed by a word byte. No
/// early exit: the compiler makes it vector code.
fn may_end_run(window: &[u8; 17]) -> bool {
    let mut found = false;
    for k in 0..16 {
        let (b, next) = (window[k], window[k + 1]);
        // `&` and `|`, not `&&` and `||`: no branch.
        let inner_space = (b == b' ') & !not_word(next);
        found |= not_word(b) & !inner_space;
    }
    found
}

/// Whether `b` is not of class `WORD`, by comparisons (vector code) rather
/// than through the table.
fn not_word(b: u8) -> bool {
    (b == b' ') | (b.wrapping_sub(0x09) < 5) | (b == 0xC2) | (b.wrapping_sub(0xE1) < 3)
}

/// Where the white space at byte `i` of `text` ends (`i` itself if none
/// starts there).
fn skip_space(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(i) {
        match BYTE_CLASS[b as usize] {
            SPACE => i += 1,
            LEAD => match unicode_space(text, i) {
                Some(n) => i += n,
                None => break,
            },
            _ => break,
        }
    }
    i
}

/// The length of the white-space character at byte `i` of `text`, if one
/// starts there (for a byte of class `LEAD`).
fn unicode_space(text: &str, i: usize) -> Option<usize> {
    let c = text.get(i..)?.chars().next()?;
    c.is_whitespace().then(|| c.len_utf8())
}

const WORD: u8 = 0;
const SPACE: u8 = 1;
const LEAD: u8 = 2;

/// Each byte's class: ASCII white space as `char::is_whitespace` has it
/// (tab, line feed, vertical tab, form feed, carriage return, space); the
/// lead bytes of the other white space (U+0085 and U+00A0 start with 0xC2,
/// U+1680 with 0xE1, U+2000–U+205F with 0xE2, U+3000 with 0xE3); the rest.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [WORD; 256];
    let mut b = 0x09;
    while b <= 0x0D {
        t[b] = SPACE;
        b += 1;
    }
    t[b' ' as usize] = SPACE;
    t[0xC2] = LEAD;
    t[0xE1] = LEAD;
    t[0xE2] = LEAD;
    t[0xE3] = LEAD;
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The `split_whitespace` version `clip` replaced.
    fn clip_by_words(text: &str, max: usize) -> String {
        let mut out = String::new();
        for word in text.split_whitespace() {
            if out.len() + 1 + word.len() > max && !out.is_empty() {
                out.push('…');
                break;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            if word.len() > max {
                let mut end = max;
                while !word.is_char_boundary(end) {
                    end -= 1;
                }
                out.push_str(&word[..end]);
                out.push('…');
                break;
            }
            out.push_str(word);
        }
        out
    }

    #[test]
    fn clip_cuts_as_split_whitespace_does() {
        // Every kind of white space, accents, long words, empty text.
        let pieces = [
            "a",
            "mot",
            "été",
            " ",
            "  ",
            "\t",
            "\n",
            "\u{0B}",
            "\u{0C}",
            "\r",
            "\u{85}",
            "\u{A0}",
            "\u{1680}",
            "\u{2003}",
            "\u{2028}",
            "\u{202F}",
            "\u{205F}",
            "\u{3000}",
            "\u{2060}",
            "\u{200B}",
            "€",
            "日本",
            "x-y",
            "«",
            "»",
            "anticonstitutionnellement",
        ];
        let mut seed = 7u64;
        for _ in 0..6000 {
            let mut text = String::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = (seed >> 33) % 48;
            for k in 0..n {
                let r = seed.rotate_left(k as u32 * 5) ^ k;
                text.push_str(pieces[(r % pieces.len() as u64) as usize]);
            }
            for max in [0, 1, 2, 3, 5, 8, 13, 17, 30, 33, 64, 100, 1000] {
                assert_eq!(
                    clip(&text, max),
                    clip_by_words(&text, max),
                    "{text:?} {max}"
                );
            }
        }
    }

    #[test]
    fn clip_cuts_long_runs_as_split_whitespace_does() {
        // Mostly words and single spaces, as texts are: runs longer than the
        // sixteen bytes read at once, broken now and then.
        let words = [
            "L'audience",
            "importante",
            "limite",
            "été",
            "«",
            "»",
            "’",
            "x",
            "anticonstitutionnellement",
        ];
        let gaps = [
            " ",
            " ",
            " ",
            " ",
            " ",
            " ",
            "  ",
            "\n\n",
            "\u{A0}",
            " \u{2003}",
            "\t",
        ];
        let mut seed = 11u64;
        for _ in 0..3000 {
            let mut text = String::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = (seed >> 33) % 80;
            for k in 0..n {
                let r = seed.rotate_left((k % 64) as u32) ^ k.wrapping_mul(0x9E37_79B9);
                text.push_str(words[(r % words.len() as u64) as usize]);
                text.push_str(gaps[((r >> 8) % gaps.len() as u64) as usize]);
            }
            for max in [0, 5, 16, 17, 31, 40, 64, 100, 333, 1000] {
                assert_eq!(
                    clip(&text, max),
                    clip_by_words(&text, max),
                    "{text:?} {max}"
                );
            }
        }
    }
}
