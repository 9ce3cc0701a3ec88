//! Related sections: each section lists the sections of other documents that
//! share the most topics with it, each shared topic weighted by its rarity
//! (a topic found in few sections says more than one found everywhere).
//!
//! Sections are never compared pairwise. Sections with the same topic set
//! score the same against everything, so they are grouped first; groups are
//! scored against the groups they share a topic with (through an inverted
//! index topic → groups), once per group rather than once per section. The
//! cost follows the number of distinct topic sets, not sections².

use std::collections::HashMap;

use rayon::prelude::*;

use crate::model::{SectionRef, TopicId};
use crate::topics::TopicIndex;

/// A link from one section to a related section of another document.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub target: SectionRef,
    /// Sum of the rarity weights of the shared topics.
    pub score: f64,
    /// The shared topics, rarest first: the reason for the link.
    pub shared: Vec<TopicId>,
}

/// How many candidate groups each group keeps, best first. Enough to fill the
/// list even when the best groups only hold sections of the same document.
const CANDIDATE_GROUPS: usize = 48;

/// At most this many links from one section to the same other document, so
/// that one long document does not fill every list.
const PER_DOCUMENT: usize = 2;

struct Group {
    topics: Vec<TopicId>,
    members: Vec<SectionRef>,
}

/// `result[doc][section]`: up to `max` related sections of other documents.
pub fn related_sections(
    index: &TopicIndex,
    topic_count: usize,
    max: usize,
) -> Vec<Vec<Vec<Related>>> {
    let total: usize = index.sections.iter().map(Vec::len).sum();
    let weights: Vec<f64> = index
        .postings
        .iter()
        .map(|p| rarity_weight(total, p.len()))
        .collect();
    let (groups, group_of) = group_by_topic_set(index);
    let mut topic_groups: Vec<Vec<usize>> = vec![Vec::new(); topic_count];
    for (gid, g) in groups.iter().enumerate() {
        for &t in &g.topics {
            topic_groups[t].push(gid);
        }
    }
    let candidates: Vec<Vec<(usize, f64)>> = (0..groups.len())
        .into_par_iter()
        .map_init(
            || vec![0.0f64; groups.len()],
            |scores, gid| rank_groups(gid, &groups, &topic_groups, &weights, scores),
        )
        .collect();

    index
        .sections
        .par_iter()
        .enumerate()
        .map(|(doc, secs)| {
            (0..secs.len())
                .map(|section| {
                    let this = SectionRef { doc, section };
                    match group_of.get(&this) {
                        Some(&gid) => pick(
                            this,
                            &groups[gid].topics,
                            &groups,
                            &candidates[gid],
                            &weights,
                            max,
                        ),
                        None => Vec::new(),
                    }
                })
                .collect()
        })
        .collect()
}

/// Inverse document frequency over sections, smoothed so that a topic present
/// everywhere still weighs a little.
fn rarity_weight(total_sections: usize, df: usize) -> f64 {
    if df == 0 {
        return 0.0;
    }
    (1.0 + total_sections as f64 / df as f64).ln()
}

fn group_by_topic_set(index: &TopicIndex) -> (Vec<Group>, HashMap<SectionRef, usize>) {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: HashMap<Vec<TopicId>, usize> = HashMap::new();
    let mut group_of = HashMap::new();
    for (doc, secs) in index.sections.iter().enumerate() {
        for (section, topics) in secs.iter().enumerate() {
            if topics.is_empty() {
                continue;
            }
            let mut key: Vec<TopicId> = topics.iter().map(|t| t.topic).collect();
            key.sort_unstable();
            let r = SectionRef { doc, section };
            let gid = *by_key.entry(key.clone()).or_insert_with(|| {
                groups.push(Group {
                    topics: key,
                    members: Vec::new(),
                });
                groups.len() - 1
            });
            groups[gid].members.push(r);
            group_of.insert(r, gid);
        }
    }
    (groups, group_of)
}

