//! Explicit links between documents: a Markdown link to another content
//! file (`autre.md`, `autre.md#partie`, `../dossier/autre.txt`) or to an
//! anchor (`#partie`) is resolved to that document and section, so that
//! rendering can point it at the document's page, and so that the target
//! section can list the sections citing it (« Cité par »). A link to a file
//! or an anchor that does not exist is reported with its file and line.

use std::collections::HashMap;
use std::path::Path;

use crate::error::Diagnostic;
use crate::model::{Document, SectionRef};
use crate::topics::edit_distance;

/// A link resolved to a document of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplicitLink {
    /// Byte range of the `href` value in the linking section's `html`.
    pub href: (usize, usize),
    pub doc: usize,
    /// The section its anchor names; `None` for the document itself, or
    /// when the anchor is missing.
    pub section: Option<usize>,
    /// The anchor as written (percent-escaped), kept when no section has it.
    pub missing_anchor: Option<String>,
}

/// Every explicit link of the site, resolved, and what it says about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkGraph {
    /// `links[doc][section]`: the links that resolved to a document.
    pub links: Vec<Vec<Vec<ExplicitLink>>>,
    /// `backlinks[doc][section]`: the sections linking to it, in site order.
    pub backlinks: Vec<Vec<Vec<SectionRef>>>,
    /// Links to missing files or anchors (warnings).
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolves the links of every section. `content_dir` only names files in
/// messages.
pub fn resolve(documents: &[Document], content_dir: &Path) -> LinkGraph {
    let by_source = sources(documents);
    let mut diagnostics = Vec::new();
    let links: Vec<Vec<Vec<ExplicitLink>>> = (0..documents.len())
        .map(|d| resolve_document(documents, &by_source, d, content_dir, &mut diagnostics))
        .collect();
    let backlinks = backlinks(documents, &links);
    LinkGraph {
        links,
        backlinks,
        diagnostics,
    }
}

/// Each document's index by its source path.
pub fn sources(documents: &[Document]) -> HashMap<&str, usize> {
    documents
        .iter()
        .enumerate()
        .map(|(d, doc)| (doc.source.as_str(), d))
        .collect()
}

/// Resolves the links of document `d` (`links[section]`), adding warnings
/// for links to missing files or anchors to `diagnostics`.
pub fn resolve_document(
    documents: &[Document],
    by_source: &HashMap<&str, usize>,
    d: usize,
    content_dir: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Vec<ExplicitLink>> {
    let doc = &documents[d];
    doc.sections
        .iter()
        .map(|section| {
            let mut out = Vec::new();
            for link in &section.links {
                let (path, fragment) = match link.dest.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (link.dest.as_str(), None),
                };
                let path = path.split('?').next().unwrap_or("");
                let target = if path.is_empty() {
                    Some(d)
                } else {
                    join(&doc.source, &percent_decode(path))
                        .and_then(|p| by_source.get(p.as_str()).copied())
                };
                let here = content_dir.join(&doc.source);
                let Some(t) = target else {
                    diagnostics.push(
                        Diagnostic::warning(format!("link to a missing file: `{}`", link.dest))
                            .at(&here)
                            .line(link.line)
                            .hint(missing_file_hint(&doc.source, path, documents)),
                    );
                    continue;
                };
                let target_doc = &documents[t];
                let fragment = fragment.filter(|f| !f.is_empty());
                let section = match fragment {
                    None => None,
                    Some(f) => {
                        let id = percent_decode(f);
                        let found = target_doc.sections.iter().position(|x| x.id == id);
                        if found.is_none() {
                            diagnostics.push(
                                Diagnostic::warning(format!(
                                    "link to a missing anchor: `#{f}` is not a section of {}",
                                    target_doc.source
                                ))
                                .at(&here)
                                .line(link.line)
                                .hint(missing_anchor_hint(&id, target_doc)),
                            );
                        }
                        found
                    }
                };
                out.push(ExplicitLink {
                    href: link.href,
                    doc: t,
                    section,
                    missing_anchor: fragment.filter(|_| section.is_none()).map(str::to_string),
                });
            }
            out
        })
        .collect()
}

/// The sections citing each section (`backlinks[doc][section]`, in site
/// order), from every document's resolved links: a link names its section,
/// or, without an anchor, the document's first section.
pub fn backlinks(
    documents: &[Document],
    links: &[Vec<Vec<ExplicitLink>>],
) -> Vec<Vec<Vec<SectionRef>>> {
    let mut backlinks: Vec<Vec<Vec<SectionRef>>> = documents
        .iter()
        .map(|d| vec![Vec::new(); d.sections.len()])
        .collect();
    for (d, doc_links) in links.iter().enumerate() {
        for (s, section_links) in doc_links.iter().enumerate() {
            for link in section_links {
                let target = &documents[link.doc];
                let cited = match (link.section, &link.missing_anchor) {
                    (Some(x), _) => Some(x),
                    (None, None) if !target.sections.is_empty() => Some(0),
                    _ => None,
                };
                if let Some(x) = cited
                    && (link.doc, x) != (d, s)
                {
                    let from = SectionRef { doc: d, section: s };
                    let list = &mut backlinks[link.doc][x];
                    if !list.contains(&from) {
                        list.push(from);
                    }
                }
            }
        }
    }
    for doc_backlinks in &mut backlinks {
        for list in doc_backlinks {
            list.sort();
        }
    }
    backlinks
}

