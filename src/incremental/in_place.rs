//! The fast path of the commonest change: documents edited where they are
//! (none created, removed or turned into a draft). Nothing is renumbered:
//! each changed document is replaced at its index, and every site-wide
//! structure is patched rather than rebuilt, so the cost follows the edit,
//! not the site:
//!
//! - slugs are assigned again only if a changed document wants another one;
//! - explicit links are resolved again for the changed documents only,
//!   unless a changed document's slug or anchors moved (then for all, since
//!   links to it may now resolve differently); backlinks follow;
//! - related lists are carried over by section id (see `remap`);
//! - a topic page is rendered again only when what it shows of a changed
//!   document (section titles, anchors, excerpts) or its relations changed;
//!   the home page only when a document's card did.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::mem;
use std::path::Path;

use super::Model;
use super::apply::Fast;
use crate::error::Diagnostic;
use crate::link::{ExplicitLink, explicit, relations};
use crate::model::{Document, SectionRef, SectionTopic, TopicId};
use crate::render::PageRef;
use crate::render::excerpt::excerpt_html;
use crate::render::urls::Urls;
use crate::structure;
use crate::topics;

/// A changed document as it was.
struct Was {
    doc: Document,
    sections: Vec<Vec<SectionTopic>>,
    doc_topics: Vec<TopicId>,
    base: String,
}

