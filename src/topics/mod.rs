//! Stage 3: finds the catalog's topics in every section.
//!
//! A section carries a topic when its heading or text mentions one of the
//! topic's aliases (see `matcher` and `normalize` for what "mentions" means).
//! Topics named in a document's front matter are checked against the catalog
//! and belong to the whole document; its first section carries them too, so
//! topic pages and `site.json` link to the document's entry point.

pub mod catalog;
mod fold;
mod folded;
pub mod linkable;
pub mod matcher;
pub mod normalize;
pub mod read;
pub mod report;
pub mod stopwords;
pub mod suggest;
mod surfaces;
mod word_table;
pub mod words;

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::error::{BuildError, Diagnostic};
use crate::model::{
    Document, Lang, LinkableMention, Mention, Section, SectionRef, SectionTopic, TopicId,
};
use catalog::Catalog;
use matcher::{Hit, Matcher};
use words::SiteWords;

/// Which topics each section and document carries, and the reverse lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicIndex {
    /// `sections[doc][section]`: topics in order of first mention.
    pub sections: Vec<Vec<Vec<SectionTopic>>>,
    /// `documents[doc]`: front-matter topics first, then the others by the
    /// number of sections carrying them.
    pub documents: Vec<Vec<TopicId>>,
    /// `postings[topic]`: the sections carrying it, in site order.
    pub postings: Vec<Vec<SectionRef>>,
    /// The words of every section, read once here for every later reader
    /// (section vectors, search); `link::link` makes them current first.
    pub words: SiteWords,
}

impl TopicIndex {
    /// Number of distinct documents with a section carrying `topic`.
    pub fn doc_count(&self, topic: TopicId) -> usize {
        let mut last = None;
        let mut n = 0;
        for r in &self.postings[topic] {
            if last != Some(r.doc) {
                n += 1;
                last = Some(r.doc);
            }
        }
        n
    }
}

/// Finds topics in all documents (in parallel). Unknown front-matter slugs are
/// errors naming the file and line.
pub fn assign(
    documents: &[Document],
    catalog: &Catalog,
    content_dir: &Path,
) -> Result<TopicIndex, BuildError> {
    let errors: Vec<Diagnostic> = documents
        .iter()
        .flat_map(|d| unknown_front_topics(d, catalog, content_dir))
        .collect();
    if !errors.is_empty() {
        return Err(BuildError {
            diagnostics: errors,
        });
    }
    let matchers = build_matchers(documents, catalog);
    Ok(assign_with(documents, catalog, &matchers))
}

/// Finds topics in all documents with the given matchers (one per language
/// in use), reading each section's words once (`read`).
pub fn assign_with(
    documents: &[Document],
    catalog: &Catalog,
    matchers: &HashMap<Lang, Matcher>,
) -> TopicIndex {
    let (words, hits) = read::read_site(documents, matchers);
    let sections: Vec<Vec<Vec<SectionTopic>>> = documents
        .par_iter()
        .zip(hits)
        .map(|(doc, hits)| {
            let mut found: Vec<Vec<SectionTopic>> = hits
                .into_iter()
                .zip(&doc.sections)
                .map(|((title, text), section)| section_topics(section, title, text))
                .collect();
            add_front_topics(doc, catalog, &mut found);
            fit(&mut found);
            found
        })
        .collect();
    let documents_topics = documents
        .iter()
        .zip(&sections)
        .map(|(doc, secs)| rank_document_topics(doc, catalog, secs))
        .collect();
    let postings = postings(&sections, catalog.len());
    TopicIndex {
        sections,
        documents: documents_topics,
        postings,
        words,
    }
}

pub fn unknown_front_topics(
    doc: &Document,
    catalog: &Catalog,
    content_dir: &Path,
) -> Vec<Diagnostic> {
    doc.front_topics
        .iter()
        .filter(|t| catalog.get(&t.slug).is_none())
        .map(|t| {
            let hint = match closest_slug(&t.slug, catalog) {
                Some(s) => {
                    format!("did you mean `{s}`? Topics are the slugs of content/topics.toml")
                }
                None => "add the topic to content/topics.toml, or remove it from the front matter"
                    .to_string(),
            };
            Diagnostic::error(format!("front matter: unknown topic `{}`", t.slug))
                .at(content_dir.join(&doc.source))
                .line(t.line)
                .hint(hint)
        })
        .collect()
}

/// The catalog slug nearest to a misspelt one, when it is near enough.
fn closest_slug<'a>(wanted: &str, catalog: &'a Catalog) -> Option<&'a str> {
    catalog
        .topics
        .iter()
        .map(|t| (edit_distance(wanted, &t.slug), t.slug.as_str()))
        .filter(|(d, _)| *d <= 2.max(wanted.len() / 4))
        .min()
        .map(|(_, s)| s)
}

