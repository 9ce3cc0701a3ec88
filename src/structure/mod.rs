//! Stage 2: turns each `SourceDoc` into a `Document` split into sections —
//! Markdown through pulldown-cmark, plain text through inferred structure —
//! then gives every document a unique output slug.

pub mod frontmatter;
pub mod ids;
pub mod linkable;
pub mod markdown;
pub mod text;

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;

use crate::error::{BuildError, Diagnostic};
use crate::model::{Document, Lang, Section, SourceDoc, SourceKind};
use ids::{AnchorSet, truncate_slug};
use markdown::RawSection;

/// Output folder names a document may not take: they hold site pages.
pub const RESERVED_SLUGS: &[&str] = &["topics", "theme", "search", "index", "404", "site", "page"];

/// The documents of a site, with the warnings found on the way.
#[derive(Debug, Default)]
pub struct Structured {
    pub documents: Vec<Document>,
    pub warnings: Vec<Diagnostic>,
}

/// A structured document and the warnings found in it.
pub type DocWithWarnings = (Document, Vec<Diagnostic>);

/// Structures every source in parallel, drops drafts unless `drafts`, and
/// assigns unique slugs. All errors are collected, not only the first. The
/// sources are taken by value so that each text is freed once structured.
pub fn structure_all(
    sources: Vec<SourceDoc>,
    site_lang: Lang,
    content_dir: &Path,
    drafts: bool,
) -> Result<Structured, BuildError> {
    let results: Vec<Result<Option<DocWithWarnings>, Diagnostic>> = sources
        .into_par_iter()
        .map(|s| {
            let path = content_dir.join(&s.rel_path);
            structure(&s, site_lang, drafts)
                .map_err(|d| d.at(&path))
                .map(|opt| {
                    opt.map(|(doc, warnings)| {
                        let warnings = warnings.into_iter().map(|w| w.at(&path)).collect();
                        (doc, warnings)
                    })
                })
        })
        .collect();
    let mut out = Structured::default();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(Some((doc, warnings))) => {
                out.documents.push(doc);
                out.warnings.extend(warnings);
            }
            Ok(None) => {}
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(BuildError {
            diagnostics: errors,
        });
    }
    let slug_warnings = assign_unique_slugs(&mut out.documents, content_dir);
    out.warnings.extend(slug_warnings);
    Ok(out)
}

/// Structures one document; `None` for a draft when drafts are not built.
pub fn structure(
    source: &SourceDoc,
    site_lang: Lang,
    drafts: bool,
) -> Result<Option<DocWithWarnings>, Diagnostic> {
    let mut warnings = Vec::new();
    let (front, raw, title_line) = match source.kind {
        SourceKind::Markdown => {
            let split = frontmatter::split(&source.text)?;
            let raw = markdown::sections(split.body, split.body_line_offset);
            (split.front, raw, None)
        }
        SourceKind::Text => {
            let outline = text::outline(&source.text);
            let mut raw = text_sections(outline.blocks);
            if let (Some(t), Some(intro)) = (&outline.title, raw.first_mut())
                && intro.heading.is_none()
            {
                // The title line opens the introduction.
                intro.lines.0 = t.line;
            }
            (
                frontmatter::FrontMatter::default(),
                raw,
                outline.title.map(|t| t.text),
            )
        }
    };
    if front.draft && !drafts {
        return Ok(None);
    }
    for (key, line) in &front.unknown_keys {
        warnings.push(
            Diagnostic::warning(format!("front matter: unknown key `{key}` is ignored"))
                .line(*line)
                .hint(format!("known keys: {}", frontmatter_keys())),
        );
    }
    let lang = match &front.language {
        Some(code) => Lang::from_code(code).ok_or_else(|| {
            Diagnostic::error(format!("front matter: language {code:?} is not supported"))
                .hint("use \"fr\" or \"en\"")
        })?,
        None => site_lang,
    };
    let from_text = title_line.is_some();
    let (title, raw, intro_has_title) =
        choose_title(front.title.clone(), title_line, raw, &source.rel_path);
    let sections = finish_sections(raw, &title, intro_has_title || from_text);
    let slug_source = front.slug.clone().unwrap_or_else(|| title.clone());
    Ok(Some((
        Document {
            source: source.rel_path.clone(),
            slug: slug_source,
            title,
            description: front.description,
            date: front.date,
            weight: front.weight.unwrap_or(0),
            lang,
            front_topics: front.topics,
            sections,
        },
        warnings,
    )))
}

