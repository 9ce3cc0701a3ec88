//! How the site writes each word of its lexicon (`words::Lexicon::surface`):
//! lower-cased, as at the word's first occurrence in site order (documents
//! in order, each section's title then text). The reason words of related
//! links are written with it, so the link stage never cuts a section's text
//! again. Taken once per distinct word while reading; `watch`'s edits can
//! leave a surface from a text that is gone or that no longer comes first,
//! so [`fix`] takes those again, and a `watch` session writes what a build
//! writes.

use rustc_hash::FxHashMap;

use super::normalize::for_each_folded;
use super::words::{SiteWords, WordId};
use crate::model::Document;

/// Per word: its surface (`text[end[id - 1]..end[id]]`, empty when it is the
/// folded form itself, as most words are) and the hash of the document it
/// was taken from (`DocWords::check`), to tell which to take again.
#[derive(Debug, Clone, Default)]
pub(super) struct Surfaces {
    text: String,
    end: Vec<u32>,
    from: Vec<u64>,
    /// Set when a document was read again in place (`SiteWords::update`):
    /// a surface may come from a text that is gone.
    pub stale: bool,
}

impl Surfaces {
    /// Adds the surface of the next word.
    pub fn push(&mut self, surface: &str, folded: &str, from: u64) {
        if surface != folded {
            self.text.push_str(surface);
        }
        self.end.push(self.text.len() as u32);
        self.from.push(from);
    }

    /// The surface of word `id`, `None` when it is its folded form.
    pub fn get(&self, id: WordId) -> Option<&str> {
        let i = id as usize;
        let end = *self.end.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.end[i - 1] as usize };
        self.text.get(start..end).filter(|s| !s.is_empty())
    }
}

/// Takes again the surfaces of the words whose first document in site
/// order is no longer the one they were taken from (edited, gone, or now
/// after another one that has them): a pass over the word ids, then a
/// reading of just those documents.
pub(super) fn fix(words: &mut SiteWords, documents: &[Document]) {
    let SiteWords { lexicon, docs } = words;
    let n = lexicon.len();
    let mut first = vec![u32::MAX; n];
    for (d, w) in docs.iter().enumerate() {
        for id in w.all() {
            if let Some(f) = first.get_mut(id as usize)
                && *f == u32::MAX
            {
                *f = d as u32;
            }
        }
    }
    let surfaces = &mut lexicon.surfaces;
    surfaces.stale = false;
    let mut again: Vec<u32> = (0..n)
        .filter(|&id| {
            let d = first[id];
            d != u32::MAX && docs[d as usize].check() != surfaces.from[id]
        })
        .map(|id| first[id])
        .collect();
    if again.is_empty() {
        return;
    }
    again.sort_unstable();
    again.dedup();
    // The new surfaces of the words first met in those documents.
    let mut new: FxHashMap<WordId, String> = FxHashMap::default();
    for &d in &again {
        let Some(doc) = documents.get(d as usize) else {
            continue;
        };
        let lang = doc.lang;
        for section in &doc.sections {
            for text in [&section.title, &section.text] {
                for_each_folded(text, lang, |folded, start, end| {
                    if let Some(id) = lexicon.id(lang, folded)
                        && first[id as usize] == d
                    {
                        new.entry(id)
                            .or_insert_with(|| text[start..end].to_lowercase());
                    }
                });
            }
        }
    }
    let old = std::mem::take(&mut lexicon.surfaces);
    let mut fixed = Surfaces::default();
    for id in 0..n as WordId {
        let folded = lexicon.folded(id);
        match new.get(&id) {
            Some(s) => fixed.push(s, folded, docs[first[id as usize] as usize].check()),
            None => fixed.push(old.get(id).unwrap_or(folded), folded, old.from[id as usize]),
        }
    }
    lexicon.surfaces = fixed;
}

#[cfg(test)]
mod tests {
    use crate::model::{Document, Section};
    use crate::topics::words::{SiteWords, WordId};

    fn doc(sections: &[(&str, &str)]) -> Document {
        let sections = sections
            .iter()
            .map(|(title, text)| Section::for_tests("s", title, text));
        Document::for_tests("a.md", sections.collect())
    }

    fn surface_of(w: &SiteWords, folded: &str) -> String {
        let id = (0..w.lexicon.len() as WordId)
            .find(|&i| w.lexicon.folded(i) == folded)
            .unwrap();
        w.lexicon.surface(id).to_owned()
    }

    /// A word's surface is that of its first occurrence in site order,
    /// after edits in place or moves as after a reading from scratch.
    #[test]
    fn surfaces_follow_the_first_occurrence_in_site_order() {
        let mut docs = vec![
            doc(&[("", "Les RÉSEAUX sociaux")]),
            doc(&[("Réseaux", "des réseaux, un Chat")]),
        ];
        let mut w = SiteWords::read(&docs);
        assert_eq!(surface_of(&w, "reseaux"), "réseaux");
        assert_eq!(surface_of(&w, "chat"), "chat");
        assert_eq!(surface_of(&w, "les"), "les");
        // Edited in place: the first document no longer has the word.
        docs[0] = doc(&[("", "Les Reseaux")]);
        w.update(0, &docs[0]);
        w.refresh(&docs);
        assert_eq!(surface_of(&w, "reseaux"), "reseaux");
        docs[0] = doc(&[("", "Les chats")]);
        w.update(0, &docs[0]);
        w.refresh(&docs);
        assert_eq!(
            surface_of(&w, "reseaux"),
            "réseaux",
            "the title of the second"
        );
        // Moved: the other document comes first.
        docs[0] = doc(&[("", "CHAT")]);
        docs.swap(0, 1);
        w.refresh(&docs);
        let fresh = SiteWords::read(&docs);
        for folded in ["reseaux", "chat"] {
            assert_eq!(
                surface_of(&w, folded),
                surface_of(&fresh, folded),
                "{folded}"
            );
        }
        assert_eq!(surface_of(&w, "chat"), "chat");
    }
}
