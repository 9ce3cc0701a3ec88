//! Each topic's first mention in a section's linkable text
//! (`SectionTopic::linkable`), from the hits of the matcher over the
//! section's text: the place of an inline link, found while the hits are at
//! hand so that the link stage need not match the HTML again.
//!
//! Inline links take, run by run, the hits in order of position, the
//! longest first at one position, skipping hits that overlap one taken and
//! topics linked before. A topic's first hit in linkable text that no other
//! hit overlaps is therefore linked unless its topic was linked before, and
//! its later hits never are: that hit is all the link stage needs. When
//! another hit overlaps it, or a run's words are not the text's
//! (`Linkable::NO_TEXT`), the answer is `Unknown` and the link stage reads
//! the section again.

use super::matcher::Hit;
use crate::model::{Linkable, LinkableMention, Section, TopicId};

/// The first mention in linkable text of each topic hit in `section`'s
/// text (`hits`, in order of position, as the matcher gives them).
pub fn first_linkable(section: &Section, hits: &[Hit]) -> FirstLinkable {
    let runs = &section.linkable;
    // Runs go forward in the HTML, so do their words in the text (and never
    // overlap); checked, since a hit is looked for in one run only.
    if runs.iter().any(|r| r.text == Linkable::NO_TEXT)
        || runs
            .windows(2)
            .any(|w| text_end(&w[0]) > w[1].text as usize)
    {
        return FirstLinkable::Unknown;
    }
    // The hits lying wholly inside a run's words, with their HTML range.
    let mut inside: Vec<(Hit, u32, u32)> = Vec::new();
    let mut runs = runs.iter().peekable();
    for h in hits {
        while runs.next_if(|r| text_end(r) <= h.start).is_some() {}
        let Some(r) = runs.peek() else {
            break;
        };
        let from = r.text as usize;
        if from <= h.start && h.end <= text_end(r) {
            // Within a run, offsets in the text and in the HTML differ by a
            // constant; the sum cannot pass the run's end.
            let start = r.start + (h.start - from) as u32;
            let end = r.start + (h.end - from) as u32;
            inside.push((*h, start, end));
        }
    }
    let mut first: Vec<(TopicId, LinkableMention)> = Vec::new();
    let mut reach = 0;
    for (i, &(h, start, end)) in inside.iter().enumerate() {
        let overlapped =
            reach > h.start || inside.get(i + 1).is_some_and(|next| next.0.start < h.end);
        reach = reach.max(h.end);
        if !first.iter().any(|f| f.0 == h.topic) {
            let at = if overlapped {
                LinkableMention::Unknown
            } else {
                LinkableMention::At(start, end)
            };
            first.push((h.topic, at));
        }
    }
    FirstLinkable::Known(first)
}

/// What [`first_linkable`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum FirstLinkable {
    /// Per topic with a mention in linkable text, the first; other topics
    /// have none.
    Known(Vec<(TopicId, LinkableMention)>),
    /// Some run must be read again: unknown for every topic.
    Unknown,
}

impl FirstLinkable {
    /// The first linkable mention of `topic`.
    pub fn of(&self, topic: TopicId) -> LinkableMention {
        match self {
            FirstLinkable::Known(first) => first
                .iter()
                .find(|f| f.0 == topic)
                .map_or(LinkableMention::None, |f| f.1),
            FirstLinkable::Unknown => LinkableMention::Unknown,
        }
    }
}

/// Where the words of a run end in the text.
fn text_end(r: &Linkable) -> usize {
    r.text as usize + (r.end - r.start) as usize
}