fn frontmatter_keys() -> &'static str {
    "title, description, date, topics, draft, slug, weight, language"
}

/// The title: front matter's, else the plain-text title line, else a leading
/// `# H1` (which then becomes the introduction rather than a section), else
/// the first heading, else the file name. The flag says whether the title was
/// taken from a leading `# H1`, which then belongs to the introduction's text.
fn choose_title(
    front: Option<String>,
    title_line: Option<String>,
    mut raw: Vec<RawSection>,
    rel_path: &str,
) -> (String, Vec<RawSection>, bool) {
    if let Some(t) = front.or(title_line) {
        return (t, raw, false);
    }
    if let Some(first) = raw.first_mut()
        && let Some(h) = first.heading.as_ref().filter(|h| h.level == 1)
    {
        let title = h.text.clone();
        first.heading = None;
        // A title with nothing under it leaves no introduction behind.
        if first.html.is_empty() {
            raw.remove(0);
        }
        return (title, raw, true);
    }
    if let Some(h) = raw.iter().find_map(|s| s.heading.as_ref()) {
        return (h.text.clone(), raw, false);
    }
    let stem = Path::new(rel_path).file_stem().map_or_else(
        || rel_path.to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    (stem, raw, false)
}

/// Gives anchors and titles to raw sections.
fn finish_sections(raw: Vec<RawSection>, doc_title: &str, intro_has_title: bool) -> Vec<Section> {
    let mut anchors = AnchorSet::default();
    raw.into_iter()
        .map(|r| match r.heading {
            Some(h) => Section {
                id: anchors.unique(h.id.as_deref().unwrap_or(&h.text)),
                title: h.text,
                level: h.level.max(2),
                lines: r.lines,
                title_in_text: true,
                html: r.html,
                text: r.text,
                linkable: r.linkable,
                links: r.links,
            },
            None => Section {
                id: anchors.unique("introduction"),
                title: doc_title.to_string(),
                level: 1,
                lines: r.lines,
                title_in_text: intro_has_title,
                html: r.html,
                text: r.text,
                linkable: r.linkable,
                links: r.links,
            },
        })
        .collect()
}

/// Turns the blocks of a plain-text outline into raw sections.
fn text_sections(blocks: Vec<text::Block>) -> Vec<RawSection> {
    let mut out: Vec<RawSection> = Vec::new();
    for block in blocks {
        if let text::Block::Heading { level, text, line } = block {
            settle_linkable(out.last_mut());
            out.push(RawSection {
                heading: Some(markdown::Heading {
                    level,
                    text,
                    id: None,
                    line,
                }),
                html: String::new(),
                text: String::new(),
                lines: (line, line),
                linkable: Vec::new(),
                links: Vec::new(),
            });
            continue;
        }
        if out.is_empty() {
            let first = block_lines(&block).0;
            out.push(RawSection {
                heading: None,
                html: String::new(),
                text: String::new(),
                lines: (first, first),
                linkable: Vec::new(),
                links: Vec::new(),
            });
        }
        if let Some(section) = out.last_mut() {
            append_block(section, block);
        }
    }
    settle_linkable(out.last_mut());
    out
}

/// Checks where the linkable runs of a finished section lie in its text.
fn settle_linkable(section: Option<&mut RawSection>) {
    if let Some(s) = section {
        linkable::settle(&s.html, &s.text, &mut s.linkable);
    }
}

fn block_lines(block: &text::Block) -> (usize, usize) {
    match block {
        text::Block::Heading { line, .. } => (*line, *line),
        text::Block::Paragraph {
            first_line,
            last_line,
            ..
        } => (*first_line, *last_line),
        text::Block::List { items } => (
            items.first().map_or(1, |i| i.first_line),
            items.last().map_or(1, |i| i.last_line),
        ),
    }
}

fn append_block(section: &mut RawSection, block: text::Block) {
    let last = block_lines(&block).1;
    section.lines.1 = section.lines.1.max(last);
    if !section.text.is_empty() {
        section.text.push('\n');
    }
    match block {
        text::Block::Paragraph { text, .. } => {
            section.html.push_str("<p>");
            push_linkable(section, &text);
            section.html.push_str("</p>\n");
        }
        text::Block::List { items } => {
            section.html.push_str("<ul>\n");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    section.text.push('\n');
                }
                section.html.push_str("<li>");
                push_linkable(section, &item.text);
                section.html.push_str("</li>\n");
            }
            section.html.push_str("</ul>\n");
        }
        text::Block::Heading { .. } => {}
    }
}

