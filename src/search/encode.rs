//! The compact encodings of the index files, written here and read by
//! `theme/search.js` (`decodePostings`, `base64`).
//!
//! A posting list is bytes, then base64 text inside a JSON string:
//! - sparse (tag 0): per section, the varint `gap << 2 | level`, where `gap`
//!   is the number of sections skipped since the previous one;
//! - dense (tag 1): two bits per section of the site, the level (0 = absent),
//!   four sections per byte, low bits first.
//!
//! Whichever is shorter is written, so a word found in nearly every section
//! (« de », « réseau ») costs a quarter of a byte per section, never more.

use super::index::Posting;
use super::terms::Level;

pub const SPARSE: u8 = 0;
pub const DENSE: u8 = 1;

/// Encodes `postings` (section numbers ascending, below `sections`).
pub fn postings(postings: &[Posting], sections: u32) -> Vec<u8> {
    let mut sparse = vec![SPARSE];
    let mut next = 0u32;
    for &p in postings {
        let (section, level) = (p.section(), p.level());
        let gap = section.saturating_sub(next);
        varint(&mut sparse, (u64::from(gap) << 2) | u64::from(level & 3));
        next = section.saturating_add(1);
    }
    let dense_len = 1 + (sections as usize).div_ceil(4);
    if sparse.len() <= dense_len {
        return sparse;
    }
    let mut dense = vec![0u8; dense_len];
    dense[0] = DENSE;
    for &p in postings {
        let (section, level) = (p.section(), p.level());
        let (byte, shift) = (1 + section as usize / 4, (section % 4) * 2);
        if let Some(b) = dense.get_mut(byte) {
            *b |= (level & 3) << shift;
        }
    }
    dense
}

/// Appends to `out` the encoding of a list whose sparse form, without its
/// tag, is `sparse` (what the index builds as it goes): the same bytes as
/// [`postings`] writes for that list.
pub fn finish_postings(out: &mut Vec<u8>, sparse: &[u8], sections: u32) {
    let dense_len = 1 + (sections as usize).div_ceil(4);
    // The tag and the varints against the tag and two bits a section.
    if sparse.len() < dense_len {
        out.push(SPARSE);
        out.extend_from_slice(sparse);
        return;
    }
    let start = out.len();
    out.resize(start + dense_len, 0);
    out[start] = DENSE;
    let dense = &mut out[start + 1..];
    let (mut i, mut next) = (0, 0u64);
    while let Some((v, used)) = read_varint(&sparse[i..]) {
        i += used;
        let section = next + (v >> 2);
        let (byte, shift) = ((section / 4) as usize, (section % 4) * 2);
        if let Some(b) = dense.get_mut(byte) {
            *b |= ((v & 3) as u8) << shift;
        }
        next = section + 1;
    }
}

