//! Stage 1 (I/O): reads a site folder into memory — `site.toml`, the documents
//! and topic catalog of `content/`, the site's own templates and theme files.
//! Nothing is interpreted here beyond decoding text: every later stage is a
//! pure function of what this one returns.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::error::{BuildError, Diagnostic};
use crate::model::{SourceDoc, SourceKind};

/// The name of the topic catalog inside `content/`.
pub const CATALOG_FILE: &str = "topics.toml";

/// Everything a build reads, as text or bytes.
#[derive(Debug, Clone, Default)]
pub struct SiteInput {
    /// The site folder.
    pub root: PathBuf,
    /// `site.toml`, if present.
    pub config: Option<String>,
    /// `content/topics.toml`, if present.
    pub catalog: Option<String>,
    /// Documents in path order, so every build sees them in the same order.
    pub sources: Vec<SourceDoc>,
    /// The site's own templates (`templates/*.html`): name and text.
    pub templates: Vec<(String, String)>,
    /// The site's own theme files (`theme/**`): path under `theme/` and bytes.
    pub theme: Vec<(String, Vec<u8>)>,
}

/// Reads the site at `root`. `skip` is a folder never to read (the output,
/// when it lies inside the site).
pub fn load_site(root: &Path, skip: Option<&Path>) -> Result<SiteInput, BuildError> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Diagnostic::error("no content folder")
            .at(&content)
            .hint(format!(
                "run maillage in a site folder (one with content/), or pass --root DIR; {} has none",
                root.display()
            ))
            .into());
    }
    let mut errors = Vec::new();
    let config = read_optional_text(&root.join("site.toml"), &mut errors);
    let catalog = read_optional_text(&content.join(CATALOG_FILE), &mut errors);
    let sources = read_sources(&content, skip, &mut errors);
    let templates = read_templates(&root.join("templates"), &mut errors);
    let theme = read_theme(&root.join("theme"), &mut errors);
    if !errors.is_empty() {
        return Err(BuildError {
            diagnostics: errors,
        });
    }
    Ok(SiteInput {
        root: root.to_path_buf(),
        config,
        catalog,
        sources,
        templates,
        theme,
    })
}

/// What kind of document a file name is, if any.
pub fn source_kind(path: &Path) -> Option<SourceKind> {
    match path.extension()?.to_str()? {
        "md" | "markdown" => Some(SourceKind::Markdown),
        "txt" => Some(SourceKind::Text),
        _ => None,
    }
}

/// Hidden files, editor swap files and backups are never content.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
}

fn read_sources(
    content: &Path,
    skip: Option<&Path>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<SourceDoc> {
    let mut paths = Vec::new();
    // The output is a folder: only folders are compared with it, and its
    // own path is resolved once (resolving both paths of every file cost
    // a dozen system calls a file: 8 s of a 100,000-document build).
    let skip = skip.map(|s| s.canonicalize().unwrap_or_else(|_| s.to_path_buf()));
    let walk = WalkDir::new(content)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let is_output =
                || e.file_type().is_dir() && skip.as_deref().is_some_and(|s| is_path(e.path(), s));
            e.depth() == 0 || !(is_ignored_name(&e.file_name().to_string_lossy()) || is_output())
        });
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if e.depth() == 1 && e.file_name() == CATALOG_FILE {
                    continue;
                }
                if let Some(kind) = source_kind(e.path()) {
                    paths.push((e.into_path(), kind));
                }
            }
            Ok(_) => {}
            Err(e) => errors.push(walk_error(&e)),
        }
    }
    let results: Vec<Result<SourceDoc, Diagnostic>> = paths
        .par_iter()
        .map(|(path, kind)| {
            let text = read_text(path)?;
            Ok(SourceDoc {
                rel_path: rel_slash_path(content, path),
                kind: *kind,
                text,
            })
        })
        .collect();
    let mut sources = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(s) => sources.push(s),
            Err(d) => errors.push(d),
        }
    }
    sources
}

/// The site's own templates in `dir` (`templates/`), as `load_site` reads them.
pub fn read_templates(dir: &Path, errors: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let mut templates = Vec::new();
    if !dir.is_dir() {
        return templates;
    }
    for entry in WalkDir::new(dir).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let name = rel_slash_path(dir, e.path());
                if is_ignored_name(&e.file_name().to_string_lossy()) || !name.ends_with(".html") {
                    continue;
                }
                match read_text(e.path()) {
                    Ok(text) => templates.push((name, text)),
                    Err(d) => errors.push(d),
                }
            }
            Ok(_) => {}
            Err(e) => errors.push(walk_error(&e)),
        }
    }
    templates
}

