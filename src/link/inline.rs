//! Inline topic links: the first mention of each topic in a section (or in
//! a document, by setting) links to the topic's page. Mentions are those of
//! the alias matcher (`topics::matcher`), but only in the running text the
//! structure stage marked as linkable (`Section::linkable`): never in a
//! heading, a link, code or raw HTML, and only to topics the section
//! carries by a mention. The link stage only says where links go, as byte
//! ranges of the section's HTML; rendering writes them, so the text of a
//! mention is never changed.
//!
//! The topics stage, which matches every section's text once, already
//! noted each topic's first mention in linkable text
//! (`SectionTopic::linkable`): most sections are linked from that alone.
//! Only where it could not tell (a run with character references, or
//! aliases overlapping: « vie privée » and « vie ») is the linkable text
//! matched again here, which was 6 % of a build when done for every
//! section.

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
            // the matcher found there (with a mention) can be linked.
            let topics = found.get(s).map_or(&[][..], Vec::as_slice);
            let mut left = topics
                .iter()
                .filter(|t| t.mention.is_some() && !linked.contains(&t.topic));
            if left.any(|t| t.linkable.is_unknown()) {
                let candidates: Vec<TopicId> = topics
                    .iter()
                    .filter(|t| t.mention.is_some())
                    .map(|t| t.topic)
                    .collect();
                section_links(section, matcher, &candidates, &mut linked)
            } else {
                known_links(topics, &mut linked)
            }
        })
        .collect()
}