/// Decodes what [`postings`] wrote (the reference for the JavaScript reader).
pub fn decode_postings(bytes: &[u8]) -> Option<Vec<(u32, Level)>> {
    let (&tag, rest) = bytes.split_first()?;
    let mut out = Vec::new();
    match tag {
        SPARSE => {
            let mut next = 0u64;
            let mut i = 0;
            while i < rest.len() {
                let (v, used) = read_varint(&rest[i..])?;
                i += used;
                let section = next.checked_add(v >> 2)?;
                out.push((u32::try_from(section).ok()?, (v & 3) as Level));
                next = section + 1;
            }
        }
        DENSE => {
            for (i, &b) in rest.iter().enumerate() {
                for k in 0..4 {
                    let level = (b >> (2 * k)) & 3;
                    if level != 0 {
                        out.push(((i * 4 + k) as u32, level));
                    }
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

/// LEB128: seven bits a byte, low bits first, high bit set on all but the last.
pub fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads one varint: its value and the bytes it took.
pub fn read_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, what the browser's `atob` reads.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    base64_into(&mut out, bytes);
    out
}

/// [`base64`], appended to `out`.
pub fn base64_into(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
}

/// A file of the index: a script that hands its data to the page's loader,
/// so it loads with a `<script>` tag, even from `file://` where `fetch` is
/// refused. `key` is the file's path under `search/`, without `.js`.
pub fn script(key: &str, json: &str) -> Vec<u8> {
    format!("maillageSearch({key:?},{json});\n").into_bytes()
}

/// A stable 64-bit fingerprint of the index files, for cache busting: each
/// file hashed apart (in parallel: the files are tens of megabytes on a
/// large site), then the files' hashes in order.
pub fn fingerprint(files: &[&String]) -> String {
    use rayon::prelude::*;
    let hashes: Vec<u64> = files.par_iter().map(|f| hash(f.as_bytes())).collect();
    fingerprint_of(&hashes)
}

/// [`fingerprint`] from the files' hashes (each file's [`hash`]), so that a
/// build can hash each file as it writes it and not keep them all.
pub fn fingerprint_of(hashes: &[u64]) -> String {
    let all: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
    format!("{:016x}", hash(&all))
}

/// FNV-1a over 8-byte words (then the tail and the length): each step is a
/// bijection of the state, so changing any one word always changes the
/// hash, at an eighth of the multiplications of byte-wise FNV-1a.
pub fn hash(bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(PRIME);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
    }
    (h ^ bytes.len() as u64).wrapping_mul(PRIME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_stems_are_sparse_common_ones_dense() {
        let rare = [(3, 1), (900, 3)];
        let bytes = postings(&packed(&rare), 1000);
        assert_eq!(bytes[0], SPARSE);
        assert_eq!(decode_postings(&bytes).unwrap(), rare);

        let common: Vec<(u32, Level)> = (0..1000).filter(|s| s % 3 != 0).map(|s| (s, 2)).collect();
        let bytes = postings(&packed(&common), 1000);
        assert_eq!(bytes[0], DENSE);
        assert_eq!(bytes.len(), 1 + 250);
        assert_eq!(decode_postings(&bytes).unwrap(), common);
    }

    #[test]
    fn finishing_a_sparse_list_matches_the_reference_encoder() {
        for list in [
            vec![(3, 1), (900, 3)],
            (0..1000).filter(|s| s % 3 != 0).map(|s| (s, 2)).collect(),
            vec![],
        ] {
            let reference = postings(&packed(&list), 1000);
            let mut body = Vec::new();
            let mut next = 0;
            for &(s, l) in &list {
                varint(&mut body, (u64::from(s - next) << 2) | u64::from(l));
                next = s + 1;
            }
            let mut out = vec![9];
            finish_postings(&mut out, &body, 1000);
            assert_eq!(out[1..], reference[..]);
        }
    }

    fn packed(list: &[(u32, Level)]) -> Vec<Posting> {
        list.iter().map(|&(s, l)| Posting::new(s, l)).collect()
    }

    #[test]
    fn empty_postings_round_trip() {
        assert!(decode_postings(&postings(&[], 0)).unwrap().is_empty());
        assert!(decode_postings(&postings(&[], 10)).unwrap().is_empty());
    }

    #[test]
    fn varints_cross_byte_boundaries() {
        let list: Vec<(u32, Level)> = [0, 31, 32, 5000, 1 << 20, (1 << 30) - 1]
            .iter()
            .map(|&s| (s, 1))
            .collect();
        let bytes = postings(&packed(&list), 100);
        assert_eq!(decode_postings(&bytes).unwrap(), list);
    }

    #[test]
    fn postings_pack_section_and_level() {
        let p = Posting::new((1 << 30) - 1, 3);
        assert_eq!((p.section(), p.level()), ((1 << 30) - 1, 3));
        assert!(Posting::new(5, 1) < Posting::new(6, 0));
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn fingerprints_change_with_any_byte_and_order() {
        let (a, b) = ("maillageSearch(1)".to_owned(), "x".repeat(20));
        let base = fingerprint(&[&a, &b]);
        assert_eq!(fingerprint(&[&a, &b]), base);
        assert_ne!(fingerprint(&[&b, &a]), base);
        for i in 0..b.len() {
            let mut c = b.clone().into_bytes();
            c[i] = b'y';
            let c = String::from_utf8(c).unwrap();
            assert_ne!(fingerprint(&[&a, &c]), base, "byte {i}");
        }
        // A byte moved from one file to the next is another index.
        let (a2, b2) = ("maillageSearch(1".to_owned(), format!("){b}"));
        assert_ne!(fingerprint(&[&a2, &b2]), fingerprint(&[&a, &b]));
    }

    #[test]
    fn scripts_quote_their_key() {
        assert_eq!(script("w/0", "[1]"), b"maillageSearch(\"w/0\",[1]);\n");
    }
}