/// Appends plain text to a section's text, and to its HTML, escaped, as
/// linkable text (settled once the section is whole).
fn push_linkable(section: &mut RawSection, text: &str) {
    let start = section.html.len();
    let text_start = section.text.len();
    push_escaped(&mut section.html, text);
    section.text.push_str(text);
    if section.html.len() > start {
        let run = linkable::run(start, section.html.len(), Some(text_start));
        section.linkable.extend(run);
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Slugifies each document's wanted slug (front matter `slug` or title) and
/// makes it unique; reserved names and duplicates get a numeric suffix, with
/// a warning naming the file.
fn assign_unique_slugs(documents: &mut [Document], content_dir: &Path) -> Vec<Diagnostic> {
    let bases: Vec<String> = documents.iter().map(base_slug).collect();
    let slugs = unique_slugs(bases.iter().map(String::as_str));
    let mut warnings = Vec::new();
    for ((doc, base), slug) in documents.iter_mut().zip(&bases).zip(slugs) {
        if slug != *base {
            warnings.push(slug_warning(base, &slug, &content_dir.join(&doc.source)));
        }
        doc.slug = slug;
    }
    warnings
}

/// The slug a structured document wants (its `slug` field still holds the
/// front matter's `slug` or the title), before it is made unique.
pub fn base_slug(doc: &Document) -> String {
    let mut base = slug::slugify(&doc.slug);
    if base.is_empty() {
        base = slug::slugify(
            Path::new(&doc.source)
                .file_stem()
                .map_or("", |s| s.to_str().unwrap_or("")),
        );
    }
    if base.is_empty() {
        base = "document".to_string();
    }
    truncate_slug(&mut base, 80);
    base
}

/// Unique slugs for documents wanting `bases`, in site order: reserved names
/// and slugs already taken get a numeric suffix.
pub fn unique_slugs<'a>(bases: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = RESERVED_SLUGS.iter().map(|s| s.to_string()).collect();
    bases
        .into_iter()
        .map(|base| {
            let mut slug = base.to_string();
            let mut n = 2;
            while taken.contains(&slug) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(slug.clone());
            slug
        })
        .collect()
}

/// The warning for a document published under another slug than it wanted.
pub fn slug_warning(base: &str, slug: &str, path: &Path) -> Diagnostic {
    Diagnostic::warning(format!(
        "the slug `{base}` is already taken; this document is published as `{slug}/`"
    ))
    .at(path)
    .hint("give the document its own `slug` in front matter")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(path: &str, text: &str) -> SourceDoc {
        SourceDoc {
            rel_path: path.into(),
            kind: SourceKind::Markdown,
            text: text.into(),
        }
    }

    fn one(source: &SourceDoc) -> Document {
        structure(source, Lang::Fr, false).unwrap().unwrap().0
    }

    #[test]
    fn leading_h1_is_the_title_and_its_text_the_introduction() {
        let d = one(&md("a.md", "# Titre\n\nIntro.\n\n## Partie\n\nTexte.\n"));
        assert_eq!(d.title, "Titre");
        assert_eq!(d.sections.len(), 2);
        assert_eq!(d.sections[0].id, "introduction");
        assert_eq!(d.sections[0].level, 1);
        assert_eq!(d.sections[1].id, "partie");
        assert_eq!(d.sections[1].lines, (5, 7));
    }

    #[test]
    fn front_matter_title_wins_and_slug_is_used() {
        let d = one(&md(
            "a.md",
            "+++\ntitle = \"Mon titre\"\nslug = \"Autre Nom\"\n+++\n# H1\n",
        ));
        assert_eq!(d.title, "Mon titre");
        assert_eq!(d.slug, "Autre Nom");
        assert_eq!(d.sections[0].id, "h1");
        assert_eq!(d.sections[0].lines.0, 5);
    }

    #[test]
    fn plain_text_title_line_opens_the_introduction() {
        let src = SourceDoc {
            rel_path: "a.txt".into(),
            kind: SourceKind::Text,
            text: "Pourquoi partager ?\n\nUn premier paragraphe assez long pour être du texte et non un titre.\n".into(),
        };
        let d = one(&src);
        assert_eq!(d.title, "Pourquoi partager ?");
        assert_eq!(d.sections[0].lines, (1, 3));
        assert!(d.sections[0].title_in_text);
    }

    #[test]
    fn introduction_does_not_borrow_a_later_heading_as_its_text() {
        let src = SourceDoc {
            rel_path: "a.txt".into(),
            kind: SourceKind::Text,
            text: "Une longue phrase d'introduction qui n'est pas un titre, et qui se termine par un point.\nLe titre\nLe corps de la section, une phrase complète qui se termine bien par un point.\n".into(),
        };
        let d = one(&src);
        assert_eq!(d.title, "Le titre");
        assert_eq!(d.sections[0].level, 1);
        assert!(!d.sections[0].title_in_text);
        assert!(d.sections[1].title_in_text);
    }

    #[test]
    fn file_name_is_the_last_resort_title() {
        let d = one(&md("notes/brouillon.md", "Juste du texte.\n"));
        assert_eq!(d.title, "brouillon");
    }

    #[test]
    fn drafts_are_skipped_unless_asked() {
        let s = md("a.md", "---\ndraft: true\n---\ntext\n");
        assert!(structure(&s, Lang::Fr, false).unwrap().is_none());
        assert!(structure(&s, Lang::Fr, true).unwrap().is_some());
    }

    #[test]
    fn slugs_are_unique_and_avoid_reserved_names() {
        let mut docs: Vec<Document> = ["Topics", "Même titre", "Même titre"]
            .iter()
            .map(|t| one(&md("x.md", &format!("+++\ntitle = \"{t}\"\n+++\n"))))
            .collect();
        let w = assign_unique_slugs(&mut docs, Path::new("content"));
        let slugs: Vec<_> = docs.iter().map(|d| d.slug.as_str()).collect();
        assert_eq!(slugs, ["topics-2", "meme-titre", "meme-titre-2"]);
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn slugs_cannot_escape_the_output_folder() {
        let mut docs = vec![one(&md("x.md", "+++\nslug = \"../../etc/passwd\"\n+++\n"))];
        assign_unique_slugs(&mut docs, Path::new("content"));
        assert_eq!(docs[0].slug, "etc-passwd");
    }

    #[test]
    fn escaping_covers_markup_characters() {
        let mut s = String::new();
        push_escaped(&mut s, "<a href=\"x\">&'");
        assert_eq!(s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