impl Model {
    /// Applies edits of documents already in the model: `(index, new
    /// document, its warnings)`.
    pub(super) fn apply_in_place(
        &mut self,
        edits: Vec<(usize, Document, Vec<Diagnostic>)>,
        content_dir: &Path,
    ) -> Fast {
        let mut warnings = Vec::new();
        let mut changed: Vec<(usize, Was)> = Vec::new();
        for (d, doc, w) in edits {
            warnings.extend(w);
            let (sections, doc_topics, inline) = self.find_topics(&doc);
            let base = structure::base_slug(&doc);
            let was = Was {
                doc: mem::replace(&mut self.site.documents[d], doc),
                sections: mem::replace(&mut self.site.topics.sections[d], sections),
                doc_topics: mem::replace(&mut self.site.topics.documents[d], doc_topics),
                base: mem::replace(&mut self.bases[d], base),
            };
            self.site.inline[d] = inline;
            let site = &mut *self.site;
            site.topics.words.update(d, &site.documents[d]);
            changed.push((d, was));
        }

        // Slugs: all again only if a changed document wants another one.
        let mut moved: Vec<(usize, String)> = Vec::new();
        if changed.iter().any(|(d, w)| self.bases[*d] != w.base) {
            let slugs = structure::unique_slugs(self.bases.iter().map(String::as_str));
            for (d, slug) in slugs.into_iter().enumerate() {
                let doc = &mut self.site.documents[d];
                let before = match changed.iter().find(|(c, _)| *c == d) {
                    Some((_, w)) => w.doc.slug.clone(),
                    None => doc.slug.clone(),
                };
                if before != slug {
                    moved.push((d, before));
                }
                doc.slug = slug;
            }
        } else {
            for (d, w) in &changed {
                self.site.documents[*d].slug = w.doc.slug.clone();
            }
        }
        for (d, _) in &changed {
            let doc = &self.site.documents[*d];
            if doc.slug != self.bases[*d] {
                let path = content_dir.join(&doc.source);
                warnings.push(structure::slug_warning(&self.bases[*d], &doc.slug, &path));
            }
        }

        // Related lists: by section id within a changed document; links of
        // other lists into it follow its sections.
        let mut maps: HashMap<usize, Vec<Option<usize>>> = HashMap::new();
        let site = &mut *self.site;
        for (d, w) in &changed {
            let doc = &site.documents[*d];
            let ids: HashMap<&str, usize> = doc
                .sections
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.as_str(), i))
                .collect();
            let map: Vec<Option<usize>> = w
                .doc
                .sections
                .iter()
                .map(|s| ids.get(s.id.as_str()).copied())
                .collect();
            let mut old = mem::take(&mut site.related[*d]);
            let mut lists = vec![Vec::new(); doc.sections.len()];
            for (os, ns) in map.iter().enumerate() {
                if let (Some(ns), Some(list)) = (ns, old.get_mut(os)) {
                    lists[*ns] = mem::take(list);
                }
            }
            site.related[*d] = lists;
            let same = map.len() == doc.sections.len()
                && map.iter().enumerate().all(|(i, m)| *m == Some(i));
            if !same {
                maps.insert(*d, map);
            }
        }
        if !maps.is_empty() {
            for list in self.site.related.iter_mut().flatten() {
                list.retain_mut(|r| match maps.get(&r.target().doc) {
                    Some(map) => match map.get(r.target().section).copied().flatten() {
                        Some(s) => {
                            r.set_target(SectionRef {
                                section: s,
                                ..r.target()
                            });
                            true
                        }
                        None => false,
                    },
                    None => true,
                });
            }
        }

        let catalog_len = self.site.catalog.len();
        let postings = topics::postings(&self.site.topics.sections, catalog_len);
        let old_postings = mem::replace(&mut self.site.topics.postings, postings);

        // Explicit links and backlinks.
        let renamed = !moved.is_empty() || !maps.is_empty();
        let old_links = mem::take(&mut self.site.links);
        let old_backlinks = old_links.backlinks;
        let documents = &self.site.documents;
        // The links before: all of them when all are resolved again, else
        // only the changed documents' (the others' stay as they are).
        let mut old_changed: Vec<(usize, Vec<Vec<ExplicitLink>>)> = Vec::new();
        let mut old_all: Vec<Vec<Vec<ExplicitLink>>> = Vec::new();
        let links = if renamed {
            old_all = old_links.links;
            let mut graph = explicit::resolve(documents, content_dir);
            let diagnostics = mem::take(&mut graph.diagnostics);
            for w in &diagnostics {
                if !self.link_warnings.contains(w) || in_any(w, &changed, content_dir) {
                    warnings.push(w.clone());
                }
            }
            self.link_warnings = diagnostics;
            graph.links
        } else {
            let by_source = explicit::sources(documents);
            let mut links = old_links.links;
            let mut diagnostics = Vec::new();
            for (d, _) in &changed {
                let new = explicit::resolve_document(
                    documents,
                    &by_source,
                    *d,
                    content_dir,
                    &mut diagnostics,
                );
                old_changed.push((*d, mem::replace(&mut links[*d], new)));
            }
            self.link_warnings
                .retain(|w| !in_any(w, &changed, content_dir));
            self.link_warnings.extend(diagnostics.iter().cloned());
            warnings.extend(diagnostics);
            links
        };
        let backlinks = explicit::backlinks(documents, &links);
        let old_of = |d: usize| -> &Vec<Vec<ExplicitLink>> {
            match old_changed.iter().find(|(c, _)| *c == d) {
                Some((_, l)) => l,
                None => old_all.get(d).unwrap_or(&links[d]),
            }
        };

        // Pages to write: the changed documents' first.
        let mut fast = Fast {
            first: changed.iter().map(|(d, _)| PageRef::Document(*d)).collect(),
            new_paths: !moved.is_empty(),
            warnings,
            ..Fast::default()
        };
        let mut then: BTreeSet<PageRef> = BTreeSet::new();
        for d in 0..documents.len() {
            if links[d] != *old_of(d) || backlinks[d] != old_backlinks[d] {
                then.insert(PageRef::Document(d));
            }
        }
        // Links to a changed document show its name and its sections'.
        let names_changed: HashSet<usize> = changed
            .iter()
            .filter(|(d, w)| !same_names(&w.doc, &documents[*d]))
            .map(|(d, _)| *d)
            .chain(moved.iter().map(|(d, _)| *d))
            .collect();
        if !names_changed.is_empty() {
            let cites = |l: &explicit::ExplicitLink| names_changed.contains(&l.doc);
            for (d, new) in links.iter().enumerate() {
                if new.iter().flatten().any(cites) || old_of(d).iter().flatten().any(cites) {
                    then.insert(PageRef::Document(d));
                }
            }
            for &d in &names_changed {
                let citing = backlinks[d].iter().chain(&old_backlinks[d]).flatten();
                then.extend(citing.map(|r| PageRef::Document(r.doc)));
            }
        }
        let slugs: HashSet<&str> = documents.iter().map(|d| d.slug.as_str()).collect();
        for (d, old) in &moved {
            then.insert(PageRef::Document(*d));
            if !slugs.contains(old.as_str()) {
                fast.gone.push(Urls::file_of_folder(old));
            }
        }

        let mut touched: BTreeSet<TopicId> = BTreeSet::new();
        let mut home = !moved.is_empty();
        for (d, w) in &changed {
            let doc = &documents[*d];
            let now = &self.site.topics;
            let before = hits(&w.doc, &w.sections);
            let after = hits(doc, &now.sections[*d]);
            if w.doc.slug != doc.slug || w.doc.title != doc.title {
                touched.extend(before.iter().chain(&after).map(|h| h.0));
            } else {
                let all: BTreeSet<TopicId> = before.iter().chain(&after).map(|h| h.0).collect();
                touched.extend(all.into_iter().filter(|t| {
                    let of =
                        |hs: &[Hit]| hs.iter().filter(|h| h.0 == *t).cloned().collect::<Vec<_>>();
                    of(&before) != of(&after)
                }));
            }
            home |= w.doc.title != doc.title
                || w.doc.description != doc.description
                || w.doc.date != doc.date
                || w.doc.weight != doc.weight
                || w.doc.sections.len() != doc.sections.len()
                || w.doc_topics != now.documents[*d];
        }
        for (d, _) in &moved {
            touched.extend(
                self.site.topics.sections[*d]
                    .iter()
                    .flatten()
                    .map(|t| t.topic),
            );
        }
        let relations = relations::topic_relations(&self.site.topics, &self.site.catalog);
        let old_relations = mem::replace(&mut self.site.topic_relations, relations);
        let mut counts_changed = false;
        for t in 0..catalog_len {
            let members = old_postings.get(t) != self.site.topics.postings.get(t);
            let related = old_relations.get(t) != self.site.topic_relations.get(t);
            if members || related {
                touched.insert(t);
                counts_changed = true;
            }
        }
        if counts_changed {
            then.insert(PageRef::TopicsIndex);
        }
        if home {
            then.insert(PageRef::Index);
        }
        then.extend(touched.into_iter().map(PageRef::Topic));
        for r in &fast.first {
            then.remove(r);
        }
        fast.then = then.into_iter().collect();
        self.site.links.links = links;
        self.site.links.backlinks = backlinks;
        self.exact = false;
        fast
    }

    /// The topics of a document's sections, the document's ranked topics and
    /// its inline topic links, with the matcher of its language.
    pub(super) fn find_topics(&mut self, doc: &Document) -> Found {
        let catalog = &self.site.catalog;
        if !self.matchers.contains_key(&doc.lang) {
            let one = std::slice::from_ref(doc);
            self.matchers.extend(topics::build_matchers(one, catalog));
        }
        let matcher = self.matchers.get(&doc.lang);
        let sections = match matcher {
            Some(m) => topics::document_topics(doc, catalog, m),
            None => vec![Vec::new(); doc.sections.len()],
        };
        let doc_topics = topics::rank_document_topics(doc, catalog, &sections);
        let mode = self.site.config.inline_links;
        let inline = crate::link::inline::document_links(doc, &sections, matcher, mode);
        (sections, doc_topics, inline)
    }
}