/// `rel` resolved against the folder of `from` (both under `content/`,
/// `/`-separated); `None` if it climbs out of `content/`.
fn join(from: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Decodes `%XX` escapes (as in `mon%20fichier.md`); invalid ones stay.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn missing_file_hint(from: &str, path: &str, documents: &[Document]) -> String {
    let wanted = join(from, &percent_decode(path)).unwrap_or_else(|| path.to_string());
    let closest = documents
        .iter()
        .map(|d| (edit_distance(&wanted, &d.source), d.source.as_str()))
        .filter(|(dist, _)| *dist <= 3.max(wanted.len() / 4))
        .min();
    match closest {
        Some((_, s)) => format!(
            "no document content/{wanted}; did you mean content/{s}? Paths are relative to the linking file"
        ),
        None => format!(
            "no document content/{wanted} (a draft is not built); paths are relative to the linking file"
        ),
    }
}

fn missing_anchor_hint(id: &str, doc: &Document) -> String {
    let closest = doc
        .sections
        .iter()
        .map(|s| (edit_distance(id, &s.id), s.id.as_str()))
        .min();
    match closest {
        Some((_, s)) => format!(
            "anchors are the slugs of the headings, e.g. `#{s}`; link to the file alone to reach its top"
        ),
        None => "the document has no sections; link to the file alone".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Section, SourceLink};

    fn doc(source: &str, sections: &[(&str, &[&str])]) -> Document {
        let sections = sections.iter().map(|(id, links)| Section {
            links: links
                .iter()
                .enumerate()
                .map(|(i, dest)| SourceLink {
                    dest: dest.to_string(),
                    line: 3 + i,
                    href: (i, i + 1),
                })
                .collect(),
            ..Section::for_tests(id, id, "")
        });
        Document::for_tests(source, sections.collect())
    }

    fn site() -> Vec<Document> {
        vec![
            doc(
                "notes/a.md",
                &[
                    ("intro", &["b.md", "b.md#deux", "../dossier/c.txt"]),
                    ("suite", &["#intro", "b.md#nulle-part", "absent.md"]),
                ],
            ),
            doc("notes/b.md", &[("un", &[]), ("deux", &["a.md#suite"])]),
            doc("dossier/c.txt", &[("introduction", &[])]),
        ]
    }

    #[test]
    fn links_resolve_across_folders_and_kinds() {
        let g = resolve(&site(), Path::new("content"));
        let targets: Vec<(usize, Option<usize>)> =
            g.links[0][0].iter().map(|l| (l.doc, l.section)).collect();
        assert_eq!(targets, [(1, None), (1, Some(1)), (2, None)]);
        assert_eq!(
            g.links[0][1][0].section,
            Some(0),
            "#intro in the same document"
        );
        assert_eq!(
            g.links[0][1][1].missing_anchor.as_deref(),
            Some("nulle-part")
        );
        assert_eq!(g.links[0][1].len(), 2, "the missing file is not rewritten");
    }

    #[test]
    fn backlinks_name_the_citing_sections() {
        let g = resolve(&site(), Path::new("content"));
        let at = |doc, section| SectionRef { doc, section };
        // b.md without an anchor: its first section is cited.
        assert_eq!(g.backlinks[1][0], [at(0, 0)]);
        assert_eq!(g.backlinks[1][1], [at(0, 0)]);
        assert_eq!(g.backlinks[2][0], [at(0, 0)]);
        assert_eq!(g.backlinks[0][0], [at(0, 1)]);
        assert_eq!(g.backlinks[0][1], [at(1, 1)]);
    }

    #[test]
    fn missing_files_and_anchors_are_reported_with_file_and_line() {
        let g = resolve(&site(), Path::new("content"));
        let shown: Vec<String> = g.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(shown.len(), 2, "{shown:#?}");
        assert!(
            shown[0].starts_with(
                "warning: content/notes/a.md:4: link to a missing anchor: `#nulle-part`"
            ),
            "{}",
            shown[0]
        );
        assert!(
            shown[0].contains("`#un`") || shown[0].contains("`#deux`"),
            "{}",
            shown[0]
        );
        assert!(
            shown[1]
                .starts_with("warning: content/notes/a.md:5: link to a missing file: `absent.md`"),
            "{}",
            shown[1]
        );
        assert!(shown[1].contains("content/notes/absent.md"), "{}", shown[1]);
    }

    #[test]
    fn paths_are_joined_and_decoded() {
        assert_eq!(join("a/b.md", "../c/d.txt").as_deref(), Some("c/d.txt"));
        assert_eq!(join("b.md", "./c.md").as_deref(), Some("c.md"));
        assert_eq!(join("b.md", "../c.md"), None);
        assert_eq!(percent_decode("mon%20fichier%C3%A9.md"), "mon fichieré.md");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