/// Levenshtein distance, in characters: how far a misspelt name is.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The languages the documents are written in, each once, in a fixed order.
pub fn languages(documents: &[Document]) -> Vec<Lang> {
    let mut langs: Vec<Lang> = documents.iter().map(|d| d.lang).collect();
    langs.sort_by_key(|l| *l as u8);
    langs.dedup();
    langs
}

/// One matcher per language in use: stemming differs between languages.
pub fn build_matchers(documents: &[Document], catalog: &Catalog) -> HashMap<Lang, Matcher> {
    languages(documents)
        .into_par_iter()
        .map(|lang| {
            let aliases = catalog
                .topics
                .iter()
                .enumerate()
                .flat_map(|(id, t)| t.aliases.iter().map(move |a| (id, a.as_str())));
            (lang, Matcher::new(aliases, lang))
        })
        .collect()
}

/// The topics of each section of `doc` (what `assign` finds, for one
/// document: `watch` calls it for a changed document).
pub fn document_topics(
    doc: &Document,
    catalog: &Catalog,
    matcher: &Matcher,
) -> Vec<Vec<SectionTopic>> {
    let mut out: Vec<Vec<SectionTopic>> = doc
        .sections
        .iter()
        .map(|s| {
            let title_hits = if s.title_in_text {
                matcher.find(&s.title)
            } else {
                Vec::new()
            };
            section_topics(s, title_hits, matcher.find(&s.text))
        })
        .collect();
    add_front_topics(doc, catalog, &mut out);
    fit(&mut out);
    out
}

/// Frees the room left in each section's list: most sections carry one or
/// two topics and a list grows by four (32 bytes each), kept until the end
/// of the build (50 MB at 100,000 documents).
fn fit(sections: &mut [Vec<SectionTopic>]) {
    for topics in sections {
        topics.shrink_to_fit();
    }
}

/// A section's topics in order of first mention, from the hits of its title
/// and of its text.
fn section_topics(
    section: &Section,
    title_hits: Vec<Hit>,
    text_hits: Vec<Hit>,
) -> Vec<SectionTopic> {
    let mut found: Vec<SectionTopic> = Vec::new();
    let titled = title_hits.into_iter().map(|h| (h, true));
    for (hit, in_title) in titled.chain(text_hits.iter().map(|&h| (h, false))) {
        if !found.iter().any(|f| f.topic == hit.topic) {
            found.push(SectionTopic {
                topic: hit.topic,
                mention: Some(Mention {
                    in_title,
                    start: hit.start,
                    end: hit.end,
                }),
                linkable: LinkableMention::NONE,
            });
        }
    }
    linkable::note_first_linkable(section, &text_hits, &mut found);
    found
}

/// The front-matter topics belong to the document's first section too.
fn add_front_topics(doc: &Document, catalog: &Catalog, sections: &mut [Vec<SectionTopic>]) {
    if let Some(first) = sections.first_mut() {
        for t in &doc.front_topics {
            if let Some(id) = catalog.get(&t.slug)
                && !first.iter().any(|f| f.topic == id)
            {
                first.push(SectionTopic {
                    topic: id,
                    mention: None,
                    linkable: LinkableMention::NONE,
                });
            }
        }
    }
}

pub fn rank_document_topics(
    doc: &Document,
    catalog: &Catalog,
    sections: &[Vec<SectionTopic>],
) -> Vec<TopicId> {
    let mut ranked: Vec<TopicId> = Vec::new();
    for t in &doc.front_topics {
        if let Some(id) = catalog.get(&t.slug)
            && !ranked.contains(&id)
        {
            ranked.push(id);
        }
    }
    // (count, first position) per matched topic, then most frequent first.
    let mut counts: Vec<(TopicId, usize, usize)> = Vec::new();
    for (pos, st) in sections.iter().flatten().enumerate() {
        match counts.iter_mut().find(|c| c.0 == st.topic) {
            Some(c) => c.1 += 1,
            None => counts.push((st.topic, 1, pos)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    for (id, _, _) in counts {
        if !ranked.contains(&id) {
            ranked.push(id);
        }
    }
    ranked
}

pub fn postings(sections: &[Vec<Vec<SectionTopic>>], topic_count: usize) -> Vec<Vec<SectionRef>> {
    let mut postings = vec![Vec::new(); topic_count];
    for (doc, secs) in sections.iter().enumerate() {
        for (section, topics) in secs.iter().enumerate() {
            for t in topics {
                postings[t.topic].push(SectionRef { doc, section });
            }
        }
    }
    postings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("fomo", "fomo"), 0);
        assert_eq!(edit_distance("fomo", "fommo"), 1);
        assert_eq!(edit_distance("vie-privee", "vie-privée"), 1);
    }
}