/// A document's topics per section, its ranked topics, its inline links.
pub(super) type Found = (
    Vec<Vec<SectionTopic>>,
    Vec<TopicId>,
    Vec<Vec<crate::link::InlineLink>>,
);

/// What a topic page shows of one section: topic, section title, anchor,
/// excerpt.
type Hit = (TopicId, String, String, String);

fn hits(doc: &Document, sections: &[Vec<SectionTopic>]) -> Vec<Hit> {
    let mut out = Vec::new();
    for (sec, found) in doc.sections.iter().zip(sections) {
        for t in found {
            let excerpt = excerpt_html(&sec.text, t.mention.as_ref());
            out.push((t.topic, sec.title.clone(), sec.id.clone(), excerpt));
        }
    }
    out
}

/// Whether links to a document read the same: title, slug, sections' ids
/// and titles.
fn same_names(a: &Document, b: &Document) -> bool {
    a.title == b.title
        && a.slug == b.slug
        && a.sections.len() == b.sections.len()
        && a.sections
            .iter()
            .zip(&b.sections)
            .all(|(x, y)| x.id == y.id && x.title == y.title)
}

/// Whether a diagnostic names one of the changed documents.
fn in_any(w: &Diagnostic, changed: &[(usize, Was)], content_dir: &Path) -> bool {
    w.path.as_ref().is_some_and(|p| {
        changed
            .iter()
            .any(|(_, was)| *p == content_dir.join(&was.doc.source))
    })
}
