//! A related link as the site keeps it: numbers only, its reasons in the
//! site-wide [`Reasons`].

use super::REASON_TERMS;
use crate::link::reasons::Reasons;
use crate::link::terms::NO_WORD;
use crate::model::{SectionRef, TopicId};

/// A link from one section to a related section: 32 bytes, numbers only
/// (a large site has millions), its reasons kept site-wide in [`Reasons`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Related {
    pub(super) doc: u32,
    pub(super) section: u32,
    /// Between 0 and 1: half topic cosine, half word cosine.
    pub score: f64,
    /// The shared words that weigh most, heaviest first, as numbers of
    /// `Reasons::words` (`NO_WORD` past the last): the reason when no
    /// topic is shared.
    pub(super) words: [u32; REASON_TERMS],
    /// Where the shared topics start in `Reasons::topics`, `NO_TOPICS` if
    /// none is shared.
    pub(super) shared: u32,
}

const _: () = assert!(std::mem::size_of::<Related>() == 32);

/// No shared topic (`Related::shared`).
const NO_TOPICS: u32 = u32::MAX;

impl Related {
    /// A link to `target` with no reason given.
    pub fn new(target: SectionRef, score: f64) -> Related {
        Related {
            doc: target.doc as u32,
            section: target.section as u32,
            score,
            words: [NO_WORD; REASON_TERMS],
            shared: NO_TOPICS,
        }
    }

    /// The section linked to.
    pub fn target(&self) -> SectionRef {
        SectionRef {
            doc: self.doc as usize,
            section: self.section as usize,
        }
    }

    pub fn set_target(&mut self, target: SectionRef) {
        self.doc = target.doc as u32;
        self.section = target.section as u32;
    }

    /// Whether the two sections share a topic.
    pub fn has_shared(&self) -> bool {
        self.shared != NO_TOPICS
    }

    /// The shared topics, rarest first: the reason for the link.
    pub fn shared<'r>(&self, reasons: &'r Reasons) -> impl ExactSizeIterator<Item = TopicId> + 'r {
        let at = if self.has_shared() {
            self.shared
        } else {
            // Past the pool: no topic.
            u32::MAX
        };
        reasons.topics_at(at)
    }

    /// The shared words that weigh most, lower-cased, as the site writes
    /// them (where it first uses each, see `Lexicon::surface`; until
    /// session 4 they were written as in the linking section): the reason
    /// when no topic is shared. Distinct.
    pub fn words<'r>(&self, reasons: &'r Reasons) -> Vec<&'r str> {
        let mut words: Vec<&str> = Vec::with_capacity(REASON_TERMS);
        for w in self.words.iter().filter_map(|&w| reasons.words.get(w)) {
            if !words.contains(&w) {
                words.push(w);
            }
        }
        words
    }

    /// Forgets the reason words (`watch`, for a link whose section changed).
    pub fn clear_words(&mut self) {
        self.words = [NO_WORD; REASON_TERMS];
    }
}

/// The related sections of every section, `lists[doc][section]`, and their
/// reasons.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelatedSections {
    pub lists: Vec<Vec<Vec<Related>>>,
    pub reasons: Reasons,
}
