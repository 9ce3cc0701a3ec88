//! What a related link gives as its reason, kept once for the whole site
//! rather than in each link: the shared topics of every link in one pool,
//! and the words a link may give written out once each ([`Surfaces`]).
//! A link (`related::Related`) then holds only numbers, 32 bytes, and render
//! reads its words without the linking section's text.

use crate::model::TopicId;
use crate::topics::words::{Lexicon, WordId};

/// How the site writes the words that section vectors keep
/// (`Lexicon::surface`: lower-cased, as at the word's first occurrence in
/// the site), numbered in the order the vectors meet them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Surfaces {
    text: String,
    /// `text[end[i - 1]..end[i]]` is word `i`.
    end: Vec<u32>,
}

impl Surfaces {
    /// An empty table, to which [`Surfaces::number`] adds words.
    pub fn with_words(count: usize) -> Surfaces {
        Surfaces {
            text: String::with_capacity(count * 8),
            end: Vec::with_capacity(count),
        }
    }

    /// Adds the surface of word `id` of `lexicon`; returns its number here.
    pub fn push(&mut self, lexicon: &Lexicon, id: WordId) -> u32 {
        self.text.push_str(lexicon.surface(id));
        self.end.push(self.text.len() as u32);
        (self.end.len() - 1) as u32
    }

    /// Word `i`, if there is one.
    pub fn get(&self, i: u32) -> Option<&str> {
        let i = i as usize;
        let end = *self.end.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.end[i - 1] as usize };
        self.text.get(start..end)
    }

    pub fn len(&self) -> usize {
        self.end.len()
    }

    pub fn is_empty(&self) -> bool {
        self.end.is_empty()
    }
}

/// The reasons of the site's related links.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reasons {
    /// The shared topics of each link that has some, as a count followed by
    /// the topics: `topics[i]` is the count of the list starting at `i`.
    pub topics: Vec<u32>,
    /// The reason words.
    pub words: Surfaces,
}

impl Reasons {
    /// The topics of the list starting at `at` in `topics`.
    pub fn topics_at(&self, at: u32) -> impl ExactSizeIterator<Item = TopicId> + '_ {
        let at = at as usize;
        let count = self.topics.get(at).map_or(0, |&n| n as usize);
        let list = self.topics.get(at + 1..at + 1 + count).unwrap_or(&[]);
        list.iter().map(|&t| t as TopicId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surfaces_and_topic_lists_read_back() {
        let mut surfaces = Surfaces::default();
        surfaces.text.push_str("réseauxchat");
        surfaces.end.extend([8, 12]);
        assert_eq!(surfaces.get(0), Some("réseaux"));
        assert_eq!(surfaces.get(1), Some("chat"));
        assert_eq!(surfaces.get(2), None);
        let reasons = Reasons {
            topics: vec![2, 7, 3, 1, 4],
            words: surfaces,
        };
        assert_eq!(reasons.topics_at(0).collect::<Vec<_>>(), [7, 3]);
        assert_eq!(reasons.topics_at(3).collect::<Vec<_>>(), [4]);
        assert_eq!(reasons.topics_at(9).count(), 0);
    }
}
