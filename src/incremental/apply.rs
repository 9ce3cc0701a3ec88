//! The fast path: applying read edits to the model. Edits of documents in
//! place go to `in_place`; otherwise (documents created, removed, turned
//! into drafts) documents are merged in site order; the changed ones get their topics and inline links; slugs,
//! postings, explicit links, backlinks and topic relations are recomputed
//! for the whole site (cheap); related sections are carried over (`remap`).
//! Says which pages to write first (the changed documents'), which next
//! (those that obviously change with them) and which files are gone.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::mem;
use std::path::{Path, PathBuf};

use super::Model;
use super::read::{Edit, SourceKey, path_order};
use super::remap::{Renumber, remap_related};
use crate::error::Diagnostic;
use crate::link::{ExplicitLink, InlineLink, LinkGraph, explicit, relations};
use crate::model::{Document, SectionTopic, TopicId};
use crate::render::PageRef;
use crate::render::urls::Urls;
use crate::structure;
use crate::topics::{self, TopicIndex};

/// What the fast path must write.
#[derive(Debug, Default)]
pub(super) struct Fast {
    /// The pages of the changed documents.
    pub first: Vec<PageRef>,
    /// The pages that change with them.
    pub then: Vec<PageRef>,
    /// Output files no page makes any more (deleted documents, moved slugs).
    pub gone: Vec<String>,
    /// Some page may be written at a new path (a document created, or a
    /// slug moved): the manifest must list it.
    pub new_paths: bool,
    pub warnings: Vec<Diagnostic>,
}

/// What a changed or removed document was before.
struct Before {
    doc: Document,
    sections: Vec<Vec<SectionTopic>>,
    doc_topics: Vec<TopicId>,
}

/// A document of the new model, on its way in.
struct Slot {
    doc: Document,
    base: String,
    sections: Vec<Vec<SectionTopic>>,
    doc_topics: Vec<TopicId>,
    inline: Vec<Vec<InlineLink>>,
    /// Its index in the old model, if it was there.
    old: Option<usize>,
    /// Created or changed by the edits.
    fresh: bool,
    /// For a changed document: what it was.
    before: Option<Before>,
    warnings: Vec<Diagnostic>,
}

