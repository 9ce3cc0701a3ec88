//! The pages of a site but the topic pages (`topic_page.rs`): home page,
//! document pages, the topic index and the 404 page, each built from a
//! context that borrows from the `Site` and the URL table.

use std::ops::Range;

use serde::Serialize;
use tera::Context;

use super::context::*;
use super::urls::{TOPICS_DIR, UrlTable, Urls};
use super::{
    Page, Theme, first_sentence_html, fragments, lang_code, map_svg, section_html, sort_key,
    templates, topic_page,
};
use crate::error::Diagnostic;
use crate::link::Site;
use crate::model::TopicId;

/// Bytes a page's template adds to the texts it is given, and then some
/// (a built-in document page without sections is about 3 KB).
const PAGE_MARGIN: usize = 8 * 1024;

/// Bytes the document template adds around each section's texts (its
/// heading, chips, asides and line references: about 1 KB).
const SECTION_MARGIN: usize = 1024;

pub(super) struct Renderer<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme<'a>,
    pub urls: Urls,
    pub site_ctx: SiteValue<'a>,
    pub table: &'a UrlTable,
    /// `topic_values[t]`: topic `t`'s `TopicLink`, as a template value.
    pub topic_values: &'a [tera::Value],
}

/// Every topic's `TopicLink` as a template value (see `TopicValue`).
pub(super) fn topic_values(site: &Site, table: &UrlTable) -> Vec<tera::Value> {
    site.catalog
        .topics
        .iter()
        .enumerate()
        .map(|(t, topic)| {
            // Plain strings cannot fail to serialize; `none` is never reached.
            tera::Value::try_from_serializable(&TopicLink {
                slug: &topic.slug,
                name: &topic.name,
                url: table.topic(t),
            })
            .unwrap_or_else(|_| tera::Value::none())
        })
        .collect()
}

/// The documents in home-page order: by weight, then title A–Z.
pub(super) fn home_order(site: &Site) -> Vec<usize> {
    let mut order: Vec<usize> = (0..site.documents.len()).collect();
    order.sort_by_cached_key(|&d| {
        (
            site.documents[d].weight,
            sort_key(&site.documents[d].title),
            d,
        )
    });
    order
}

impl<'a> Renderer<'a> {
    /// Renders `ctx` through `template` into the bytes of page `path`,
    /// whose size is expected to be about `hint` bytes (its longest texts,
    /// say): the buffer is sized once, not grown by doubling and copying.
    pub(super) fn page(
        &self,
        template: &str,
        path: String,
        ctx: &impl Serialize,
        hint: usize,
    ) -> Result<Page, Diagnostic> {
        let context = Context::from_serialize(ctx)
            .map_err(|e| Diagnostic::error(format!("cannot build the context of {path}: {e}")))?;
        // Into bytes directly: `Tera::render` would check the UTF-8 of every
        // page again to return a String.
        let mut bytes = Vec::with_capacity(hint + PAGE_MARGIN);
        self.theme
            .tera
            .render_to(template, &context, &mut bytes)
            .map_err(|e| {
                templates::template_error(&e, self.theme.site_templates, self.theme.templates_dir)
            })?;
        Ok(Page { path, bytes })
    }

    /// Whether the page made with `template` needs the lists that come as
    /// HTML as data too (`SectionCtx::related`, `TopicCtx::groups`): only
    /// when the site has its own `template` or `base.html`. The built-in
    /// templates read the HTML alone, and serializing the lists for Tera
    /// was 7% of rendering the document pages.
    pub(super) fn lists_as_data(&self, template: &str) -> bool {
        self.theme
            .site_templates
            .iter()
            .any(|(name, _)| name == template || name == "base.html")
    }

