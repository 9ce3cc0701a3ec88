//! Carrying related sections over from the previous model, for the fast
//! path. A related list depends on the TF-IDF weights of every section of
//! the site, so computing one exactly means weighing the whole site again:
//! that is the reconciliation's job. Until it ends, a document keeps the
//! lists it had: documents are renumbered (some came or went), the sections
//! of a changed document are found again by their id (a section whose
//! heading changed starts with an empty list), and links to sections that
//! no longer exist are dropped.

use std::collections::HashMap;

use crate::link::Related;
use crate::model::{Document, SectionRef};

/// Old document and section numbers → new ones.
pub(super) struct Renumber {
    /// `docs[old]`: the document's new index, `None` when it is gone.
    docs: Vec<Option<usize>>,
    /// For each changed document, by old index: `sections[old section]`, its
    /// new index (same id), if any.
    sections: HashMap<usize, Vec<Option<usize>>>,
}

impl Renumber {
    /// From each new document's old index (`olds`), the number of old
    /// documents, the new documents and, for changed ones, what they were.
    pub fn new<'a>(
        olds: &[Option<usize>],
        old_count: usize,
        documents: &[Document],
        before: impl Fn(usize) -> Option<&'a Document>,
    ) -> Renumber {
        let mut docs = vec![None; old_count];
        let mut sections = HashMap::new();
        for (new, old) in olds.iter().enumerate() {
            let Some(old) = *old else { continue };
            docs[old] = Some(new);
            if let Some(was) = before(new) {
                let ids: HashMap<&str, usize> = documents[new]
                    .sections
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.id.as_str(), i))
                    .collect();
                let map = was
                    .sections
                    .iter()
                    .map(|s| ids.get(s.id.as_str()).copied())
                    .collect();
                sections.insert(old, map);
            }
        }
        Renumber { docs, sections }
    }

    /// The new index of old document `old`.
    pub fn doc(&self, old: usize) -> Option<usize> {
        self.docs.get(old).copied().flatten()
    }

    /// The new place of an old section.
    pub fn section(&self, r: SectionRef) -> Option<SectionRef> {
        let doc = self.doc(r.doc)?;
        let section = match self.sections.get(&r.doc) {
            Some(map) => map.get(r.section).copied().flatten()?,
            None => r.section,
        };
        Some(SectionRef { doc, section })
    }

    /// The old section of a changed document that a new section (by id) was.
    fn old_section(&self, old_doc: usize, new_section: usize) -> Option<usize> {
        self.sections
            .get(&old_doc)?
            .iter()
            .position(|s| *s == Some(new_section))
    }
}

/// `related[doc][section]` of the new model, from the old lists.
pub(super) fn remap_related(
    old: Vec<Vec<Vec<Related>>>,
    olds: &[Option<usize>],
    fresh: &[bool],
    documents: &[Document],
    renumber: &Renumber,
) -> Vec<Vec<Vec<Related>>> {
    let mut old: Vec<Option<Vec<Vec<Related>>>> = old.into_iter().map(Some).collect();
    // In place: the lists keep their allocations.
    let relink = |mut list: Vec<Related>| -> Vec<Related> {
        list.retain_mut(|r| match renumber.section(r.target()) {
            Some(t) => {
                r.set_target(t);
                true
            }
            None => false,
        });
        list
    };
    documents
        .iter()
        .enumerate()
        .map(|(d, doc)| {
            let Some(mut lists) = olds[d].and_then(|o| old.get_mut(o).and_then(Option::take))
            else {
                return vec![Vec::new(); doc.sections.len()];
            };
            if !fresh[d] {
                return lists.into_iter().map(relink).collect();
            }
            let o = olds[d].unwrap_or_default();
            (0..doc.sections.len())
                .map(|s| match renumber.old_section(o, s) {
                    Some(os) if os < lists.len() => {
                        let mut list = relink(std::mem::take(&mut lists[os]));
                        // The words a link gives as its reason may no longer
                        // be in the linking section, which has changed: they
                        // are dropped until the reconciliation finds them again.
                        for r in &mut list {
                            r.clear_words();
                        }
                        list
                    }
                    _ => Vec::new(),
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Section;

    fn doc(ids: &[&str]) -> Document {
        let sections = ids.iter().map(|id| Section::for_tests(id, "", "texte"));
        Document::for_tests("x.md", sections.collect())
    }

    fn rel(doc: usize, section: usize) -> Related {
        Related::new(SectionRef { doc, section }, 0.5)
    }

    #[test]
    fn lists_follow_their_documents_and_sections() {
        // Old: [a (s1, s2), b (t), c (u)]. New: b changed (t dropped, v
        // added), a kept, c removed, a new document d inserted first.
        let before_b = doc(&["t"]);
        let documents = vec![doc(&["n"]), doc(&["s1", "s2"]), doc(&["v", "t2"])];
        let olds = vec![None, Some(0), Some(1)];
        let fresh = vec![true, false, true];
        let renumber = Renumber::new(&olds, 3, &documents, |d| (d == 2).then_some(&before_b));
        let old = vec![
            vec![vec![rel(1, 0), rel(2, 0)], vec![rel(0, 0)]],
            vec![vec![rel(0, 1)]],
            vec![vec![rel(0, 0)]],
        ];
        let new = remap_related(old, &olds, &fresh, &documents, &renumber);
        assert_eq!(new[0], vec![Vec::new()], "a new document starts empty");
        assert_eq!(
            new[1],
            vec![Vec::new(), vec![rel(1, 0)]],
            "links to a removed document and to a section gone are dropped, others renumbered"
        );
        assert_eq!(
            new[2],
            vec![Vec::new(), Vec::new()],
            "no section kept its id"
        );
    }

    #[test]
    fn a_changed_section_keeps_its_list_by_id() {
        let before = doc(&["a", "b"]);
        let documents = vec![doc(&["b", "c"])];
        let renumber = Renumber::new(&[Some(0)], 1, &documents, |_| Some(&before));
        let old = vec![vec![vec![rel(0, 1)], vec![rel(0, 0)]]];
        let new = remap_related(old, &[Some(0)], &[true], &documents, &renumber);
        // Section b (old 1, new 0) kept its list; its link to old a (gone) dropped.
        assert_eq!(new[0], vec![Vec::new(), Vec::new()]);
        let old = vec![vec![vec![rel(0, 1)], vec![rel(0, 1)]]];
        let renumber = Renumber::new(&[Some(0)], 1, &documents, |_| Some(&before));
        let new = remap_related(old, &[Some(0)], &[true], &documents, &renumber);
        assert_eq!(new[0], vec![vec![rel(0, 0)], Vec::new()]);
    }
}