impl Model {
    /// Applies `edits` (already read and checked) to the model.
    pub(super) fn apply(&mut self, edits: BTreeMap<SourceKey, Edit>, content_dir: &Path) -> Fast {
        for (key, edit) in &edits {
            match edit {
                Edit::Upsert { hash, .. } => {
                    self.sources.insert(key.clone(), *hash);
                }
                Edit::Remove => {
                    self.sources.remove(key);
                }
            }
        }
        // Documents edited where they are: the cheaper path.
        let at: Vec<Option<usize>> = edits
            .iter()
            .map(|(key, edit)| match edit {
                Edit::Upsert { doc: Some(_), .. } => self.index_of(&key.0),
                _ => None,
            })
            .collect();
        if at.iter().all(Option::is_some) {
            let in_place = edits
                .into_values()
                .zip(at.into_iter().flatten())
                .filter_map(|(edit, d)| match edit {
                    Edit::Upsert { doc: Some(doc), .. } => {
                        let (doc, warnings) = *doc;
                        Some((d, doc, warnings))
                    }
                    _ => None,
                })
                .collect();
            return self.apply_in_place(in_place, content_dir);
        }
        let old_slugs: Vec<String> = self.site.documents.iter().map(|d| d.slug.clone()).collect();
        let mut old_links = mem::take(&mut self.site.links);
        let old_related = mem::take(&mut self.site.related);
        // Kept for the unchanged documents; `link::link` reads the others.
        let words = mem::take(&mut self.site.topics.words);
        let (mut slots, removed) = self.merge(edits);

        // Topics and inline links of the changed documents.
        for s in slots.iter_mut().filter(|s| s.fresh) {
            (s.sections, s.doc_topics, s.inline) = self.find_topics(&s.doc);
        }

        // Slugs depend on every document before: all of them again.
        let slugs = structure::unique_slugs(slots.iter().map(|s| s.base.as_str()));
        let mut warnings = Vec::new();
        for (s, slug) in slots.iter_mut().zip(slugs) {
            if s.fresh {
                if slug != s.base {
                    let path = content_dir.join(&s.doc.source);
                    warnings.push(structure::slug_warning(&s.base, &slug, &path));
                }
                warnings.append(&mut s.warnings);
            }
            s.doc.slug = slug;
        }

        let n = slots.len();
        let mut documents = Vec::with_capacity(n);
        let mut sections = Vec::with_capacity(n);
        let mut doc_topics = Vec::with_capacity(n);
        let mut inline_links = Vec::with_capacity(n);
        let mut bases = Vec::with_capacity(n);
        let mut fresh = Vec::with_capacity(n);
        let mut olds = Vec::with_capacity(n);
        let mut befores: Vec<Option<Before>> = Vec::with_capacity(n);
        for s in slots {
            fresh.push(s.fresh);
            olds.push(s.old);
            befores.push(s.before);
            documents.push(s.doc);
            sections.push(s.sections);
            doc_topics.push(s.doc_topics);
            inline_links.push(s.inline);
            bases.push(s.base);
        }
        let renumber = Renumber::new(&olds, old_slugs.len(), &documents, |d| {
            befores[d].as_ref().map(|b| &b.doc)
        });
        let postings = topics::postings(&sections, self.site.catalog.len());
        self.site.related = remap_related(old_related, &olds, &fresh, &documents, &renumber);
        self.site.topics = TopicIndex {
            sections,
            documents: doc_topics,
            postings,
            words,
        };
        self.site.documents = documents;
        let site = &mut *self.site;
        site.topics.words.refresh(&site.documents);
        self.site.inline = inline_links;
        self.bases = bases;
        // Explicit links: the kept documents' are renumbered; resolved again
        // are the changed documents', and those that may now resolve
        // otherwise: links to a document that changed or went, and links to
        // a file that was missing (it may just have been created).
        let documents = &self.site.documents;
        let mut links: Vec<Vec<Vec<ExplicitLink>>> = Vec::with_capacity(n);
        let mut redo: Vec<usize> = Vec::new();
        for (d, doc) in documents.iter().enumerate() {
            let kept = match olds[d] {
                Some(o) if !fresh[d] => old_links.links.get_mut(o).map(mem::take),
                _ => None,
            };
            let Some(mut kept) = kept else {
                links.push(Vec::new());
                redo.push(d);
                continue;
            };
            let mut again = false;
            for link in kept.iter_mut().flatten() {
                match renumber.doc(link.doc) {
                    Some(t) if !fresh[t] => link.doc = t,
                    _ => again = true,
                }
            }
            let resolved: usize = kept.iter().map(Vec::len).sum();
            let written: usize = doc.sections.iter().map(|s| s.links.len()).sum();
            if again || resolved < written {
                redo.push(d);
            }
            links.push(kept);
        }
        let by_source = explicit::sources(documents);
        let mut diagnostics = Vec::new();
        for &d in &redo {
            links[d] =
                explicit::resolve_document(documents, &by_source, d, content_dir, &mut diagnostics);
        }
        let backlinks = explicit::backlinks(documents, &links);
        // The warnings of the documents resolved again (or gone) are replaced.
        let stale: HashSet<PathBuf> = redo
            .iter()
            .map(|&d| content_dir.join(&documents[d].source))
            .chain(removed.iter().map(|(_, b)| content_dir.join(&b.doc.source)))
            .collect();
        let reported = mem::take(&mut self.link_warnings);
        let fresh_paths: HashSet<PathBuf> = documents
            .iter()
            .zip(&fresh)
            .filter(|(_, f)| **f)
            .map(|(d, _)| content_dir.join(&d.source))
            .collect();
        for w in &diagnostics {
            let in_fresh = w.path.as_ref().is_some_and(|p| fresh_paths.contains(p));
            if in_fresh || !reported.contains(w) {
                warnings.push(w.clone());
            }
        }
        self.link_warnings = reported
            .into_iter()
            .filter(|w| !w.path.as_ref().is_some_and(|p| stale.contains(p)))
            .chain(diagnostics)
            .collect();
        self.site.links = LinkGraph {
            links,
            backlinks,
            diagnostics: Vec::new(),
        };
        let relations = relations::topic_relations(&self.site.topics, &self.site.catalog);
        let old_relations = mem::replace(&mut self.site.topic_relations, relations);
        self.exact = false;

        // What to write.
        let site = &self.site;
        let mut fast = Fast {
            warnings,
            new_paths: true,
            ..Fast::default()
        };
        let slugs: HashSet<&str> = site.documents.iter().map(|d| d.slug.as_str()).collect();
        let mut then: BTreeSet<PageRef> = BTreeSet::new();
        let mut touched: BTreeSet<TopicId> = BTreeSet::new();
        let mut home = !removed.is_empty();
        let gone = |slug: &str, fast: &mut Fast| {
            if !slugs.contains(slug) {
                fast.gone.push(Urls::file_of_folder(slug));
            }
        };
        for (o, before) in &removed {
            gone(&before.doc.slug, &mut fast);
            touched.extend(before.doc_topics.iter().copied());
            // The pages citing it, and those it cited.
            let cited = old_links.links[*o].iter().flatten().map(|l| l.doc);
            let citing = old_links.backlinks[*o].iter().flatten().map(|r| r.doc);
            then.extend(
                cited
                    .chain(citing)
                    .filter_map(|d| renumber.doc(d))
                    .map(PageRef::Document),
            );
        }
        for (d, doc) in site.documents.iter().enumerate() {
            if let Some(o) = olds[d]
                && old_slugs[o] != doc.slug
            {
                gone(&old_slugs[o], &mut fast);
                then.insert(PageRef::Document(d));
                home = true;
            }
            if !fresh[d] {
                continue;
            }
            fast.first.push(PageRef::Document(d));
            match (olds[d], &befores[d]) {
                (Some(o), Some(b)) => {
                    home |= b.doc.title != doc.title
                        || b.doc.description != doc.description
                        || b.doc.date != doc.date
                        || b.doc.weight != doc.weight
                        || b.doc.sections.len() != doc.sections.len()
                        || b.doc_topics != site.topics.documents[d];
                    // Topic pages show the sections' titles, anchors and text.
                    touched.extend(b.sections.iter().flatten().map(|t| t.topic));
                    let cited = old_links.links[o].iter().flatten().map(|l| l.doc);
                    let citing = old_links.backlinks[o].iter().flatten().map(|r| r.doc);
                    then.extend(
                        cited
                            .chain(citing)
                            .filter_map(|d| renumber.doc(d))
                            .map(PageRef::Document),
                    );
                }
                _ => home = true,
            }
            touched.extend(site.topics.sections[d].iter().flatten().map(|t| t.topic));
            let cited = site.links.links[d].iter().flatten().map(|l| l.doc);
            let citing = site.links.backlinks[d].iter().flatten().map(|r| r.doc);
            then.extend(cited.chain(citing).map(PageRef::Document));
        }
        if home {
            then.insert(PageRef::Index);
        }
        // A topic's relations weigh the sizes of other topics too.
        let relations = &site.topic_relations;
        touched.extend((0..relations.len()).filter(|&t| old_relations.get(t) != relations.get(t)));
        if !touched.is_empty() {
            then.insert(PageRef::TopicsIndex);
        }
        then.extend(touched.into_iter().map(PageRef::Topic));
        for r in &fast.first {
            then.remove(r);
        }
        fast.then = then.into_iter().collect();
        fast
    }