/// The links of one section from the first linkable mention of each topic
/// (none `Unknown` among those not yet linked): each such mention overlaps
/// no other hit, so it is what matching the linkable text would link.
fn known_links(topics: &[SectionTopic], linked: &mut Vec<TopicId>) -> Vec<InlineLink> {
    let links = || {
        topics.iter().filter_map(|t| {
            let at = t.linkable.range().filter(|_| !linked.contains(&t.topic))?;
            Some(InlineLink {
                start: at.start,
                end: at.end,
                topic: t.topic,
            })
        })
    };
    // Kept until the build ends, one list per section: no spare capacity.
    let mut out = Vec::with_capacity(links().count());
    out.extend(links());
    out.sort_unstable_by_key(|l| l.start);
    linked.extend(out.iter().map(|l| l.topic));
    out
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
    for run in &section.linkable {
        if candidates.iter().all(|t| linked.contains(t)) {
            break;
        }
        let from = run.start as usize;
        let Some(escaped) = section.html.get(run.range()) else {
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

    /// The links of the document as they were made before the topics stage
    /// noted the linkable mentions: every section's linkable text matched.
    fn matched_again(
        doc: &Document,
        found: &[Vec<SectionTopic>],
        matcher: &Matcher,
        mode: InlineLinks,
    ) -> Vec<Vec<InlineLink>> {
        let mut linked = Vec::new();
        doc.sections
            .iter()
            .zip(found)
            .map(|(section, topics)| {
                if mode == InlineLinks::FirstPerSection {
                    linked.clear();
                }
                let candidates: Vec<TopicId> = topics
                    .iter()
                    .filter(|t| t.mention.is_some())
                    .map(|t| t.topic)
                    .collect();
                section_links(section, matcher, &candidates, &mut linked)
            })
            .collect()
    }

    /// Checks that the links from the topics stage's mentions are those of
    /// matching again, in both modes; returns how many sections were known
    /// without matching, and how many were not.
    fn same_as_matching_again(
        docs: &[Document],
        cat: &Catalog,
        index: &TopicIndex,
    ) -> (usize, usize) {
        let matchers = crate::topics::build_matchers(docs, cat);
        let (mut known, mut unknown) = (0, 0);
        for (d, doc) in docs.iter().enumerate() {
            let found = &index.sections[d];
            let m = &matchers[&doc.lang];
            for mode in [InlineLinks::FirstPerSection, InlineLinks::FirstPerDocument] {
                let got = document_links(doc, found, Some(m), mode);
                assert_eq!(
                    got,
                    matched_again(doc, found, m, mode),
                    "{} {mode:?}",
                    doc.source
                );
            }
            for t in found {
                if t.iter().any(|t| t.linkable.is_unknown()) {
                    unknown += 1;
                } else {
                    known += 1;
                }
            }
        }
        (known, unknown)
    }

    #[test]
    fn seed_site_links_as_matching_again() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let input = crate::load::load_site(root, None).unwrap();
        let a = crate::build::analyse(input, false).unwrap();
        let (known, unknown) = same_as_matching_again(&a.documents, &a.catalog, &a.topics);
        let links: usize = inline_links(
            &a.documents,
            &a.catalog,
            &a.topics,
            InlineLinks::FirstPerSection,
        )
        .iter()
        .flatten()
        .map(Vec::len)
        .sum();
        // Most sections are linked without matching again.
        eprintln!("seed: {known} sections known, {unknown} not, {links} links");
        assert!(known > 4 * unknown, "{known} known, {unknown} not");
        assert!(links > 50, "{links}");
    }

    #[test]
    fn tricky_text_links_as_matching_again() {
        let cat = catalog(&[
            ("vie-privee", &["vie privée"]),
            ("vie", &["vie"]),
            ("fomo", &["FOMO", "peur de manquer", "manquer"]),
            ("homophilie", &["homophilie"]),
            ("tom", &["Tom & Jerry", "Jerry"]),
            ("marche", &["marché"]),
        ]);
        let texts = [
            // Character references, in the text and around an alias.
            "Tom &amp; Jerry et la vie.\n\nTom & Jerry, la FOMO <3 la vie > 2.\n",
            "Jerry &lt; la vie &amp; FOMO.\n",
            // Emphasis splitting a phrase, or glued to a word.
            "La *vie* privée, la vie *privée*, notre *vie privée* et la vie.\n",
            "Un super*marché*, le *vie*privée et le marché.\n",
            "La peur de *manquer* puis la peur de manquer.\n",
            // First mentioned in a heading, code, a link, raw HTML, then text.
            "## La FOMO et la vie\n\n`FOMO` et [la FOMO](a.md) et <b>FOMO</b> puis la FOMO.\n\n\
             ```\nla vie\n```\n\nEnfin la vie.\n",
            // Elision, with the particle in or out of the emphasis.
            "L'homophilie.\n\n*l'*homophilie et l'*homophilie* et l*'homophilie*.\n\n\
             ## B\n\nl\u{2019}homophilie, d'homophilie\n",
            // Soft breaks inside a phrase, overlapping aliases.
            "Sa vie\nprivée, sa vie, la peur de\nmanquer et manquer.\n\n## C\n\nLa vie, puis la vie privée.\n",
            "- la vie privée\n- la vie\n\n> la FOMO, la vie\n\n| vie | FOMO |\n|---|---|\n| vie privée | x |\n",
        ];
        for text in texts {
            let d = doc(text);
            let docs = std::slice::from_ref(&d);
            let index = crate::topics::assign(docs, &cat, std::path::Path::new("c")).unwrap();
            let (known, unknown) = same_as_matching_again(docs, &cat, &index);
            assert!(known + unknown > 0, "{text}");
        }
    }

    #[test]
    fn plain_text_links_as_matching_again() {
        let cat = catalog(&[
            ("vie-privee", &["vie privée"]),
            ("fomo", &["FOMO"]),
            ("tom", &["Tom & Jerry"]),
        ]);
        let texts = [
            "Titre\n\nLa vie privée et la FOMO.\n\n- la FOMO\n- la vie privée\n",
            "Titre\n\nTom & Jerry et la FOMO.\n\nLa vie\nprivée.\n",
        ];
        let docs: Vec<Document> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let source = crate::model::SourceDoc {
                    rel_path: format!("{i}.txt"),
                    kind: crate::model::SourceKind::Text,
                    text: text.to_string(),
                };
                crate::structure::structure(&source, crate::model::Lang::Fr, false)
                    .unwrap()
                    .unwrap()
                    .0
            })
            .collect();
        let index = crate::topics::assign(&docs, &cat, std::path::Path::new("c")).unwrap();
        let (known, unknown) = same_as_matching_again(&docs, &cat, &index);
        assert_eq!((known, unknown), (1, 1));
        let links = inline_links(&docs, &cat, &index, InlineLinks::FirstPerSection);
        assert!(!links.concat().concat().is_empty());
    }
}
