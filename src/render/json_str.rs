//! JSON strings and numbers with exactly the bytes `serde_json` writes, for
//! the hand-written JSON of `site.json` and the search fragments.
//!
//! Almost no string of a site needs escaping (URLs, slugs, anchors, titles
//! and text without `"`, `\` or control characters), yet `serde_json`
//! checks each byte through its table and copies it: its
//! `format_escaped_str` was 4.4% of a 1,000-document build's instructions
//! (callgrind). Here a string is first checked sixteen bytes at a time (a
//! loop the compiler turns into vector compares), then copied whole; a
//! string that needs escaping is left to `serde_json` itself, so the output
//! cannot differ.

use std::fmt::Write;

use serde_json::ser::{CompactFormatter, Formatter};

/// What JSON text is written into: bytes (`site.json`, streamed) or a
/// `String` (the search files).
pub trait JsonBuf {
    /// Appends text as it is.
    fn text(&mut self, s: &str);
    /// Appends an unsigned integer in decimal, as `serde_json` writes it.
    fn uint(&mut self, n: u64);
}

impl JsonBuf for Vec<u8> {
    fn text(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }

    fn uint(&mut self, n: u64) {
        // Writing into a Vec cannot fail.
        let _ = CompactFormatter.write_u64(self, n);
    }
}

impl JsonBuf for String {
    fn text(&mut self, s: &str) {
        self.push_str(s);
    }

    fn uint(&mut self, n: u64) {
        // Writing into a String cannot fail.
        let _ = write!(self, "{n}");
    }
}

/// Appends `s` as a JSON string.
pub fn push_str(buf: &mut impl JsonBuf, s: &str) {
    if needs_escaping(s.as_bytes()) {
        // Serializing a string cannot fail.
        if let Ok(json) = serde_json::to_string(s) {
            buf.text(&json);
        }
    } else {
        buf.text("\"");
        buf.text(s);
        buf.text("\"");
    }
}

/// Appends a JSON array of strings.
pub fn push_strs<'s>(buf: &mut impl JsonBuf, items: impl Iterator<Item = &'s str>) {
    buf.text("[");
    for (k, s) in items.enumerate() {
        if k > 0 {
            buf.text(",");
        }
        push_str(buf, s);
    }
    buf.text("]");
}

/// Appends a JSON array of unsigned integers.
pub fn push_u64s(buf: &mut impl JsonBuf, items: impl Iterator<Item = u64>) {
    buf.text("[");
    for (k, n) in items.enumerate() {
        if k > 0 {
            buf.text(",");
        }
        push_u64(buf, n);
    }
    buf.text("]");
}

/// Appends an unsigned integer, as `serde_json` writes it.
pub fn push_u64(buf: &mut impl JsonBuf, n: u64) {
    buf.uint(n);
}

/// Appends a float as `serde_json` writes one: `null` when not finite.
pub fn push_f64(buf: &mut Vec<u8>, x: f64) {
    // Writing into a Vec cannot fail.
    let _ = if x.is_finite() {
        CompactFormatter.write_f64(buf, x)
    } else {
        CompactFormatter.write_null(buf)
    };
}

/// Whether a JSON string of `bytes` holds a byte `serde_json` escapes: a
/// quote, a backslash or a control character (below 0x20). Sixteen bytes
/// at a time, the last sixteen overlapping the chunk before them, and a
/// shorter string padded: no byte-by-byte loop for the short strings
/// (slugs, URLs) that most of them are.
pub fn needs_escaping(bytes: &[u8]) -> bool {
    match bytes.len() {
        0 => false,
        len if len < 16 => {
            let mut padded = [b' '; 16];
            padded[..len].copy_from_slice(bytes);
            escapes(&padded)
        }
        len => {
            let (chunks, _) = bytes.as_chunks::<16>();
            chunks.iter().any(escapes) || bytes[len - 16..].first_chunk().is_some_and(escapes)
        }
    }
}

/// Whether one of sixteen bytes is escaped. No early exit: the compiler
/// makes it vector code. Inlined, or it is a call a chunk.
#[inline(always)]
fn escapes(chunk: &[u8; 16]) -> bool {
    let mut found = false;
    for &b in chunk {
        found |= escaped(b);
    }
    found
}

fn escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let long = "a".repeat(40);
        let mut cases: Vec<String> = [
            "",
            "plain",
            "é « guillemets » ’",
            "q\"uote",
            "back\\slash",
            "\u{0}\u{1f}\t\n\r\u{8}\u{c}\u{7f}",
            "/slash/",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // A special byte at every place of a long string, in and out of chunks.
        for i in 0..long.len() {
            for c in ['"', '\\', '\n', '\u{1}'] {
                let mut s = long.clone();
                s.insert(i, c);
                cases.push(s);
            }
        }
        cases.push(long);
        for s in &cases {
            let mut fast = Vec::new();
            push_str(&mut fast, s);
            assert_eq!(fast, serde_json::to_vec(s).unwrap(), "{s:?}");
            let mut text = String::new();
            push_str(&mut text, s);
            assert_eq!(text, serde_json::to_string(s).unwrap(), "{s:?}");
        }
        let mut list = Vec::new();
        push_strs(&mut list, cases.iter().map(String::as_str));
        assert_eq!(list, serde_json::to_vec(&cases).unwrap());
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for x in [
            0.0,
            1.0,
            0.125,
            1e-7,
            123456.789,
            -2.5,
            f64::NAN,
            f64::INFINITY,
        ] {
            let mut buf = Vec::new();
            push_f64(&mut buf, x);
            assert_eq!(buf, serde_json::to_vec(&x).unwrap(), "{x}");
        }
        for n in [0, 7, 10, 99_999, u64::MAX] {
            let mut buf = Vec::new();
            push_u64(&mut buf, n);
            assert_eq!(buf, serde_json::to_vec(&n).unwrap(), "{n}");
            let mut text = String::new();
            push_u64(&mut text, n);
            assert_eq!(text, serde_json::to_string(&n).unwrap(), "{n}");
        }
    }
}
