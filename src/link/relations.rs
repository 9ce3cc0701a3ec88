//! Topic relations: topics that occur in the same sections are related, the
//! strength being the number of sections they share. Relations written in the
//! catalog (`related`) are always kept, even without shared sections.

use std::collections::HashMap;

use crate::model::TopicId;
use crate::topics::TopicIndex;
use crate::topics::catalog::Catalog;

/// A topic related to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRelation {
    pub topic: TopicId,
    /// Sections carrying both topics.
    pub shared_sections: usize,
    /// Named in the catalog's `related`.
    pub explicit: bool,
}

/// How many co-occurring topics a topic lists, besides the explicit ones.
const MAX_COOCCURRING: usize = 8;

/// `result[topic]`: explicit relations first (catalog order), then the
/// co-occurring topics by shared sections.
pub fn topic_relations(index: &TopicIndex, catalog: &Catalog) -> Vec<Vec<TopicRelation>> {
    let mut pairs: HashMap<(TopicId, TopicId), usize> = HashMap::new();
    for topics in index.sections.iter().flatten() {
        for (i, a) in topics.iter().enumerate() {
            for b in &topics[i + 1..] {
                let key = (a.topic.min(b.topic), a.topic.max(b.topic));
                *pairs.entry(key).or_insert(0) += 1;
            }
        }
    }
    let mut cooccurring: Vec<Vec<(TopicId, usize)>> = vec![Vec::new(); catalog.len()];
    for (&(a, b), &n) in &pairs {
        cooccurring[a].push((b, n));
        cooccurring[b].push((a, n));
    }
    let shared = |a: TopicId, b: TopicId| pairs.get(&(a.min(b), a.max(b))).copied().unwrap_or(0);
    catalog
        .topics
        .iter()
        .enumerate()
        .map(|(id, topic)| {
            let mut out: Vec<TopicRelation> = Vec::new();
            for &r in &topic.related {
                if r != id && !out.iter().any(|x| x.topic == r) {
                    out.push(TopicRelation {
                        topic: r,
                        shared_sections: shared(id, r),
                        explicit: true,
                    });
                }
            }
            let mut co = std::mem::take(&mut cooccurring[id]);
            co.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let extra: Vec<TopicRelation> = co
                .into_iter()
                .filter(|(t, _)| !out.iter().any(|x| x.topic == *t))
                .take(MAX_COOCCURRING)
                .map(|(t, n)| TopicRelation {
                    topic: t,
                    shared_sections: n,
                    explicit: false,
                })
                .collect();
            out.extend(extra);
            out
        })
        .collect()
}
