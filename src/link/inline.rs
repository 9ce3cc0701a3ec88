//! Inline topic links: the first mention of each topic in a section (or in
//! a document, by setting) links to the topic's page. Mentions are found by
//! the same alias matcher as topics (`topics::matcher`), but only in the
//! running text the structure stage marked as linkable (`Section::linkable`):
//! never in a heading, a link, code or raw HTML, and only to topics the
//! section carries by a mention. The link stage only says
//! where links go, as byte ranges of the section's HTML; rendering writes
//! them, so the text of a mention is never changed.

use std::cmp::Reverse;

use rayon::prelude::*;

use crate::config::InlineLinks;
use crate::model::{Document, Section, SectionTopic, TopicId};
use crate::topics::TopicIndex;
use crate::topics::catalog::Catalog;
use crate::topics::matcher::Matcher;

/// A mention to wrap in a link to its topic's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlineLink {
    /// Byte range of the mention in the section's `html`.
    pub start: usize,
    pub end: usize,
    pub topic: TopicId,
}

/// `result[doc][section]`: the mentions to link, in order.
pub fn inline_links(
    documents: &[Document],
    catalog: &Catalog,
    topics: &TopicIndex,
    mode: InlineLinks,
) -> Vec<Vec<Vec<InlineLink>>> {
    if mode == InlineLinks::Off || catalog.is_empty() {
        return documents
            .iter()
            .map(|d| vec![Vec::new(); d.sections.len()])
            .collect();
    }
    let matchers = crate::topics::build_matchers(documents, catalog);
    documents
        .par_iter()
        .enumerate()
        .map(|(d, doc)| {
            let found = topics.sections.get(d).map_or(&[][..], Vec::as_slice);
            document_links(doc, found, matchers.get(&doc.lang), mode)
        })
        .collect()
}

/// The links of one document, given the topics found in its sections
/// (`found[section]`) and the matcher of its language: what `watch` calls
/// for a changed document alone.
pub fn document_links(
    doc: &Document,
    found: &[Vec<SectionTopic>],
    matcher: Option<&Matcher>,
    mode: InlineLinks,
) -> Vec<Vec<InlineLink>> {
    let Some(matcher) = matcher.filter(|_| mode != InlineLinks::Off) else {
        return vec![Vec::new(); doc.sections.len()];
    };
    let mut linked: Vec<TopicId> = Vec::new();
    doc.sections
        .iter()
        .enumerate()
        .map(|(s, section)| {
            if mode == InlineLinks::FirstPerSection {
                linked.clear();
            }
            // Linkable text is part of the section's text: only the topics
            // the matcher found there (with a mention) can be linked, and
            // with none left to link, nothing need be read.
            let candidates: Vec<TopicId> = found
                .get(s)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter(|t| t.mention.is_some())
                .map(|t| t.topic)
                .collect();
            if candidates.iter().all(|t| linked.contains(t)) {
                return Vec::new();
            }
            section_links(section, matcher, &candidates, &mut linked)
        })
        .collect()
}

/// The links of one section to topics among `candidates`; `linked` holds
/// the topics already linked (in the section or the document) and grows.
/// Reading stops once every candidate is linked: the first mentions are
/// usually early, and matching the rest of the text was most of the cost.
fn section_links(
    section: &Section,
    matcher: &Matcher,
    candidates: &[TopicId],
    linked: &mut Vec<TopicId>,
) -> Vec<InlineLink> {
    let mut out = Vec::new();
    for &(from, to) in &section.linkable {
        if candidates.iter().all(|t| linked.contains(t)) {
            break;
        }
        let Some(escaped) = section.html.get(from..to) else {
            continue;
        };
        // Most running text has no character reference: matched as it is,
        // without the copy and the offset table (8 bytes a byte) of `unescape`.
        let unescaped = escaped.contains('&').then(|| unescape(escaped));
        let mut hits = match &unescaped {
            Some((text, _)) => matcher.find(text),
            None => matcher.find(escaped),
        };
        // At one position the longest alias wins: « vie privée », not « vie ».
        hits.sort_by_key(|h| (h.start, Reverse(h.end), h.topic));
        let mut free_from = 0;
        for h in hits {
            if h.start < free_from || linked.contains(&h.topic) || !candidates.contains(&h.topic) {
                continue;
            }
            let (start, end) = match &unescaped {
                Some((_, origin)) => match (origin.get(h.start), origin.get(h.end)) {
                    (Some(&start), Some(&end)) => (start, end),
                    _ => continue,
                },
                None => (h.start, h.end),
            };
            out.push(InlineLink {
                start: from + start,
                end: from + end,
                topic: h.topic,
            });
            linked.push(h.topic);
            free_from = h.end;
        }
    }
    out
}

/// Decodes the character references of escaped HTML text; `origin[i]` is
/// the offset in `escaped` of decoded byte `i` (one more entry for the end),
/// so that a range found in the text maps back to the HTML.
fn unescape(escaped: &str) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(escaped.len());
    let mut origin = Vec::with_capacity(escaped.len() + 1);
    let mut i = 0;
    while let Some(c) = escaped[i..].chars().next() {
        let (decoded, len) = if c == '&' {
            reference(&escaped[i..]).unwrap_or((c, 1))
        } else {
            (c, c.len_utf8())
        };
        text.push(decoded);
        origin.extend(std::iter::repeat_n(i, decoded.len_utf8()));
        i += len;
    }
    origin.push(escaped.len());
    (text, origin)
}

