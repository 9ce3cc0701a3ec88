//! Topic pages: `topics/<slug>/index.html` lists the first sections carrying
//! a topic, grouped by document, and `topics/<slug>/page/<n>/index.html` the
//! following ones, so that a topic carried by 20,000 sections becomes pages
//! of about `[topics] page_size` sections rather than one 20 MB page.
//!
//! Pages hold whole documents (a topic page groups its sections by document)
//! unless one document alone carries more sections than a page holds. The
//! split is a pure function of the postings and the size, so the page files,
//! their links and `site.json` always agree.

use std::ops::Range;

use super::context::*;
use super::pages::Renderer;
use super::urls::Urls;
use super::{Page, excerpt, fragments};
use crate::error::Diagnostic;
use crate::model::SectionRef;

/// Splits `postings` (a topic's sections, in site order) into pages: ranges of
/// indices into `postings`, in order, covering it. An empty list still has
/// one (empty) page, so every topic has a page.
pub fn split(postings: &[SectionRef], size: usize) -> Vec<Range<usize>> {
    let size = size.max(1);
    let mut pages = Vec::new();
    let mut start = 0;
    let mut run_start = 0;
    while run_start < postings.len() {
        let doc = postings[run_start].doc;
        let run_end = run_start + postings[run_start..].partition_point(|r| r.doc == doc);
        if run_start > start && run_end - start > size {
            pages.push(start..run_start);
            start = run_start;
        }
        // A document longer than a page is cut into full pages.
        while run_end - start > size {
            pages.push(start..start + size);
            start += size;
        }
        run_start = run_end;
    }
    if start < postings.len() || pages.is_empty() {
        pages.push(start..postings.len());
    }
    pages
}

/// Pages shown on each side of the current one.
const NEARBY: usize = 2;

/// The navigation of page `current` (1-based) of `total`; `url_of(n)` is the
/// URL of page `n`. `None` for a single page.
pub fn nav(
    current: usize,
    total: usize,
    url_of: impl Fn(usize) -> String,
) -> Option<PaginationCtx> {
    if total <= 1 {
        return None;
    }
    let mut pages = Vec::new();
    let mut last_shown = 0;
    for n in 1..=total {
        let shown = n == 1 || n == total || n.abs_diff(current) <= NEARBY;
        if !shown {
            continue;
        }
        if n > last_shown + 1 {
            pages.push(PageLinkCtx {
                number: None,
                url: String::new(),
                is_current: false,
            });
        }
        pages.push(PageLinkCtx {
            number: Some(n),
            url: url_of(n),
            is_current: n == current,
        });
        last_shown = n;
    }
    Some(PaginationCtx {
        current,
        total,
        prev_url: (current > 1).then(|| url_of(current - 1)),
        next_url: (current < total).then(|| url_of(current + 1)),
        pages,
    })
}

