//! The fingerprint of a build's input: everything the output depends on —
//! the site's files as loaded, the build options, and the maillage binary
//! itself — hashed into one number. Two builds with the same fingerprint
//! produce the same bytes, which lets a rebuild with nothing changed stop
//! right after reading the site (see `write::state`).
//!
//! XXH3 (`xxhash-rust`, stable across versions and platforms) over each
//! source in parallel, then over the list of those hashes: a collision,
//! which would leave a stale page, is as unlikely as a 64-bit hash allows.
//! It replaced std's SipHash, four times the instructions a byte; a record
//! written with the older hash holds another fingerprint, so the first
//! build after the change simply does the full work.

use std::hash::{Hash, Hasher};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use xxhash_rust::xxh3::{Xxh3Default, xxh3_64};

use crate::load::SiteInput;
use crate::model::SourceKind;

/// The fingerprint of building `input` with `drafts`, as 16 hex digits;
/// `None` when the running binary cannot be identified (then every build
/// does the full work).
pub fn fingerprint(input: &SiteInput, drafts: bool) -> Option<String> {
    let binary = binary_identity()?;
    let sources: Vec<u64> = input
        .sources
        .par_iter()
        .map(|s| {
            let mut h = Xxh3Default::new();
            s.rel_path.hash(&mut h);
            matches!(s.kind, SourceKind::Markdown).hash(&mut h);
            // One call over the whole text: the streaming hasher copies
            // it through a buffer.
            xxh3_64(s.text.as_bytes()).hash(&mut h);
            h.finish()
        })
        .collect();
    let mut h = Xxh3Default::new();
    binary.hash(&mut h);
    drafts.hash(&mut h);
    // The site's folder name is the default title.
    input.root.canonicalize().ok().hash(&mut h);
    input.config.hash(&mut h);
    input.catalog.hash(&mut h);
    input.templates.hash(&mut h);
    input.theme.hash(&mut h);
    sources.hash(&mut h);
    Some(format!("{:016x}", h.finish()))
}

/// The running binary's path, size and modification time: a rebuilt
/// maillage may render differently even under the same version number.
fn binary_identity() -> Option<(String, u64, u128)> {
    let exe = std::env::current_exe().ok()?;
    let meta = exe.metadata().ok()?;
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some((
        format!("{} {}", env!("CARGO_PKG_VERSION"), exe.display()),
        meta.len(),
        mtime.as_nanos(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceDoc;

    fn input(text: &str) -> SiteInput {
        SiteInput {
            sources: vec![SourceDoc {
                rel_path: "a.md".into(),
                kind: SourceKind::Markdown,
                text: text.into(),
            }],
            ..SiteInput::default()
        }
    }

    #[test]
    fn any_change_of_input_or_options_changes_the_fingerprint() {
        let base = fingerprint(&input("x"), false).unwrap();
        assert_eq!(fingerprint(&input("x"), false).unwrap(), base);
        assert_ne!(fingerprint(&input("y"), false).unwrap(), base);
        assert_ne!(fingerprint(&input("x"), true).unwrap(), base);
        let mut templated = input("x");
        templated.templates.push(("index.html".into(), "t".into()));
        assert_ne!(fingerprint(&templated, false).unwrap(), base);
        let mut configured = input("x");
        configured.config = Some("title = \"T\"".into());
        assert_ne!(fingerprint(&configured, false).unwrap(), base);
        let mut catalogued = input("x");
        catalogued.catalog = Some("[[topic]]".into());
        assert_ne!(fingerprint(&catalogued, false).unwrap(), base);
        let mut renamed = input("x");
        renamed.sources[0].rel_path = "b.md".into();
        assert_ne!(fingerprint(&renamed, false).unwrap(), base);
        let mut themed = input("x");
        themed.theme.push(("style.css".into(), b"b".to_vec()));
        assert_ne!(fingerprint(&themed, false).unwrap(), base);
    }
}