/// Scores every group sharing a topic with `gid`; returns the best, ordered by
/// score, then by fewer topics (a more focused match), then by position.
fn rank_groups(
    gid: usize,
    groups: &[Group],
    topic_groups: &[Vec<usize>],
    weights: &[f64],
    scores: &mut [f64],
) -> Vec<(usize, f64)> {
    let mut touched = Vec::new();
    for &t in &groups[gid].topics {
        for &h in &topic_groups[t] {
            if scores[h] == 0.0 {
                touched.push(h);
            }
            scores[h] += weights[t];
        }
    }
    let mut ranked: Vec<(usize, f64)> = touched.iter().map(|&h| (h, scores[h])).collect();
    for &h in &touched {
        scores[h] = 0.0;
    }
    ranked.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(groups[a.0].topics.len().cmp(&groups[b.0].topics.len()))
            .then(a.0.cmp(&b.0))
    });
    ranked.truncate(CANDIDATE_GROUPS);
    ranked
}

fn pick(
    this: SectionRef,
    own: &[TopicId],
    groups: &[Group],
    candidates: &[(usize, f64)],
    weights: &[f64],
    max: usize,
) -> Vec<Related> {
    let mut out: Vec<Related> = Vec::new();
    let mut per_doc: HashMap<usize, usize> = HashMap::new();
    'groups: for &(h, score) in candidates {
        for &m in &groups[h].members {
            if out.len() >= max {
                break 'groups;
            }
            if m.doc == this.doc {
                continue;
            }
            let n = per_doc.entry(m.doc).or_insert(0);
            if *n >= PER_DOCUMENT {
                continue;
            }
            *n += 1;
            let mut shared: Vec<TopicId> = groups[h]
                .topics
                .iter()
                .copied()
                .filter(|t| own.binary_search(t).is_ok())
                .collect();
            shared.sort_by(|a, b| weights[*b].total_cmp(&weights[*a]).then(a.cmp(b)));
            out.push(Related {
                target: m,
                score,
                shared,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SectionTopic;

    fn index(docs: &[&[&[TopicId]]], topic_count: usize) -> TopicIndex {
        let sections: Vec<Vec<Vec<SectionTopic>>> = docs
            .iter()
            .map(|d| {
                d.iter()
                    .map(|s| {
                        s.iter()
                            .map(|&topic| SectionTopic {
                                topic,
                                mention: None,
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut postings = vec![Vec::new(); topic_count];
        for (doc, secs) in sections.iter().enumerate() {
            for (section, ts) in secs.iter().enumerate() {
                for t in ts {
                    postings[t.topic].push(SectionRef { doc, section });
                }
            }
        }
        TopicIndex {
            sections,
            documents: vec![Vec::new(); docs.len()],
            postings,
        }
    }

    #[test]
    fn rare_shared_topics_rank_first_and_same_document_is_excluded() {
        // Topic 0 is everywhere, topic 1 is rare.
        let idx = index(
            &[&[&[0, 1], &[0, 1]], &[&[0]], &[&[0, 1]], &[&[0], &[1]]],
            2,
        );
        let r = related_sections(&idx, 2, 5);
        let first = &r[0][0];
        assert!(first.iter().all(|x| x.target.doc != 0));
        assert_eq!(first[0].target, SectionRef { doc: 2, section: 0 });
        assert_eq!(first[0].shared, vec![1, 0]);
        // The section sharing only the rare topic beats those sharing only the common one.
        let pos_rare = first
            .iter()
            .position(|x| x.target == SectionRef { doc: 3, section: 1 });
        let pos_common = first
            .iter()
            .position(|x| x.target == SectionRef { doc: 1, section: 0 });
        assert!(pos_rare < pos_common, "{first:?}");
    }

    #[test]
    fn sections_without_topics_have_no_links() {
        let idx = index(&[&[&[]], &[&[0]]], 1);
        let r = related_sections(&idx, 1, 5);
        assert!(r[0][0].is_empty());
        assert!(r[1][0].is_empty());
    }

    #[test]
    fn lists_are_capped_overall_and_per_document() {
        let idx = index(
            &[
                &[&[0]],
                &[&[0], &[0], &[0]],
                &[&[0]],
                &[&[0]],
                &[&[0]],
                &[&[0]],
            ],
            1,
        );
        let r = related_sections(&idx, 1, 5);
        assert_eq!(r[0][0].len(), 5);
        assert_eq!(r[0][0].iter().filter(|x| x.target.doc == 1).count(), 2);
    }
}
