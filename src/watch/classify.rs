//! What a changed path means for the site: a document, the catalog, the
//! configuration, a template, a theme file, or nothing. One small pure
//! function, so that the rebuild decides from the kind of change and never
//! from the raw watcher event (whose kinds differ between platforms and
//! editors: a save may arrive as modify, as create, or as a rename).
//!
//! Events only say *where to look*: the rebuild reads the disk to learn what
//! happened, so a save through a temporary file and a rename, a swap file or
//! a `~` backup all end up as "look at `content/a.md` again".

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::load::{CATALOG_FILE, is_ignored_name, source_kind};

/// Where the watched parts of a site lie. Paths are absolute, so that they
/// compare equal to the paths the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub root: PathBuf,
    pub content: PathBuf,
    pub templates: PathBuf,
    pub theme: PathBuf,
    pub config: PathBuf,
    pub catalog: PathBuf,
    pub output: PathBuf,
}

impl Layout {
    /// The layout of the site at `root`, writing into `output`. Both should be
    /// absolute (see `absolute`).
    pub fn new(root: &Path, output: &Path) -> Layout {
        let content = root.join("content");
        Layout {
            root: root.to_path_buf(),
            catalog: content.join(CATALOG_FILE),
            content,
            templates: root.join("templates"),
            theme: root.join("theme"),
            config: root.join("site.toml"),
            output: output.to_path_buf(),
        }
    }
}

/// What one changed path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A document of `content/` (path under `content/`, `/`-separated).
    Document(String),
    /// Another entry of `content/`: a folder created, deleted or renamed, or a
    /// file that is not a document. Whatever documents lie under it are looked at again.
    ContentEntry(String),
    /// `content/topics.toml`.
    Catalog,
    /// `site.toml`.
    Config,
    /// Something under `templates/` (path under it).
    Template(String),
    /// Something under `theme/` (path under it).
    Theme(String),
    /// The watcher lost events (its queue overflowed): look at everything.
    Rescan,
    /// Not part of the site: the output, editor files, anything else.
    Ignored,
}

/// Classifies one path reported by the watcher.
pub fn classify(layout: &Layout, path: &Path) -> Change {
    if path.starts_with(&layout.output) {
        return Change::Ignored;
    }
    if path == layout.config {
        return Change::Config;
    }
    if let Some(rel) = relative(&layout.content, path) {
        if rel.is_empty() {
            return Change::ContentEntry(rel);
        }
        if has_ignored_component(&rel) {
            return Change::Ignored;
        }
        if path == layout.catalog {
            return Change::Catalog;
        }
        return match source_kind(path) {
            Some(_) => Change::Document(rel),
            None => Change::ContentEntry(rel),
        };
    }
    if let Some(rel) = relative(&layout.templates, path) {
        return if has_ignored_component(&rel) {
            Change::Ignored
        } else {
            Change::Template(rel)
        };
    }
    if let Some(rel) = relative(&layout.theme, path) {
        return if has_ignored_component(&rel) {
            Change::Ignored
        } else {
            Change::Theme(rel)
        };
    }
    Change::Ignored
}

/// `path` under `base`, `/`-separated; `None` when it is not under it.
fn relative(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// Hidden files and folders, swap files and backups anywhere in the path.
fn has_ignored_component(rel: &str) -> bool {
    rel.split('/').any(is_ignored_name)
}

/// Everything a batch of events asks to look at again, merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Documents, by path under `content/`.
    pub documents: BTreeSet<String>,
    /// Other entries of `content/` (folders, mostly), by path under it.
    pub content_entries: BTreeSet<String>,
    pub catalog: bool,
    pub config: bool,
    /// Changed paths under `templates/`.
    pub templates: BTreeSet<String>,
    /// Changed paths under `theme/`.
    pub theme: BTreeSet<String>,
    /// Everything must be looked at again.
    pub rescan: bool,
}

impl ChangeSet {
    /// Adds one classified change.
    pub fn add(&mut self, change: Change) {
        match change {
            Change::Document(p) => {
                self.documents.insert(p);
            }
            Change::ContentEntry(p) => {
                self.content_entries.insert(p);
            }
            Change::Catalog => self.catalog = true,
            Change::Config => self.config = true,
            Change::Template(p) => {
                self.templates.insert(p);
            }
            Change::Theme(p) => {
                self.theme.insert(p);
            }
            Change::Rescan => self.rescan = true,
            Change::Ignored => {}
        }
    }

    /// Adds everything of `other`.
    pub fn merge(&mut self, other: ChangeSet) {
        self.documents.extend(other.documents);
        self.content_entries.extend(other.content_entries);
        self.templates.extend(other.templates);
        self.theme.extend(other.theme);
        self.catalog |= other.catalog;
        self.config |= other.config;
        self.rescan |= other.rescan;
    }