    /// The index of the document read from `rel` (documents are in site
    /// order).
    fn index_of(&self, rel: &str) -> Option<usize> {
        self.site
            .documents
            .binary_search_by(|d| path_order(&d.source, rel))
            .ok()
    }

    /// Merges the current documents with the edits, in site order. Returns
    /// the slots, and the documents removed with their old index.
    fn merge(&mut self, edits: BTreeMap<SourceKey, Edit>) -> (Vec<Slot>, Vec<(usize, Before)>) {
        let docs = mem::take(&mut self.site.documents);
        let old_topics = mem::take(&mut self.site.topics);
        let old_inline = mem::take(&mut self.site.inline);
        let old_bases = mem::take(&mut self.bases);
        let mut old = docs
            .into_iter()
            .zip(old_topics.sections)
            .zip(old_topics.documents)
            .zip(old_inline)
            .zip(old_bases)
            .enumerate()
            .peekable();
        let mut edits = edits.into_iter().peekable();
        let mut slots = Vec::with_capacity(old.len() + edits.len());
        let mut removed = Vec::new();
        let fresh_slot = |doc: Box<(Document, Vec<Diagnostic>)>, old: Option<usize>, before| {
            let (doc, warnings) = *doc;
            Slot {
                base: structure::base_slug(&doc),
                doc,
                sections: Vec::new(),
                doc_topics: Vec::new(),
                inline: Vec::new(),
                old,
                fresh: true,
                before,
                warnings,
            }
        };
        loop {
            let order = match (old.peek(), edits.peek()) {
                (Some((_, ((((d, _), _), _), _))), Some((k, _))) => path_order(&d.source, &k.0),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => break,
            };
            match order {
                Ordering::Less => {
                    if let Some((i, ((((doc, sections), doc_topics), inline), base))) = old.next() {
                        slots.push(Slot {
                            doc,
                            base,
                            sections,
                            doc_topics,
                            inline,
                            old: Some(i),
                            fresh: false,
                            before: None,
                            warnings: Vec::new(),
                        });
                    }
                }
                Ordering::Equal => {
                    let (Some((i, ((((doc, sections), doc_topics), _), _))), Some((_, edit))) =
                        (old.next(), edits.next())
                    else {
                        break;
                    };
                    let before = Before {
                        doc,
                        sections,
                        doc_topics,
                    };
                    match edit {
                        Edit::Upsert { doc: Some(doc), .. } => {
                            slots.push(fresh_slot(doc, Some(i), Some(before)))
                        }
                        // Deleted, or now a draft.
                        _ => removed.push((i, before)),
                    }
                }
                Ordering::Greater => {
                    if let Some((_, Edit::Upsert { doc: Some(doc), .. })) = edits.next() {
                        slots.push(fresh_slot(doc, None, None));
                    }
                }
            }
        }
        (slots, removed)
    }
}
