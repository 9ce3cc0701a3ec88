//! The related-section and backlink lists of a document page, as HTML built
//! here rather than in a template loop: at 10,000 documents they are some
//! 450,000 links, and Tera spent about 8,500 instructions on each (a
//! variable lookup, a value clone and an escape per field, a nested loop
//! for the reasons): 40% of rendering the document pages (callgrind, on the
//! 1,000-document corpus: 738 M instructions for the pages with the loop,
//! 438 M without). Templates receive them as `related_html` and
//! `backlinks_html`, next to the same links as data (`related`,
//! `backlinks`) for templates that lay them out their own way.
//!
//! One line a link: `<li><a href="…">Document<span>Section</span></a>` then
//! the reason in `<small>` (the theme draws the « › » between document and
//! section, hidden from screen readers).

use crate::link::Site;

use super::context::TopicGroup;
use super::urls::UrlTable;

/// The `<li>` items of section `s` of document `d`'s related sections, for
/// a page whose `root` is given.
pub fn related_html(site: &Site, table: &UrlTable, root: &str, d: usize, s: usize) -> String {
    let related = &site.related[d][s];
    let mut out = String::with_capacity(related.len() * 256);
    let links = table.section_links(related.iter().map(|r| r.target()));
    for (r, link) in related.iter().zip(links) {
        out.push_str("<li>");
        push_link(&mut out, root, link);
        if r.has_shared() {
            out.push_str("<small>en commun : ");
            for (k, t) in r.shared(&site.reasons).enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                push_escaped(&mut out, &site.catalog.topics[t].name);
            }
            out.push_str("</small>");
        } else {
            let words = r.words(&site.reasons);
            if !words.is_empty() {
                out.push_str("<small>mots en commun : ");
                for (k, w) in words.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    out.push_str("« ");
                    push_escaped(&mut out, w);
                    out.push_str(" »");
                }
                out.push_str("</small>");
            }
        }
        out.push_str("</li>\n");
    }
    out
}

/// The `<li>` items of the sections citing section `s` of document `d`.
pub fn backlinks_html(site: &Site, table: &UrlTable, root: &str, d: usize, s: usize) -> String {
    let mut out = String::new();
    for link in table.section_links(site.links.backlinks[d][s].iter().copied()) {
        out.push_str("<li>");
        push_link(&mut out, root, link);
        out.push_str("</li>\n");
    }
    out
}

/// A topic page's sections, a `<section>` a document: its title, then its
/// sections with their excerpts, one line each. Built here for the same
/// reason as the related lists (a template loop cost some 8,000
/// instructions a section).
pub fn topic_groups_html(groups: &[TopicGroup], root: &str) -> String {
    let mut out = String::with_capacity(groups.len() * 700);
    for g in groups {
        out.push_str("<section class=\"hit-group\">\n<h3 class=\"hit-group__title\"><a href=\"");
        out.push_str(root);
        push_escaped(&mut out, g.doc_url);
        out.push_str("\">");
        push_escaped(&mut out, g.doc_title);
        out.push_str("</a></h3>\n<ol class=\"hit-list\">\n");
        for h in &g.sections {
            out.push_str("<li class=\"hit\"><a class=\"hit__title\" href=\"");
            out.push_str(root);
            push_escaped(&mut out, h.url);
            out.push_str("\">");
            push_escaped(
                &mut out,
                if h.title.is_empty() {
                    "Introduction"
                } else {
                    h.title
                },
            );
            out.push_str("</a>");
            if !h.excerpt_html.is_empty() {
                out.push_str("<blockquote class=\"hit__excerpt\"><p>");
                out.push_str(&h.excerpt_html);
                out.push_str("</p></blockquote>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n</section>\n");
    }
    // The template puts the line break after the last one.
    out.pop();
    out
}

/// `<a href="…">Document<span>Section</span></a>`, the section left out
/// when it is the document's title (an introduction): all but the start
/// comes made from the URL table (`link`, from `UrlTable::section_links`).
fn push_link(out: &mut String, root: &str, link: &str) {
    out.push_str("<a href=\"");
    out.push_str(root);
    out.push_str(link);
}

/// Appends `text` to `out` escaped for HTML text and attribute values, as
/// Tera escapes (`&#39;` for `'`): the same output as
/// `structure::push_escaped`, which pushes one char at a time. It was a
/// hand-written loop copying the runs between special characters (35
/// instructions a character became about 4); `pulldown_cmark_escape`,
/// with its `simd` feature, finds them sixteen bytes at a time (these lists
/// and the topic-page excerpts are 300 MB of a 10,000-document site).
pub fn push_escaped(out: &mut String, text: &str) {
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut *out, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists longer than the links looked up at once come out whole and in
    /// order, as one lookup after the other writes them.
    #[test]
    fn long_link_lists_are_gathered_whole_and_in_order() {
        use crate::build::build_pages;
        use crate::load::SiteInput;
        use crate::model::{SourceDoc, SourceKind};
        use crate::render::urls::{AT_ONCE, Urls};

        let source = |name: &str, text: String| SourceDoc {
            rel_path: format!("{name}.md"),
            kind: SourceKind::Markdown,
            text,
        };
        let mut sources = vec![source("a", "# A\n\n## Cible\n\nTexte.\n".into())];
        for i in 0..(2 * AT_ONCE + 3) {
            sources.push(source(
                &format!("b{i:02}"),
                format!("# B{i}\n\n## Renvoi\n\nVoir [la cible](a.md#cible).\n"),
            ));
        }
        let input = SiteInput {
            root: "/nonexistent".into(),
            sources,
            ..SiteInput::default()
        };
        let site = build_pages(&input, false).expect("site builds").site;
        let table = UrlTable::new(&site, &Urls::new(false));
        let target = site.documents[0]
            .sections
            .iter()
            .position(|s| s.id == "cible")
            .expect("the target section");
        let cited = &site.links.backlinks[0][target];
        assert_eq!(cited.len(), 2 * AT_ONCE + 3);
        assert_eq!(
            table.sections(cited.iter().copied()).collect::<Vec<_>>(),
            cited.iter().map(|&b| table.section(b)).collect::<Vec<_>>()
        );
        let mut one_by_one = String::new();
        for &b in cited {
            one_by_one.push_str("<li><a href=\"../");
            one_by_one.push_str(table.section_link(b));
            one_by_one.push_str("</li>\n");
        }
        assert_eq!(backlinks_html(&site, &table, "../", 0, target), one_by_one);
        assert!(
            one_by_one.contains("b18/index.html#renvoi\">B18"),
            "{one_by_one}"
        );
    }

    #[test]
    fn escapes_as_the_structure_stage_does() {
        let long = "Une phrase assez longue, l'écho <b> & \"q\" » et la fin>";
        for text in ["", "plain", "l'écho <b> & \"q\"", "&&", "é'", "fin>", long] {
            let mut fast = String::new();
            push_escaped(&mut fast, text);
            let mut slow = String::new();
            crate::structure::push_escaped(&mut slow, text);
            assert_eq!(fast, slow, "{text}");
        }
    }
}