/// The character a reference at the start of `s` stands for, and its length.
fn reference(s: &str) -> Option<(char, usize)> {
    // Named and numeric references are short: look no further than that.
    let end = s.char_indices().take(12).find(|&(_, c)| c == ';')?.0;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                name.strip_prefix('#')?.parse().ok()?
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::markdown::sections;
    use crate::topics::catalog::Topic;

    fn catalog(topics: &[(&str, &[&str])]) -> Catalog {
        Catalog::from_topics(
            topics
                .iter()
                .map(|(slug, aliases)| Topic {
                    slug: slug.to_string(),
                    name: aliases[0].to_string(),
                    aliases: aliases.iter().map(|a| a.to_string()).collect(),
                    description: String::new(),
                    description_html: String::new(),
                    related: Vec::new(),
                })
                .collect(),
        )
    }

    fn doc(markdown: &str) -> Document {
        let sections = sections(markdown, 0).into_iter().map(|r| Section {
            lines: r.lines,
            html: r.html,
            linkable: r.linkable,
            links: r.links,
            ..Section::for_tests("s", &r.heading.map(|h| h.text).unwrap_or_default(), &r.text)
        });
        Document::for_tests("a.md", sections.collect())
    }

    /// The mentions linked in each section, as they read in the HTML.
    fn linked(markdown: &str, mode: InlineLinks) -> Vec<Vec<(String, TopicId)>> {
        let d = doc(markdown);
        let cat = catalog(&[
            ("vie-privee", &["vie privée"]),
            ("vie", &["vie"]),
            ("fomo", &["FOMO", "peur de manquer"]),
        ]);
        let docs = std::slice::from_ref(&d);
        let index = crate::topics::assign(docs, &cat, std::path::Path::new("c")).unwrap();
        let links = inline_links(docs, &cat, &index, mode);
        links[0]
            .iter()
            .zip(&d.sections)
            .map(|(ls, s)| {
                ls.iter()
                    .map(|l| (s.html[l.start..l.end].to_string(), l.topic))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn first_mention_per_section_longest_alias_first() {
        let md = "Notre vie privée, la vie, la FOMO et encore la vie privée.\n\n## Deux\n\nLa peur de\nmanquer, encore.\n";
        let got = linked(md, InlineLinks::FirstPerSection);
        assert_eq!(
            got[0],
            [
                ("vie privée".to_string(), 0),
                ("vie".to_string(), 1),
                ("FOMO".to_string(), 2)
            ]
        );
        assert_eq!(got[1], [("peur de\nmanquer".to_string(), 2)]);
    }

    #[test]
    fn first_mention_per_document() {
        let md = "La FOMO.\n\n## Deux\n\nLa FOMO encore, et la vie.\n";
        let got = linked(md, InlineLinks::FirstPerDocument);
        assert_eq!(got[0], [("FOMO".to_string(), 2)]);
        assert_eq!(got[1], [("vie".to_string(), 1)]);
        assert!(linked(md, InlineLinks::Off).iter().all(Vec::is_empty));
    }

    #[test]
    fn never_in_headings_links_code_or_raw_html() {
        let md = "## La FOMO en titre\n\n\
                  [la FOMO](autre.md) et `FOMO` et <span>FOMO</span> et <b>vie</b>\n\n\
                  ```\nFOMO\n```\n\n\
                  <div>\nFOMO\n</div>\n\n\
                  Enfin la FOMO.\n";
        let d = doc(md);
        let got = linked(md, InlineLinks::FirstPerSection);
        // Only the last, plain mention is linked.
        assert_eq!(got[0], [("FOMO".to_string(), 2)]);
        let docs = std::slice::from_ref(&d);
        let cat = catalog(&[("fomo", &["FOMO"])]);
        let index = crate::topics::assign(docs, &cat, std::path::Path::new("c")).unwrap();
        let l = inline_links(docs, &cat, &index, InlineLinks::FirstPerSection);
        let at = l[0][0][0].start;
        assert!(
            d.sections[0].html[..at].ends_with("Enfin la "),
            "{}",
            d.sections[0].html
        );
    }

    #[test]
    fn escaped_text_maps_back_to_the_html() {
        let (text, origin) = unescape("a &amp; b &lt;vie&gt; &#39;x&#x27; &bogus c");
        assert_eq!(text, "a & b <vie> 'x' &bogus c");
        assert_eq!(unescape("&amp;").0, "&");
        assert_eq!(origin.len(), text.len() + 1);
        let v = text.find("vie").unwrap();
        assert_eq!(origin[v], "a &amp; b &lt;".len());
        let got = linked(
            "Tom &amp; Jerry &lt;3 la vie.\n",
            InlineLinks::FirstPerSection,
        );
        assert_eq!(got[0], [("vie".to_string(), 1)]);
    }
}
