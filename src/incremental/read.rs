//! Reading what changed in `content/`: the documents a change may concern
//! are read again and compared with the hash of what was read before; only
//! those whose text differs are structured again. Events only say where to
//! look; the disk says what happened (a save through a temporary file and a
//! rename is an edit, not a deletion and a creation).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHasher;

use crate::error::{BuildError, Diagnostic};
use crate::load::{self, CATALOG_FILE, source_kind};
use crate::model::{Lang, SourceDoc};
use crate::structure::{self, DocWithWarnings};
use crate::topics::{self, catalog::Catalog};

/// A document's path under `content/`, ordered as the site orders its
/// documents: folder by folder, each folder's entries by file name (so
/// `a/b.md` comes before `a-b.md`, as in `load`'s directory walk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceKey(pub String);

impl Ord for SourceKey {
    fn cmp(&self, other: &Self) -> Ordering {
        path_order(&self.0, &other.0)
    }
}

impl PartialOrd for SourceKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The site order of two paths under `content/`.
pub fn path_order(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}

/// The hash of a document's text: equal texts, no work.
pub fn source_hash(text: &str) -> u64 {
    let mut h = FxHasher::default();
    text.hash(&mut h);
    h.finish()
}

/// What happened to one document file.
#[derive(Debug)]
pub enum Edit {
    /// Created or changed: its new hash and its document (`None` for a draft
    /// that is not built).
    Upsert {
        hash: u64,
        doc: Option<Box<DocWithWarnings>>,
    },
    /// Deleted (or no longer a document).
    Remove,
}

/// Where to look, and how to read.
pub struct Look<'a> {
    pub content_dir: &'a Path,
    /// The output folder, never content.
    pub output: &'a Path,
    pub site_lang: Lang,
    pub drafts: bool,
}

/// Structures one source as `structure::structure_all` does, naming its
/// file in diagnostics.
pub fn structure_source(
    source: &SourceDoc,
    site_lang: Lang,
    content_dir: &Path,
    drafts: bool,
) -> Result<Option<DocWithWarnings>, Diagnostic> {
    let path = content_dir.join(&source.rel_path);
    structure::structure(source, site_lang, drafts)
        .map_err(|d| d.at(&path))
        .map(|found| {
            found.map(|(doc, warnings)| (doc, warnings.into_iter().map(|w| w.at(&path)).collect()))
        })
}

/// Reads the documents at `paths` (under `content/`), or every document
/// when `rescan`, and returns those that differ from `known` (path → hash).
/// Fails with every read or structure error found; then nothing is applied.
pub fn read_edits(
    look: &Look,
    known: &BTreeMap<SourceKey, u64>,
    paths: &BTreeSet<String>,
    rescan: bool,
) -> Result<BTreeMap<SourceKey, Edit>, BuildError> {
    let mut candidates: BTreeSet<String> = paths.clone();
    if rescan {
        // Rare (a folder moved, the watcher overflowed): the plain walk of
        // `load` says which documents exist.
        let root = look.content_dir.parent().unwrap_or(look.content_dir);
        let listed = load::load_site(root, Some(look.output))?;
        candidates.extend(listed.sources.iter().map(|s| s.rel_path.clone()));
        candidates.extend(known.keys().map(|k| k.0.clone()));
    }
    let results: Vec<Option<Result<(SourceKey, Edit), Diagnostic>>> = candidates
        .par_iter()
        .map(|rel| look_at(look, known, rel))
        .collect();
    let mut edits = BTreeMap::new();
    let mut errors = Vec::new();
    for r in results.into_iter().flatten() {
        match r {
            Ok((key, edit)) => {
                edits.insert(key, edit);
            }
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(edits)
    } else {
        Err(BuildError {
            diagnostics: errors,
        })
    }
}

/// Fails when a changed document names a topic the catalog lacks.
pub fn check_topics(
    edits: &BTreeMap<SourceKey, Edit>,
    catalog: &Catalog,
    content_dir: &Path,
) -> Result<(), BuildError> {
    let errors: Vec<Diagnostic> = edits
        .values()
        .filter_map(|e| match e {
            Edit::Upsert { doc: Some(d), .. } => Some(&d.0),
            _ => None,
        })
        .flat_map(|d| topics::unknown_front_topics(d, catalog, content_dir))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(BuildError {
            diagnostics: errors,
        })
    }
}

/// Whether `rel` is a document file that `load` would read: a Markdown or
/// text file, not hidden or a backup anywhere in its path, not the catalog,
/// not in the output folder.
fn is_document(look: &Look, rel: &str) -> bool {
    let path = look.content_dir.join(rel);
    !rel.split('/').any(load::is_ignored_name)
        && rel != CATALOG_FILE
        && !path.starts_with(look.output)
        && source_kind(&path).is_some()
        && path.is_file()
}

fn look_at(
    look: &Look,
    known: &BTreeMap<SourceKey, u64>,
    rel: &str,
) -> Option<Result<(SourceKey, Edit), Diagnostic>> {
    let key = SourceKey(rel.to_string());
    let before = known.get(&key).copied();
    if !is_document(look, rel) {
        return before.map(|_| Ok((key, Edit::Remove)));
    }
    let path = look.content_dir.join(rel);
    let kind = source_kind(&path)?;
    let text = match load::read_text(&path) {
        Ok(t) => t,
        // Gone between the check and the read: a deletion.
        Err(_) if !path.exists() => return before.map(|_| Ok((key, Edit::Remove))),
        Err(d) => return Some(Err(d)),
    };
    let hash = source_hash(&text);
    if before == Some(hash) {
        return None;
    }
    let source = SourceDoc {
        rel_path: rel.to_string(),
        kind,
        text,
    };
    Some(
        structure_source(&source, look.site_lang, look.content_dir, look.drafts).map(|doc| {
            let doc = doc.map(Box::new);
            (key, Edit::Upsert { hash, doc })
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_like_a_directory_walk() {
        let mut keys: Vec<SourceKey> = ["a-b.md", "a/b.md", "a.md", "b.md", "a/a/z.md"]
            .iter()
            .map(|s| SourceKey(s.to_string()))
            .collect();
        keys.sort();
        let order: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
        assert_eq!(order, ["a/a/z.md", "a/b.md", "a-b.md", "a.md", "b.md"]);
    }

    #[test]
    fn reading_finds_edits_creations_and_deletions_and_skips_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(content.join("same.md"), "# Same\n").unwrap();
        std::fs::write(content.join("new.md"), "# New\n").unwrap();
        std::fs::write(content.join(".new.md.swp"), "junk").unwrap();
        let mut known = BTreeMap::new();
        known.insert(SourceKey("same.md".into()), source_hash("# Same\n"));
        known.insert(SourceKey("gone.md".into()), 1);
        let look = Look {
            content_dir: &content,
            output: &dir.path().join("output"),
            site_lang: Lang::Fr,
            drafts: false,
        };
        let paths = ["same.md", "new.md", "gone.md", ".new.md.swp"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let edits = read_edits(&look, &known, &paths, false).unwrap();
        let keys: Vec<&str> = edits.keys().map(|k| k.0.as_str()).collect();
        assert_eq!(keys, ["gone.md", "new.md"]);
        assert!(matches!(edits[&SourceKey("gone.md".into())], Edit::Remove));
        assert!(matches!(
            edits[&SourceKey("new.md".into())],
            Edit::Upsert { doc: Some(_), .. }
        ));
    }
}