impl<'a> Renderer<'a> {
    /// Page `page` (0-based) of topic `t`, holding `range` of its postings.
    pub(super) fn topic(
        &self,
        t: usize,
        page: usize,
        range: Range<usize>,
        page_count: usize,
        doc_count: usize,
    ) -> Result<Page, Diagnostic> {
        let site = self.site;
        let topic = &site.catalog.topics[t];
        let mut groups: Vec<TopicGroup> = Vec::new();
        let mut last_doc = None;
        for &r in &site.topics.postings[t][range] {
            let doc = &site.documents[r.doc];
            let sec = &doc.sections[r.section];
            let mention = site.topics.sections[r.doc][r.section]
                .iter()
                .find(|x| x.topic == t)
                .and_then(|x| x.mention.as_ref());
            let hit = TopicHit {
                title: &sec.title,
                url: self.table.section(r),
                excerpt_html: excerpt::excerpt_html(&sec.text, mention),
            };
            match groups.last_mut() {
                Some(g) if last_doc == Some(r.doc) => g.sections.push(hit),
                _ => groups.push(TopicGroup {
                    doc_title: &doc.title,
                    doc_url: self.table.document(r.doc),
                    sections: vec![hit],
                }),
            }
            last_doc = Some(r.doc);
        }
        let number = page + 1;
        let root = Urls::topic_page_root(number);
        let groups_html = fragments::topic_groups_html(&groups, root);
        if !self.lists_as_data("topic.html") {
            groups.clear();
        }
        let pagination = nav(number, page_count, |n| self.urls.topic_page(&topic.slug, n));
        let ctx = TopicPage {
            site: self.site_ctx,
            root,
            topics_url: self.urls.topics_index(),
            topic: TopicCtx {
                slug: &topic.slug,
                name: &topic.name,
                aliases: topic.aliases.get(1..).unwrap_or_default(),
                description_html: &topic.description_html,
                section_count: site.topics.postings[t].len(),
                doc_count,
                related: site.topic_relations[t]
                    .iter()
                    .map(|r| {
                        let other = &site.catalog.topics[r.topic];
                        RelatedTopicCtx {
                            slug: &other.slug,
                            name: &other.name,
                            url: self.table.topic(r.topic),
                            shared_sections: r.shared_sections,
                            strength: r.strength,
                            strength_percent: (r.strength * 100.0).round() as u32,
                            explicit: r.explicit,
                        }
                    })
                    .collect(),
                groups,
                groups_html,
            },
            pagination,
        };
        let hint = ctx.topic.groups_html.len() + ctx.topic.description_html.len();
        self.page(
            "topic.html",
            Urls::topic_page_file(&topic.slug, number),
            &ctx,
            hint,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(docs: &[usize]) -> Vec<SectionRef> {
        docs.iter()
            .enumerate()
            .map(|(i, &doc)| SectionRef { doc, section: i })
            .collect()
    }

    #[test]
    fn pages_hold_whole_documents() {
        // Documents of 2, 2, 1, 3 sections; pages of 4.
        let p = refs(&[0, 0, 1, 1, 2, 3, 3, 3]);
        assert_eq!(split(&p, 4), vec![0..4, 4..8]);
        assert_eq!(split(&p, 3), vec![0..2, 2..5, 5..8]);
    }

    #[test]
    fn a_document_longer_than_a_page_is_cut() {
        let p = refs(&[0, 1, 1, 1, 1, 1, 2]);
        assert_eq!(split(&p, 2), vec![0..1, 1..3, 3..5, 5..7]);
    }

    #[test]
    fn every_section_is_on_exactly_one_page() {
        let p = refs(&[0, 0, 0, 1, 2, 2, 3, 4, 4, 4, 4, 5]);
        for size in 1..14 {
            let pages = split(&p, size);
            assert_eq!(pages[0].start, 0);
            assert_eq!(pages.last().unwrap().end, p.len());
            for w in pages.windows(2) {
                assert_eq!(w[0].end, w[1].start, "size {size}");
            }
            assert!(pages.iter().all(|r| !r.is_empty() && r.len() <= size));
        }
        assert_eq!(split(&[], 10), vec![0..0]);
        assert_eq!(split(&p, usize::MAX), vec![0..p.len()]);
    }

    #[test]
    fn nav_shows_ends_neighbours_and_gaps() {
        assert!(nav(1, 1, |n| n.to_string()).is_none());
        let n = nav(6, 10, |n| format!("p{n}")).unwrap();
        let numbers: Vec<Option<usize>> = n.pages.iter().map(|p| p.number).collect();
        assert_eq!(
            numbers,
            [
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(10)
            ]
        );
        assert_eq!(n.prev_url.as_deref(), Some("p5"));
        assert_eq!(n.next_url.as_deref(), Some("p7"));
        let first = nav(1, 3, |n| format!("p{n}")).unwrap();
        assert!(first.prev_url.is_none());
        assert_eq!(first.pages.len(), 3);
    }
}
