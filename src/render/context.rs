//! The typed contexts templates receive, one struct per page kind.
//!
//! They borrow from the `Site` wherever they can, so building a page's context
//! copies no document text. Every URL is relative to the output root; each
//! page gets `root`, the prefix (`""`, `"../"`, `"../../"`) that turns such a URL
//! into a link relative to the page, so the site works under any path and
//! straight from disk. Templates write `href="{{ root }}{{ x.url }}"`.
//! Fields ending in `_html` are already escaped HTML: templates print them with
//! `| safe`.

use serde::Serialize;

/// Site-wide values every page receives as `site`.
#[derive(Debug, Serialize)]
pub struct SiteCtx<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub author: Option<&'a str>,
    /// `<html lang>`.
    pub language: &'a str,
    pub generator: &'static str,
    /// Whether the site has a search index (and so a search box).
    pub search: bool,
}

/// The `SiteCtx` made into a template value once per build: every page
/// receives it, and Tera clones a prepared value (a reference count)
/// instead of building and dropping a map for each page.
pub type SiteValue<'a> = &'a tera::Value;

/// A link to a topic page, as a chip.
#[derive(Debug, Serialize)]
pub struct TopicLink<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub url: &'a str,
}

/// A `TopicLink` already made into a template value, once per topic per
/// build: a document page links to topics some sixty times (chips, related
/// reasons), and Tera clones a prepared value (a reference count) instead
/// of building and dropping a map each time.
pub type TopicValue<'a> = &'a tera::Value;

/// `index.html` (and `page/<n>/index.html`): the home page, listing the
/// documents a page of them at a time.
#[derive(Debug, Serialize)]
pub struct IndexPage<'a> {
    pub site: SiteValue<'a>,
    pub root: &'static str,
    /// This page's documents.
    pub documents: Vec<DocSummary<'a>>,
    /// Documents of the whole site.
    pub document_count: usize,
    pub topic_count: usize,
    pub topics_url: &'static str,
    /// Links to the other pages; absent when there is one.
    pub pagination: Option<PaginationCtx>,
}

#[derive(Debug, Serialize)]
pub struct DocSummary<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub date: Option<&'a str>,
    pub url: &'a str,
    pub section_count: usize,
    /// The document's most frequent topics, most frequent first.
    pub main_topics: Vec<TopicValue<'a>>,
}

/// `<doc-slug>/index.html`: one document with all its sections.
#[derive(Debug, Serialize)]
pub struct DocumentPage<'a> {
    pub site: SiteValue<'a>,
    pub root: &'static str,
    pub topics_url: &'static str,
    pub doc: DocCtx<'a>,
}

#[derive(Debug, Serialize)]
pub struct DocCtx<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub date: Option<&'a str>,
    /// Path under `content/`.
    pub source: &'a str,
    pub url: &'a str,
    pub language: &'a str,
    /// Topics of the whole document (front matter first, then by frequency).
    pub topics: Vec<TopicValue<'a>>,
    /// Table of contents: every section but the introduction.
    pub toc: Vec<TocEntry<'a>>,
    pub sections: Vec<SectionCtx<'a>>,
}

#[derive(Debug, Serialize)]
pub struct TocEntry<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub level: u8,
}

#[derive(Debug, Serialize)]
pub struct SectionCtx<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// 1 for the introduction (no heading is shown), 2.. for headings.
    pub level: u8,
    pub is_intro: bool,
    /// The body, with inline topic links and rewritten document links.
    pub html: std::borrow::Cow<'a, str>,
    pub source_lines: (usize, usize),
    pub topics: Vec<TopicValue<'a>>,
    /// Empty with the built-in templates, which read `related_html` only.
    pub related: Vec<RelatedCtx<'a>>,
    /// The sections linking to this one (« Cité par »), in site order.
    pub backlinks: Vec<SectionLinkCtx<'a>>,
    /// `related` and `backlinks` as the `<li>` items of a list, one a line
    /// (`render/fragments.rs`).
    pub related_html: String,
    pub backlinks_html: String,
}