    pub(super) fn topic_link(&self, id: TopicId) -> TopicValue<'a> {
        &self.topic_values[id]
    }

    /// Page `page` (0-based) of `pages` of the home page, listing `range`
    /// of the documents in `order`.
    pub(super) fn index(
        &self,
        order: &[usize],
        page: usize,
        range: Range<usize>,
        pages: usize,
    ) -> Result<Page, Diagnostic> {
        let site = self.site;
        let documents = order[range]
            .iter()
            .map(|&d| {
                let doc = &site.documents[d];
                DocSummary {
                    title: &doc.title,
                    description: doc.description.as_deref(),
                    date: doc.date.as_deref(),
                    url: self.table.document(d),
                    section_count: doc.sections.len(),
                    main_topics: site.topics.documents[d]
                        .iter()
                        .take(5)
                        .map(|&t| self.topic_link(t))
                        .collect(),
                }
            })
            .collect();
        let number = page + 1;
        let ctx = IndexPage {
            site: self.site_ctx,
            root: Urls::home_page_root(number),
            documents,
            document_count: site.documents.len(),
            topic_count: site.catalog.len(),
            topics_url: self.urls.topics_index(),
            pagination: topic_page::nav(number, pages, |n| self.urls.home_page(n)),
        };
        // About 750 bytes a document listed.
        let hint = ctx.documents.len() * 768;
        self.page("index.html", Urls::home_page_file(number), &ctx, hint)
    }

    pub(super) fn document(&self, d: usize) -> Result<Page, Diagnostic> {
        let site = self.site;
        let doc = &site.documents[d];
        let related_data = self.lists_as_data("document.html");
        let sections = doc
            .sections
            .iter()
            .enumerate()
            .map(|(s, sec)| SectionCtx {
                id: &sec.id,
                title: &sec.title,
                level: sec.level,
                is_intro: sec.level == 1,
                html: section_html::section_html(site, &self.urls, self.table, "../", d, s),
                source_lines: sec.lines,
                topics: site.topics.sections[d][s]
                    .iter()
                    .map(|t| self.topic_link(t.topic))
                    .collect(),
                related: site.related[d][s]
                    .iter()
                    .take(if related_data { usize::MAX } else { 0 })
                    .map(|r| {
                        let to = r.target();
                        let target = &site.documents[to.doc];
                        RelatedCtx {
                            url: self.table.section(to),
                            doc_title: &target.title,
                            section_title: &target.sections[to.section].title,
                            score: r.score,
                            topics: r
                                .shared(&site.reasons)
                                .map(|t| self.topic_link(t))
                                .collect(),
                            terms: r.words(&site.reasons),
                        }
                    })
                    .collect(),
                related_html: fragments::related_html(site, self.table, "../", d, s),
                backlinks_html: fragments::backlinks_html(site, self.table, "../", d, s),
                backlinks: site.links.backlinks[d][s]
                    .iter()
                    .map(|&b| {
                        let source = &site.documents[b.doc];
                        SectionLinkCtx {
                            url: self.table.section(b),
                            doc_title: &source.title,
                            section_title: &source.sections[b.section].title,
                        }
                    })
                    .collect(),
            })
            .collect();
        let ctx = DocumentPage {
            site: self.site_ctx,
            root: "../",
            topics_url: self.urls.topics_index(),
            doc: DocCtx {
                title: &doc.title,
                description: doc.description.as_deref(),
                date: doc.date.as_deref(),
                source: &doc.source,
                url: self.table.document(d),
                language: lang_code(doc.lang),
                topics: site.topics.documents[d]
                    .iter()
                    .map(|&t| self.topic_link(t))
                    .collect(),
                toc: doc
                    .sections
                    .iter()
                    .filter(|s| s.level > 1)
                    .map(|s| TocEntry {
                        id: &s.id,
                        title: &s.title,
                        level: s.level,
                    })
                    .collect(),
                sections,
            },
        };
        let hint = ctx
            .doc
            .sections
            .iter()
            .map(|s| s.html.len() + s.related_html.len() + s.backlinks_html.len() + SECTION_MARGIN)
            .sum();
        self.page("document.html", Urls::file_of_folder(&doc.slug), &ctx, hint)
    }

    pub(super) fn topics_index(&self, doc_counts: &[usize]) -> Result<Page, Diagnostic> {
        let site = self.site;
        let mut order: Vec<usize> = (0..site.catalog.len()).collect();
        order.sort_by_cached_key(|&t| (sort_key(&site.catalog.topics[t].name), t));
        let topics = order
            .into_iter()
            .map(|t| {
                let topic = &site.catalog.topics[t];
                TopicSummary {
                    slug: &topic.slug,
                    name: &topic.name,
                    url: self.table.topic(t),
                    section_count: site.topics.postings[t].len(),
                    doc_count: doc_counts[t],
                    summary_html: first_sentence_html(&topic.description_html),
                    related: site.topic_relations[t]
                        .iter()
                        .map(|r| self.topic_link(r.topic))
                        .collect(),
                }
            })
            .collect();
        let root = "../";
        let ctx = TopicsPage {
            site: self.site_ctx,
            root,
            topics_url: self.urls.topics_index(),
            topics,
            map_html: map_svg::map_svg(site, &self.urls, root),
        };
        let hint = ctx.map_html.len() + ctx.topics.len() * 1024;
        self.page("topics.html", Urls::file_of_folder(TOPICS_DIR), &ctx, hint)
    }

    pub(super) fn not_found(&self) -> Result<Page, Diagnostic> {
        let ctx = NotFoundPage {
            site: self.site_ctx,
            root: "",
            topics_url: self.urls.topics_index(),
        };
        self.page("404.html", "404.html".into(), &ctx, 0)
    }
}
