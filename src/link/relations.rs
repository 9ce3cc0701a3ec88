//! Topic relations: topics that occur in the same sections are related. The
//! strength of a relation is the Jaccard index of the two topics' section
//! sets — shared sections over sections carrying either — so two topics that
//! always go together score 1 and a large topic does not relate strongly to
//! everything just by being large. Relations written in the catalog
//! (`related`) are always kept, even without shared sections.

use std::collections::HashMap;

use crate::model::TopicId;
use crate::topics::TopicIndex;
use crate::topics::catalog::Catalog;

/// A topic related to another.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicRelation {
    pub topic: TopicId,
    /// Sections carrying both topics.
    pub shared_sections: usize,
    /// Jaccard index of the two section sets, between 0 and 1.
    pub strength: f64,
    /// Named in the catalog's `related`.
    pub explicit: bool,
}

/// How many co-occurring topics a topic lists, besides the explicit ones.
const MAX_COOCCURRING: usize = 8;

/// Sections shared by each pair of topics `(a, b)` with `a < b`.
pub fn cooccurrences(index: &TopicIndex) -> HashMap<(TopicId, TopicId), usize> {
    let mut pairs: HashMap<(TopicId, TopicId), usize> = HashMap::new();
    for topics in index.sections.iter().flatten() {
        for (i, a) in topics.iter().enumerate() {
            for b in &topics[i + 1..] {
                if a.topic != b.topic {
                    let key = (a.topic.min(b.topic), a.topic.max(b.topic));
                    *pairs.entry(key).or_insert(0) += 1;
                }
            }
        }
    }
    pairs
}

/// Jaccard index of two sets of sizes `a` and `b` sharing `shared` members.
pub fn jaccard(a: usize, b: usize, shared: usize) -> f64 {
    let union = (a + b).saturating_sub(shared);
    if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    }
}

/// `result[topic]`: explicit relations first (catalog order), then the
/// co-occurring topics, strongest first.
pub fn topic_relations(index: &TopicIndex, catalog: &Catalog) -> Vec<Vec<TopicRelation>> {
    let pairs = cooccurrences(index);
    let size = |t: TopicId| index.postings.get(t).map_or(0, Vec::len);
    let relation = |a: TopicId, b: TopicId, explicit: bool| {
        let shared = pairs.get(&(a.min(b), a.max(b))).copied().unwrap_or(0);
        TopicRelation {
            topic: b,
            shared_sections: shared,
            strength: jaccard(size(a), size(b), shared),
            explicit,
        }
    };
    let mut cooccurring: Vec<Vec<TopicRelation>> = vec![Vec::new(); catalog.len()];
    for &(a, b) in pairs.keys() {
        if a < cooccurring.len() && b < cooccurring.len() {
            cooccurring[a].push(relation(a, b, false));
            cooccurring[b].push(relation(b, a, false));
        }
    }
    catalog
        .topics
        .iter()
        .enumerate()
        .map(|(id, topic)| {
            let mut out: Vec<TopicRelation> = Vec::new();
            for &r in &topic.related {
                if r != id && !out.iter().any(|x| x.topic == r) {
                    out.push(relation(id, r, true));
                }
            }
            let mut co = std::mem::take(&mut cooccurring[id]);
            co.sort_by(|a, b| {
                b.strength
                    .total_cmp(&a.strength)
                    .then(b.shared_sections.cmp(&a.shared_sections))
                    .then(a.topic.cmp(&b.topic))
            });
            let extra: Vec<TopicRelation> = co
                .into_iter()
                .filter(|c| !out.iter().any(|x| x.topic == c.topic))
                .take(MAX_COOCCURRING)
                .collect();
            out.extend(extra);
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SectionRef, SectionTopic};
    use crate::topics::catalog::Topic;

    fn catalog(n: usize, related: &[(TopicId, TopicId)]) -> Catalog {
        Catalog::from_topics(
            (0..n)
                .map(|i| Topic {
                    slug: format!("t{i}"),
                    name: format!("T{i}"),
                    aliases: vec![format!("T{i}")],
                    description: String::new(),
                    description_html: String::new(),
                    related: related
                        .iter()
                        .filter(|(a, _)| *a == i)
                        .map(|(_, b)| *b)
                        .collect(),
                })
                .collect(),
        )
    }

    /// One document whose sections carry the given topics.
    fn index(sections: &[&[TopicId]], n: usize) -> TopicIndex {
        let secs: Vec<Vec<SectionTopic>> = sections
            .iter()
            .map(|ts| {
                ts.iter()
                    .map(|&topic| SectionTopic {
                        topic,
                        mention: None,
                        linkable: Default::default(),
                    })
                    .collect()
            })
            .collect();
        let mut postings = vec![Vec::new(); n];
        for (section, ts) in secs.iter().enumerate() {
            for t in ts {
                postings[t.topic].push(SectionRef { doc: 0, section });
            }
        }
        TopicIndex {
            sections: vec![secs],
            documents: vec![Vec::new()],
            postings,
            words: Default::default(),
        }
    }

    #[test]
    fn strength_is_the_jaccard_index_of_section_sets() {
        // Topic 0 in sections 0–3, topic 1 in 0–1, topic 2 in 3 only.
        let idx = index(&[&[0, 1], &[0, 1], &[0], &[0, 2]], 3);
        let r = topic_relations(&idx, &catalog(3, &[]));
        let to1 = r[0].iter().find(|x| x.topic == 1).unwrap();
        assert_eq!(to1.shared_sections, 2);
        assert!((to1.strength - 0.5).abs() < 1e-9, "2 shared of 4");
        let to2 = r[0].iter().find(|x| x.topic == 2).unwrap();
        assert!((to2.strength - 0.25).abs() < 1e-9, "1 shared of 4");
        assert_eq!(r[0][0].topic, 1, "strongest first");
        // Topics 1 and 2 never meet: no relation.
        assert!(r[1].iter().all(|x| x.topic != 2));
    }

    #[test]
    fn explicit_relations_come_first_even_without_shared_sections() {
        let idx = index(&[&[0, 1], &[2]], 3);
        let r = topic_relations(&idx, &catalog(3, &[(0, 2)]));
        assert_eq!(r[0][0].topic, 2);
        assert!(r[0][0].explicit);
        assert_eq!(r[0][0].shared_sections, 0);
        assert_eq!(r[0][0].strength, 0.0);
        assert_eq!(r[0][1].topic, 1);
        assert!(!r[0][1].explicit);
    }
}