/// The site's own theme files in `dir` (`theme/`), as `load_site` reads them.
pub fn read_theme(dir: &Path, errors: &mut Vec<Diagnostic>) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return files;
    }
    let walk = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_file() => match fs::read(e.path()) {
                Ok(bytes) => files.push((rel_slash_path(dir, e.path()), bytes)),
                Err(err) => errors.push(io_error(e.path(), &err)),
            },
            Ok(_) => {}
            Err(e) => errors.push(walk_error(&e)),
        }
    }
    files
}

fn read_optional_text(path: &Path, errors: &mut Vec<Diagnostic>) -> Option<String> {
    if !path.exists() {
        return None;
    }
    match read_text(path) {
        Ok(text) => Some(text),
        Err(d) => {
            errors.push(d);
            None
        }
    }
}

/// Reads a text file: UTF-8 required, BOM dropped, CRLF and lone CR turned into LF.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes = fs::read(path).map_err(|e| io_error(path, &e))?;
    decode_text(bytes).map_err(|(line, detail)| {
        Diagnostic::error(format!("not valid UTF-8 ({detail})"))
            .at(path)
            .line(line)
            .hint("save the file as UTF-8 (most editors offer it under \"Save with encoding\")")
    })
}

/// Decodes file bytes as text. On invalid UTF-8, returns the line of the first
/// bad byte and a short description.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, (usize, String)> {
    // simdutf8 checks UTF-8 a block of bytes at a time: std's `from_utf8`
    // went byte by byte through the accented letters of a French text
    // (1.5 % of a build's profile).
    let text = match simdutf8::compat::from_utf8(&bytes) {
        // SAFETY: `bytes` was just checked to be valid UTF-8.
        Ok(_) => unsafe { String::from_utf8_unchecked(bytes) },
        Err(e) => {
            let valid = e.valid_up_to();
            let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err((
                line,
                format!("invalid byte 0x{:02x} at offset {valid}", bytes[valid]),
            ));
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Ok(text)
    }
}

fn io_error(path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot read: {err}"))
        .at(path)
        .hint("check that the file exists and that you may read it")
}

fn walk_error(err: &walkdir::Error) -> Diagnostic {
    let d = Diagnostic::error(format!("cannot read folder entry: {err}"))
        .hint("check the folder's permissions");
    match err.path() {
        Some(p) => d.at(p),
        None => d,
    }
}

/// `path` relative to `base`, with `/` separators whatever the platform.
fn rel_slash_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `path` is `resolved` (a path already canonicalized).
fn is_path(path: &Path, resolved: &Path) -> bool {
    match path.canonicalize() {
        Ok(p) => p == resolved,
        Err(_) => path == resolved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_change_nothing() {
        let t = decode_text(b"\xef\xbb\xbfa\r\nb\rc\n".to_vec()).unwrap();
        assert_eq!(t, "a\nb\nc\n");
    }

    #[test]
    fn invalid_utf8_reports_its_line() {
        let (line, detail) = decode_text(b"ok\nok\nbad \xff here".to_vec()).unwrap_err();
        assert_eq!(line, 3);
        assert!(detail.contains("0xff"));
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [".a.md.swp", "a.md~", "#a.md#", ".hidden.md", "x.tmp"] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("a.md"));
    }

    /// An output folder inside `content/` (written by an earlier build) is
    /// never read as content, whichever way its path is spelled; a file
    /// of the same name is.
    #[test]
    fn the_output_folder_is_skipped_when_it_lies_in_content() {
        let site = tempfile::tempdir().unwrap();
        let content = site.path().join("content");
        std::fs::create_dir_all(content.join("out/deep")).unwrap();
        std::fs::create_dir_all(content.join("notes")).unwrap();
        std::fs::write(content.join("a.md"), "# A\n").unwrap();
        std::fs::write(content.join("notes/b.md"), "# B\n").unwrap();
        std::fs::write(content.join("out/page.md"), "# old output\n").unwrap();
        std::fs::write(content.join("out/deep/c.md"), "# old output\n").unwrap();
        let spelled = site.path().join("content/notes/../out");
        let input = load_site(site.path(), Some(&spelled)).unwrap();
        let read: Vec<&str> = input.sources.iter().map(|s| s.rel_path.as_str()).collect();
        assert_eq!(read, ["a.md", "notes/b.md"]);
        let all = load_site(site.path(), None).unwrap();
        assert_eq!(all.sources.len(), 4);
    }

    #[test]
    fn kinds_come_from_extensions() {
        assert_eq!(source_kind(Path::new("a.md")), Some(SourceKind::Markdown));
        assert_eq!(source_kind(Path::new("a.txt")), Some(SourceKind::Text));
        assert_eq!(source_kind(Path::new("a.png")), None);
    }
}