    pub fn is_empty(&self) -> bool {
        *self == ChangeSet::default()
    }

    /// The changed paths, site-relative, for messages: at most `max` of them,
    /// then a count of the rest.
    pub fn describe(&self, max: usize) -> String {
        let mut all: Vec<String> = Vec::new();
        if self.rescan {
            all.push("everything (the watcher lost track)".into());
        }
        if self.config {
            all.push("site.toml".into());
        }
        if self.catalog {
            all.push(format!("content/{CATALOG_FILE}"));
        }
        all.extend(self.documents.iter().map(|p| format!("content/{p}")));
        all.extend(self.content_entries.iter().map(|p| {
            if p.is_empty() {
                "content/".to_string()
            } else {
                format!("content/{p}")
            }
        }));
        all.extend(self.templates.iter().map(|p| format!("templates/{p}")));
        all.extend(self.theme.iter().map(|p| format!("theme/{p}")));
        let rest = all.len().saturating_sub(max);
        all.truncate(max);
        let mut text = all.join(", ");
        if rest > 0 {
            text.push_str(&format!(" and {rest} more"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout::new(Path::new("/site"), Path::new("/site/output"))
    }

    fn kind(path: &str) -> Change {
        classify(&layout(), Path::new(path))
    }

    #[test]
    fn documents_are_markdown_and_text_under_content() {
        assert_eq!(kind("/site/content/a.md"), Change::Document("a.md".into()));
        assert_eq!(
            kind("/site/content/notes/b.txt"),
            Change::Document("notes/b.txt".into())
        );
    }

    #[test]
    fn catalog_and_config_are_recognised() {
        assert_eq!(kind("/site/content/topics.toml"), Change::Catalog);
        assert_eq!(kind("/site/site.toml"), Change::Config);
        assert_eq!(
            kind("/site/content/notes/topics.toml"),
            Change::ContentEntry("notes/topics.toml".into()),
            "only the catalog at the top of content/ is the catalog"
        );
    }

    #[test]
    fn templates_and_theme_files_are_recognised() {
        assert_eq!(
            kind("/site/templates/base.html"),
            Change::Template("base.html".into())
        );
        assert_eq!(
            kind("/site/theme/css/style.css"),
            Change::Theme("css/style.css".into())
        );
        assert_eq!(kind("/site/templates"), Change::Template(String::new()));
    }

    #[test]
    fn editor_files_are_ignored_wherever_they_are() {
        for p in [
            "/site/content/.a.md.swp",
            "/site/content/a.md~",
            "/site/content/#a.md#",
            "/site/content/.#a.md",
            "/site/content/a.md.tmp",
            "/site/content/.hidden/a.md",
            "/site/templates/.base.html.swx",
            "/site/theme/style.css~",
            "/site/.site.toml.swp",
            "/site/site.toml~",
        ] {
            assert_eq!(kind(p), Change::Ignored, "{p}");
        }
    }

    #[test]
    fn output_and_unrelated_files_are_ignored() {
        assert_eq!(kind("/site/output/a/index.html"), Change::Ignored);
        assert_eq!(kind("/site/README.md"), Change::Ignored);
        assert_eq!(kind("/site/target/debug/x"), Change::Ignored);
        assert_eq!(kind("/elsewhere/content/a.md"), Change::Ignored);
    }

    #[test]
    fn output_inside_content_is_still_ignored() {
        let l = Layout::new(Path::new("/site"), Path::new("/site/content/out"));
        assert_eq!(
            classify(&l, Path::new("/site/content/out/a.md")),
            Change::Ignored
        );
    }

    #[test]
    fn folders_and_other_files_under_content_are_entries() {
        assert_eq!(
            kind("/site/content/notes"),
            Change::ContentEntry("notes".into())
        );
        assert_eq!(
            kind("/site/content/img.png"),
            Change::ContentEntry("img.png".into())
        );
        assert_eq!(kind("/site/content"), Change::ContentEntry(String::new()));
    }

    #[test]
    fn a_change_set_merges_and_describes() {
        let mut set = ChangeSet::default();
        assert!(set.is_empty());
        set.add(kind("/site/content/a.md"));
        set.add(kind("/site/content/a.md~"));
        set.add(kind("/site/content/a.md"));
        assert_eq!(set.documents.len(), 1);
        let mut other = ChangeSet::default();
        other.add(kind("/site/templates/base.html"));
        other.add(kind("/site/site.toml"));
        set.merge(other);
        assert_eq!(
            set.describe(2),
            "site.toml, content/a.md and 1 more",
            "{set:?}"
        );
    }
}
