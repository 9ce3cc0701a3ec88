//! A section's HTML as its page shows it: the structure stage's HTML with
//! the link stage's links written in — topic mentions wrapped in a link to
//! their topic's page, links to content files pointed at their document's
//! page. Only the recorded byte ranges change, so the text stays as written.

use std::borrow::Cow;

use crate::link::{ExplicitLink, Site};

use super::fragments::push_escaped;
use super::urls::{UrlTable, Urls};

/// One change to a section's HTML.
enum Splice<'a> {
    /// Wrap the range in a link to topic `usize`.
    Topic(usize),
    /// Replace the range (an `href` value) with the link's target.
    Href(&'a ExplicitLink),
}

/// The HTML of section `s` of document `d`, for a page `root` away from the
/// output root; topic URLs come from `table`.
pub fn section_html<'s>(
    site: &'s Site,
    urls: &Urls,
    table: &UrlTable,
    root: &str,
    d: usize,
    s: usize,
) -> Cow<'s, str> {
    let html = site.documents[d].sections[s].html.as_str();
    let mut splices: Vec<(usize, usize, Splice)> = Vec::new();
    if let Some(links) = site.inline.get(d).and_then(|x| x.get(s)) {
        splices.extend(
            links
                .iter()
                .map(|l| (l.start, l.end, Splice::Topic(l.topic))),
        );
    }
    if let Some(links) = site.links.links.get(d).and_then(|x| x.get(s)) {
        splices.extend(links.iter().map(|l| (l.href.0, l.href.1, Splice::Href(l))));
    }
    if splices.is_empty() {
        return Cow::Borrowed(html);
    }
    splices.sort_by_key(|x| (x.0, x.1));
    let mut out = String::with_capacity(html.len() + 96 * splices.len());
    let mut at = 0;
    for (start, end, splice) in splices {
        let (Some(before), Some(inner)) = (html.get(at..start), html.get(start..end)) else {
            continue; // overlapping or stale: leave the HTML as it is
        };
        out.push_str(before);
        match splice {
            Splice::Topic(t) => {
                let Some(topic) = site.catalog.topics.get(t) else {
                    out.push_str(inner);
                    at = end;
                    continue;
                };
                out.push_str("<a class=\"topic-link\" href=\"");
                out.push_str(root);
                out.push_str(table.topic(t));
                out.push_str("\" title=\"Sujet : ");
                push_escaped(&mut out, &topic.name);
                out.push_str("\">");
                out.push_str(inner);
                out.push_str("</a>");
            }
            Splice::Href(link) => out.push_str(&href(site, urls, root, d, link)),
        }
        at = end;
    }
    out.push_str(html.get(at..).unwrap_or(""));
    Cow::Owned(out)
}

/// Where an explicit link goes, relative to a page of document `d`.
fn href(site: &Site, urls: &Urls, root: &str, d: usize, link: &ExplicitLink) -> String {
    let target = &site.documents[link.doc];
    let anchor = match (
        link.section.and_then(|s| target.sections.get(s)),
        &link.missing_anchor,
    ) {
        (Some(section), _) => Some(section.id.clone()),
        (None, Some(written)) => {
            let mut escaped = String::new();
            // Writing into a String cannot fail.
            let _ = pulldown_cmark_escape::escape_href(&mut escaped, written);
            Some(escaped)
        }
        (None, None) => None,
    };
    match anchor {
        Some(a) if link.doc == d => format!("#{a}"),
        Some(a) => format!("{root}{}#{a}", urls.document(&target.slug)),
        None => format!("{root}{}", urls.document(&target.slug)),
    }
}