/// A link to a section of some document.
#[derive(Debug, Serialize)]
pub struct SectionLinkCtx<'a> {
    pub url: &'a str,
    pub doc_title: &'a str,
    pub section_title: &'a str,
}

/// A related section of another document, with why it is related.
#[derive(Debug, Serialize)]
pub struct RelatedCtx<'a> {
    pub url: &'a str,
    pub doc_title: &'a str,
    pub section_title: &'a str,
    pub score: f64,
    /// The shared topics: the reason for the link.
    pub topics: Vec<TopicValue<'a>>,
    /// The strongest shared words: the reason when no topic is shared.
    pub terms: Vec<&'a str>,
}

/// `topics/index.html`: every topic, A–Z.
#[derive(Debug, Serialize)]
pub struct TopicsPage<'a> {
    pub site: SiteValue<'a>,
    pub root: &'static str,
    pub topics_url: &'static str,
    pub topics: Vec<TopicSummary<'a>>,
    /// The topic map, an inline `<svg>` whose topics link to their pages.
    pub map_html: String,
}

#[derive(Debug, Serialize)]
pub struct TopicSummary<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub section_count: usize,
    pub doc_count: usize,
    /// First sentence of the description, as HTML.
    pub summary_html: String,
    pub related: Vec<TopicValue<'a>>,
}

/// `topics/<slug>/index.html` (and `…/page/<n>/index.html`): one topic and
/// the sections that carry it, a page of them at a time.
#[derive(Debug, Serialize)]
pub struct TopicPage<'a> {
    pub site: SiteValue<'a>,
    pub root: &'static str,
    pub topics_url: &'static str,
    pub topic: TopicCtx<'a>,
    /// Links to the topic's other pages; absent when it has one page.
    pub pagination: Option<PaginationCtx>,
}

/// The navigation between the pages of one list. Absent when there is a
/// single page.
#[derive(Debug, Serialize)]
pub struct PaginationCtx {
    /// 1-based.
    pub current: usize,
    pub total: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// The first, last and nearby pages; `number` is absent for a gap (…).
    pub pages: Vec<PageLinkCtx>,
}

#[derive(Debug, Serialize)]
pub struct PageLinkCtx {
    pub number: Option<usize>,
    pub url: String,
    pub is_current: bool,
}

#[derive(Debug, Serialize)]
pub struct TopicCtx<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub aliases: &'a [String],
    pub description_html: &'a str,
    pub section_count: usize,
    pub doc_count: usize,
    /// Related topics, with the number of sections they share with this one.
    pub related: Vec<RelatedTopicCtx<'a>>,
    /// The sections carrying the topic, grouped by document. Empty with the
    /// built-in templates, which read `groups_html` only.
    pub groups: Vec<TopicGroup<'a>>,
    /// `groups` as HTML, a `<section>` a document (`render/fragments.rs`).
    pub groups_html: String,
}

#[derive(Debug, Serialize)]
pub struct RelatedTopicCtx<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub shared_sections: usize,
    /// Jaccard index of the two topics' section sets, between 0 and 1.
    pub strength: f64,
    /// As a whole percentage, for display.
    pub strength_percent: u32,
    /// Named in the catalog's `related`.
    pub explicit: bool,
}

#[derive(Debug, Serialize)]
pub struct TopicGroup<'a> {
    pub doc_title: &'a str,
    pub doc_url: &'a str,
    pub sections: Vec<TopicHit<'a>>,
}

#[derive(Debug, Serialize)]
pub struct TopicHit<'a> {
    pub title: &'a str,
    pub url: &'a str,
    /// Text around the first mention, the mention in `<mark>`.
    pub excerpt_html: String,
}

/// `404.html`.
#[derive(Debug, Serialize)]
pub struct NotFoundPage<'a> {
    pub site: SiteValue<'a>,
    /// The 404 page is served at any depth, so its links are root-relative to
    /// the output root only when it sits there: `root` is `""`.
    pub root: &'static str,
    pub topics_url: &'static str,
}
