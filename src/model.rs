//! The plain data types handed from one pipeline stage to the next.
//!
//! Each stage takes owned values of one of these types and returns the next:
//! `SourceDoc` (load) → `Document` (structure) → `TopicIndex` (topics) →
//! `Site` (link), which render turns into pages. Nothing here does I/O and
//! nothing here knows about templates, so a stage can be tested alone.

use serde::Serialize;

/// Index of a topic in the catalog (`Catalog::topics`).
pub type TopicId = usize;

/// The language a document is written in, as far as text processing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// Reads an ISO 639-1 code such as `fr`, `fr-FR` or `en`; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// How a source file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Markdown,
    Text,
}

/// One file of `content/`, read but not yet understood.
#[derive(Debug, Clone)]
pub struct SourceDoc {
    /// Path under `content/`, with `/` separators (`notes/a.md`).
    pub rel_path: String,
    pub kind: SourceKind,
    /// The file's text: valid UTF-8, BOM removed, CRLF turned into LF.
    pub text: String,
}

/// A document split into sections, with its metadata resolved.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path under `content/` (`notes/a.md`).
    pub source: String,
    /// The document's folder name in the output: unique across the site.
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    pub date: Option<String>,
    /// Lower weights sort first on the home page; ties by title.
    pub weight: i64,
    pub lang: Lang,
    /// Topic slugs named in front matter, checked against the catalog by the topics stage.
    pub front_topics: Vec<FrontTopic>,
    pub sections: Vec<Section>,
}

/// A topic slug written in a document's front matter, with its line for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontTopic {
    pub slug: String,
    /// 1-based line of the file where the front matter names it.
    pub line: usize,
}

/// One section of a document: its heading and the content up to the next heading.
#[derive(Debug, Clone)]
pub struct Section {
    /// Anchor, unique in its document, derived from the heading alone so that it
    /// does not change when other sections do.
    pub id: String,
    /// The heading text; for the introduction (text before the first heading), the
    /// document title.
    pub title: String,
    /// 1 for the introduction, 2.. for headings (`##` is 2; inferred plain-text
    /// headings start at 2).
    pub level: u8,
    /// 1-based, inclusive line range in the source file.
    pub lines: (usize, usize),
    /// Whether `title` is written in the section's own source lines (a heading,
    /// or the title line of a document's introduction) and so counts as its text
    /// for topic matching; false when the introduction borrows the title from
    /// front matter, a later heading or the file name.
    pub title_in_text: bool,
    /// The body as HTML (the heading itself is rendered by the template).
    pub html: String,
    /// The body as plain text, for topic matching and excerpts. The heading is
    /// kept apart in `title`.
    pub text: String,
    /// The runs of `html` holding running text (escaped), where inline
    /// topic links may go: never a heading, a link, code or raw HTML.
    pub linkable: Vec<Linkable>,
    /// Links written to other content files or to anchors, in order.
    pub links: Vec<SourceLink>,
}

/// A run of a section's HTML holding running text: where inline topic
/// links may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Linkable {
    /// Byte range in the section's `html`.
    pub start: u32,
    pub end: u32,
    /// Where the same words start in the section's `text`, when the run's
    /// bytes are the text's (no character reference; a line break where the
    /// text has a space) and it begins and ends between words, so that an
    /// alias found in the text lies at the same offsets in the run
    /// (`Linkable::NO_TEXT` otherwise: the run must be read itself).
    pub text: u32,
}

impl Linkable {
    /// `text` of a run whose words are not simply those of the text.
    pub const NO_TEXT: u32 = u32::MAX;

    /// The run's byte range in the section's `html`.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A Markdown link whose destination may be another content file
/// (`autre.md`, `../dossier/autre.txt#partie`) or an anchor (`#partie`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLink {
    /// The destination as written.
    pub dest: String,
    /// 1-based line of the file where the link starts.
    pub line: usize,
    /// Byte range of the `href` attribute's value in the section's `html`.
    pub href: (usize, usize),
}

/// A topic found in a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionTopic {
    pub topic: TopicId,
    /// Where the first mention lies: in the title (`in_title`) or in the body text,
    /// as a byte range. `None` when the topic comes from front matter only.
    pub mention: Option<Mention>,
    /// Its first mention in the section's linkable text, for inline links.
    pub linkable: LinkableMention,
}

/// A topic's first mention in a section's linkable text (`Section::linkable`),
/// as the topics stage found it while matching the section's text, so that
/// inline links need not match again. One of: none (the topic is never
/// mentioned in linkable text); the byte range in the section's `html` of
/// the first mention, which no other alias overlaps, so that it is the one
/// linked unless the topic was linked before (in the document, by setting);
/// or unknown without reading the linkable text again (a run whose words
/// are not the text's, `Linkable::NO_TEXT`, or an alias overlapping the
/// first mention, « vie privée » and « vie », where which alias a link
/// takes depends on the topics linked before). Eight bytes: there is one
/// for each topic of each section of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkableMention {
    /// `start < end` for a mention; `0, 0` for none, `1, 0` for unknown.
    start: u32,
    end: u32,
}

impl LinkableMention {
    pub const NONE: LinkableMention = LinkableMention { start: 0, end: 0 };
    pub const UNKNOWN: LinkableMention = LinkableMention { start: 1, end: 0 };

    /// The mention at `start..end` of the section's `html`; unknown for an
    /// empty range, which no mention has.
    pub fn at(start: u32, end: u32) -> LinkableMention {
        if start < end {
            LinkableMention { start, end }
        } else {
            LinkableMention::UNKNOWN
        }
    }

    /// The mention's byte range in the section's `html`, if known.
    pub fn range(self) -> Option<std::ops::Range<usize>> {
        (self.start < self.end).then_some(self.start as usize..self.end as usize)
    }

    pub fn is_unknown(self) -> bool {
        self == LinkableMention::UNKNOWN
    }
}

/// Where a topic is first mentioned in a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub in_title: bool,
    pub start: usize,
    pub end: usize,
}

/// Addresses one section of the site: document index, section index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionRef {
    pub doc: usize,
    pub section: usize,
}

/// Small values for unit tests, so that each test writes only what matters
/// to it.
#[cfg(test)]
impl Section {
    /// A level-2 section at line 1 with plain text and no HTML; its title
    /// counts as text unless empty.
    pub fn for_tests(id: &str, title: &str, text: &str) -> Section {
        Section {
            id: id.into(),
            title: title.into(),
            level: 2,
            lines: (1, 1),
            title_in_text: !title.is_empty(),
            html: String::new(),
            text: text.into(),
            linkable: Vec::new(),
            links: Vec::new(),
        }
    }
}

#[cfg(test)]
impl Document {
    /// A French document from `source`, its slug and title made from it.
    pub fn for_tests(source: &str, sections: Vec<Section>) -> Document {
        Document {
            source: source.into(),
            slug: source.replace(['/', '.'], "-"),
            title: source.into(),
            description: None,
            date: None,
            weight: 0,
            lang: Lang::Fr,
            front_topics: Vec::new(),
            sections,
        }
    }
}
