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
//! (`Linkable::NO_TEXT`), the answer is unknown and the link stage reads
//! the section again. Nothing is allocated: this runs for every section.

use super::matcher::Hit;
use crate::model::{Linkable, LinkableMention, Section, SectionTopic};

/// Notes in `found` (the section's topics) the first mention in linkable
/// text of each topic hit in `section`'s text (`hits`, in order of
/// position, as the matcher gives them); every hit's topic is in `found`.
pub fn note_first_linkable(section: &Section, hits: &[Hit], found: &mut [SectionTopic]) {
    let runs = &section.linkable;
    // Runs go forward in the HTML, so do their words in the text (and never
    // overlap); checked, since a hit is looked for in one run only.
    if runs.iter().any(|r| r.text == Linkable::NO_TEXT)
        || runs
            .windows(2)
            .any(|w| text_end(&w[0]) > w[1].text as usize)
    {
        for f in found.iter_mut().filter(|f| f.mention.is_some()) {
            f.linkable = LinkableMention::UNKNOWN;
        }
        return;
    }
    // The hits lying wholly inside a run's words, with their HTML range.
    let mut runs = runs.iter().peekable();
    let mut hits = hits.iter();
    let mut inside = std::iter::from_fn(|| {
        for h in hits.by_ref() {
            while runs.next_if(|r| text_end(r) <= h.start).is_some() {}
            let r = runs.peek()?;
            let from = r.text as usize;
            if from <= h.start && h.end <= text_end(r) {
                // Within a run, offsets in the text and in the HTML differ
                // by a constant; the sum cannot pass the run's end.
                let start = r.start + (h.start - from) as u32;
                let end = r.start + (h.end - from) as u32;
                return Some((h, start, end));
            }
        }
        None
    })
    .peekable();
    let mut reach = 0;
    while let Some((h, start, end)) = inside.next() {
        let overlapped = reach > h.start || inside.peek().is_some_and(|next| next.0.start < h.end);
        reach = reach.max(h.end);
        if let Some(f) = found.iter_mut().find(|f| f.topic == h.topic)
            && f.linkable == LinkableMention::NONE
        {
            f.linkable = if overlapped {
                LinkableMention::UNKNOWN
            } else {
                LinkableMention::at(start, end)
            };
        }
    }
}

/// Where the words of a run end in the text.
fn text_end(r: &Linkable) -> usize {
    r.text as usize + (r.end - r.start) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mention;
    use crate::structure::markdown::sections;

    /// The first linkable mention of topics 0, 1 and 2 hit at the given
    /// words (topic, words, which occurrence of them) of the Markdown's
    /// first section, as the HTML they cover ("?" when unknown).
    fn noted(markdown: &str, hits: &[(usize, &str, usize)]) -> Vec<Option<String>> {
        let raw = sections(markdown, 0).remove(0);
        let section = Section {
            html: raw.html,
            linkable: raw.linkable,
            ..Section::for_tests("s", "", &raw.text)
        };
        let mut hits: Vec<Hit> = hits
            .iter()
            .map(|&(topic, words, nth)| {
                let start = section.text.match_indices(words).nth(nth).unwrap().0;
                Hit {
                    topic,
                    start,
                    end: start + words.len(),
                }
            })
            .collect();
        hits.sort_unstable_by_key(|h| (h.start, h.end, h.topic));
        let mut found: Vec<SectionTopic> = (0..3)
            .map(|topic| SectionTopic {
                topic,
                mention: Some(Mention {
                    in_title: false,
                    start: 0,
                    end: 0,
                }),
                linkable: LinkableMention::NONE,
            })
            .collect();
        note_first_linkable(&section, &hits, &mut found);
        found
            .iter()
            .map(|f| match f.linkable.range() {
                Some(r) => Some(section.html[r].to_string()),
                None if f.linkable.is_unknown() => Some("?".to_string()),
                None => None,
            })
            .collect()
    }

    #[test]
    fn first_mentions_in_linkable_text_map_to_the_html() {
        let md = "`la vie` et [la FOMO](a.md), la *vie*\nà deux et la FOMO.\n";
        let hits = [
            (0, "vie", 0),
            (1, "FOMO", 0),
            (2, "vie à", 0),
            (0, "vie", 1),
            (1, "FOMO", 1),
        ];
        // « vie » in code, then in emphasis (a run of its own), where « vie
        // à » crosses two runs (and a soft break); « FOMO » in a link, then not.
        let got = noted(md, &hits);
        assert_eq!(got, [Some("vie".into()), Some("FOMO".into()), None]);
        let got = noted(
            "Notre vie privée.\n",
            &[(0, "vie", 0), (1, "vie privée", 0)],
        );
        assert_eq!(got, [Some("?".into()), Some("?".into()), None]);
        let got = noted("Tom &amp; la vie.\n", &[(0, "vie", 0)]);
        assert_eq!(got, [Some("?".into()), Some("?".into()), Some("?".into())]);
    }
}
