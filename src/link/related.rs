//! Related sections: for each section, the sections that speak of the same
//! thing, best first, each with its reason (the shared topics, and the
//! strongest shared words). The score is the dot product of the section
//! vectors of `terms` — shared rare topics and shared rare words, weighed
//! half and half — so it lies between 0 and 1. See docs/related.md.
//!
//! Sections are never compared pairwise. Each word or topic keeps a champion
//! list: the `CHAMPIONS` sections where it weighs most (a word found in a
//! handful of sections keeps them all). A section's candidates are the
//! sections on the champion lists of its own words and topics, scored by the
//! weights met on the way; the `RESCORED` best are then scored exactly. The
//! work per section is bounded by `MAX_TERMS × CHAMPIONS`, so the whole costs
//! O(sections), whatever the size of the corpus (champion lists: Manning,
//! Raghavan and Schütze, *Introduction to Information Retrieval*, §7.1.3).

mod champions;

use rayon::prelude::*;

use champions::{Champions, Flat, NO_SET};

use super::terms::{self, Entry, SectionVectors, Span};
use crate::config::RelatedSettings;
use crate::model::{Document, Section, SectionRef, TopicId};
use crate::topics::TopicIndex;

/// A link from one section to a related section.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub target: SectionRef,
    /// Between 0 and 1: half topic cosine, half word cosine.
    pub score: f64,
    /// The shared topics, rarest first: the reason for the link.
    pub shared: Vec<TopicId>,
    /// The shared words that weigh most, as written in the linking section:
    /// the reason when no topic is shared.
    pub terms: ReasonTerms,
}

/// Where the reason words lie in the linking section: positions rather than
/// strings, so that the hundreds of thousands of links of a large site hold
/// no string each (render reads the words back with `words`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReasonTerms {
    spans: [Option<Span>; REASON_TERMS],
}

impl ReasonTerms {
    /// The words, lower-cased, as written in `section` (the linking one).
    pub fn words(&self, section: &Section) -> Vec<String> {
        self.spans
            .iter()
            .flatten()
            .filter_map(|span| span.surface(section))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.spans[0].is_none()
    }
}

/// How much work the candidate search does per section; `Tuning::DEFAULT`
/// is what the build uses (see docs/related.md for how it was chosen). Public
/// for `examples/related_quality.rs`, which measures other settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Sections kept per word or topic (its champion list).
    pub champions: usize,
    /// The section's heaviest entries whose champion lists are read.
    pub query_terms: usize,
    /// Candidates scored exactly.
    pub rescored: usize,
}

impl Tuning {
    pub const DEFAULT: Tuning = Tuning {
        champions: 32,
        query_terms: 12,
        rescored: 16,
    };
}

/// At most this many links from one section to the same document, so that
/// one long document does not fill every list.
const PER_DOCUMENT: usize = 2;

/// Shared words given as a reason.
const REASON_TERMS: usize = 3;

/// `result[doc][section]`: up to `settings.max` related sections.
pub fn related_sections(
    documents: &[Document],
    topics: &TopicIndex,
    settings: &RelatedSettings,
) -> Vec<Vec<Vec<Related>>> {
    let vectors = terms::section_vectors(documents, topics);
    rank_sections(documents, topics, &vectors, settings)
}

/// `related_sections` from vectors already built (the ranking alone).
pub fn rank_sections(
    documents: &[Document],
    topics: &TopicIndex,
    vectors: &SectionVectors,
    settings: &RelatedSettings,
) -> Vec<Vec<Vec<Related>>> {
    rank_sections_tuned(documents, topics, vectors, settings, Tuning::DEFAULT)
}

/// `rank_sections` with another `Tuning`.
pub fn rank_sections_tuned(
    documents: &[Document],
    topics: &TopicIndex,
    vectors: &SectionVectors,
    settings: &RelatedSettings,
    tuning: Tuning,
) -> Vec<Vec<Vec<Related>>> {
    let dims = vectors.text_dims as usize + topics.postings.len();
    let flat = Flat::new(vectors, dims);
    let champions = Champions::new(&flat, dims, vectors.text_dims, tuning.champions);
    let ctx = Ranking {
        vectors,
        flat: &flat,
        champions: &champions,
        documents,
        topics,
        settings,
        tuning,
    };
    // Contiguous blocks, each with its own scratch buffers (one of them as
    // long as the site has sections): a few blocks per thread, so that the
    // buffers cost nothing and the threads still share the work evenly.
    let n = vectors.len();
    let block = n.div_ceil(8 * rayon::current_num_threads()).max(1024);
    let ctx = &ctx;
    let ranked: Vec<Vec<Related>> = (0..n.div_ceil(block))
        .into_par_iter()
        .flat_map_iter(|b| {
            let mut scratch = Scratch::new(n, dims);
            (b * block..n.min((b + 1) * block)).map(move |g| ctx.rank(g, &mut scratch))
        })
        .collect();
    let mut ranked = ranked.into_iter();
    documents
        .iter()
        .map(|d| ranked.by_ref().take(d.sections.len()).collect())
        .collect()
}

/// Per-block buffers, reused from one section to the next.
struct Scratch {
    /// Partial scores by section, zero unless listed in `touched`.
    partial: Vec<f32>,
    touched: Vec<u32>,
    /// The ranked section's vector spread out by dimension.
    own: Vec<f32>,
    /// The ranked section's entries as `(weight, dim)`, heaviest first.
    query: Vec<(f32, u32)>,
    candidates: Vec<(u32, f32)>,
    scored: Vec<(u32, f64)>,
    /// Links so far per document.
    per_doc: Vec<(u32, usize)>,
}

impl Scratch {
    fn new(sections: usize, dims: usize) -> Scratch {
        Scratch {
            partial: vec![0.0; sections],
            touched: Vec::new(),
            own: vec![0.0; dims],
            query: Vec::new(),
            candidates: Vec::new(),
            scored: Vec::new(),
            per_doc: Vec::new(),
        }
    }
}

struct Ranking<'a> {
    vectors: &'a SectionVectors,
    flat: &'a Flat,
    champions: &'a Champions,
    documents: &'a [Document],
    topics: &'a TopicIndex,
    settings: &'a RelatedSettings,
    tuning: Tuning,
}

/// Best first, ties to the earlier section.
fn by_score<T: Copy + PartialOrd>(a: &(u32, T), b: &(u32, T)) -> std::cmp::Ordering {
    b.1.partial_cmp(&a.1)
        .unwrap_or(std::cmp::Ordering::Equal)
        .then(a.0.cmp(&b.0))
}

impl Ranking<'_> {
    fn rank(&self, g: usize, scratch: &mut Scratch) -> Vec<Related> {
        self.candidates(g, scratch);
        let flat = self.flat;
        let Scratch {
            own,
            candidates,
            scored,
            per_doc,
            ..
        } = scratch;
        // Exact scores against a dense copy of the section's vector: one
        // multiply per entry of the candidate, no merge of two sparse lists.
        let range = flat.range(g);
        for i in range.clone() {
            own[flat.dims[i] as usize] = flat.weights[i];
        }
        scored.clear();
        scored.extend(candidates.iter().map(|&(h, _)| {
            let dot: f64 = flat
                .range(h as usize)
                .map(|i| f64::from(own[flat.dims[i] as usize]) * f64::from(flat.weights[i]))
                .sum();
            (h, dot)
        }));
        for i in range {
            own[flat.dims[i] as usize] = 0.0;
        }
        scored.sort_unstable_by(by_score);
        per_doc.clear();
        let mut out = Vec::new();
        for &(h, score) in scored.iter() {
            if out.len() >= self.settings.max || score < self.settings.min_score {
                break;
            }
            let doc = self.vectors.doc_of[h as usize];
            match per_doc.iter_mut().find(|(d, _)| *d == doc) {
                Some((_, n)) if *n >= PER_DOCUMENT => continue,
                Some((_, n)) => *n += 1,
                None => per_doc.push((doc, 1)),
            }
            out.push(self.related(g, h as usize, score));
        }
        out
    }

    /// Fills `scratch.candidates` with the sections met on the champion
    /// lists of the section's `query_terms` heaviest entries, the `rescored`
    /// best by partial score.
    fn candidates(&self, g: usize, scratch: &mut Scratch) {
        let (flat, tuning) = (self.flat, self.tuning);
        let Scratch {
            partial,
            touched,
            query,
            candidates,
            ..
        } = scratch;
        query.clear();
        query.extend(flat.range(g).map(|i| (flat.weights[i], flat.dims[i])));
        if query.len() > tuning.query_terms {
            let heaviest = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            query.select_nth_unstable_by(tuning.query_terms.max(1) - 1, heaviest);
            query.truncate(tuning.query_terms.max(1));
        }
        candidates.clear();
        let keep = tuning.rescored.max(1);
        let champions = self.champions;
        // Two pools, each ranked by its own partial scores: the sections of
        // the same topic set share all of the topic half of the score, so
        // their words alone rank them; the others by words and topics.
        let set = champions.set_of[g];
        if set != NO_SET {
            let words = query
                .iter()
                .filter(|&&(_, dim)| !self.vectors.is_topic(dim));
            let lists = words.map(|&(weight, dim)| (weight, champions.within(set, dim)));
            self.gather(g, lists, partial, touched, candidates, keep);
        }
        let lists = query
            .iter()
            .map(|&(weight, dim)| (weight, champions.of(dim)));
        self.gather(g, lists, partial, touched, candidates, keep);
        if set != NO_SET {
            candidates.sort_unstable_by_key(|c| c.0);
            candidates.dedup_by_key(|c| c.0);
        }
    }

    /// Appends to `candidates` the `keep` sections with the highest partial
    /// scores over `lists` (each with the weight of its dimension in `g`).
    fn gather<'l>(
        &self,
        g: usize,
        lists: impl Iterator<Item = (f32, &'l [(u32, f32)])>,
        partial: &mut [f32],
        touched: &mut Vec<u32>,
        candidates: &mut Vec<(u32, f32)>,
        keep: usize,
    ) {
        let doc_of = &self.vectors.doc_of;
        let own_doc = doc_of[g];
        for (weight, list) in lists {
            for &(h, w) in list {
                let hu = h as usize;
                if hu == g || (!self.settings.same_document && doc_of[hu] == own_doc) {
                    continue;
                }
                let p = &mut partial[hu];
                if *p == 0.0 {
                    touched.push(h);
                }
                // Never back to zero (a product too small for f32), which
                // would list the section twice.
                *p = (*p + weight * w).max(f32::MIN_POSITIVE);
            }
        }
        let from = candidates.len();
        candidates.extend(touched.iter().map(|&h| (h, partial[h as usize])));
        for &h in touched.iter() {
            partial[h as usize] = 0.0;
        }
        touched.clear();
        let pool = &mut candidates[from..];
        if pool.len() > keep {
            pool.select_nth_unstable_by(keep - 1, by_score);
            candidates.truncate(from + keep);
        }
    }

    /// The link from `g` to `h`, with its reasons.
    fn related(&self, g: usize, h: usize, score: f64) -> Related {
        let (own, other) = (&self.vectors.vectors[g], &self.vectors.vectors[h]);
        let mut shared: Vec<TopicId> = Vec::new();
        let mut words: Vec<(f64, &Entry)> = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < own.len() && j < other.len() {
            match own[i].dim.cmp(&other[j].dim) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let e = &own[i];
                    if self.vectors.is_topic(e.dim) {
                        shared.push((e.dim - self.vectors.text_dims) as TopicId);
                    } else {
                        let w = f64::from(e.weight) * f64::from(other[j].weight);
                        words.push((w, e));
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        let postings = &self.topics.postings;
        shared.sort_by_key(|&t| (postings.get(t).map_or(0, Vec::len), t));
        words.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.dim.cmp(&b.1.dim)));
        let (d, s) = self.vectors.locate(g);
        let section = &self.documents[d].sections[s];
        let mut seen: Vec<String> = Vec::new();
        let mut terms = ReasonTerms::default();
        for (_, e) in words {
            if seen.len() >= REASON_TERMS {
                break;
            }
            if let Some(w) = e.span.surface(section)
                && !seen.contains(&w)
            {
                terms.spans[seen.len()] = Some(e.span);
                seen.push(w);
            }
        }
        let (doc, section) = self.vectors.locate(h);
        Related {
            target: SectionRef { doc, section },
            score,
            shared,
            terms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Section, SectionTopic};

    fn doc(name: &str, texts: &[&str]) -> Document {
        let sections = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Section::for_tests(&format!("s{i}"), "", t));
        Document::for_tests(&format!("{name}.md"), sections.collect())
    }

    /// A topic index where `topics[doc][section]` lists topic ids.
    fn index(docs: &[Document], topics: &[&[&[TopicId]]], topic_count: usize) -> TopicIndex {
        let sections: Vec<Vec<Vec<SectionTopic>>> = docs
            .iter()
            .enumerate()
            .map(|(d, doc)| {
                (0..doc.sections.len())
                    .map(|s| {
                        let ts = topics.get(d).and_then(|x| x.get(s)).copied().unwrap_or(&[]);
                        ts.iter()
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

    fn targets(r: &[Related]) -> Vec<(usize, usize)> {
        r.iter().map(|x| (x.target.doc, x.target.section)).collect()
    }

    fn loose() -> RelatedSettings {
        RelatedSettings {
            min_score: 0.0,
            ..RelatedSettings::default()
        }
    }

    /// Three documents about cats, bees and markets: each section's best
    /// match is the section of another document about the same animal or
    /// trade, found by the words alone.
    #[test]
    fn sections_about_the_same_thing_rank_first_by_words() {
        let docs = [
            doc(
                "a",
                &[
                    "Le chat ronronne et chasse la souris au grenier.",
                    "Les abeilles butinent les fleurs et font du miel.",
                ],
            ),
            doc(
                "b",
                &[
                    "La ruche des abeilles produit un miel de fleurs sauvages.",
                    "Le marché du samedi vend des légumes et du fromage.",
                ],
            ),
            doc(
                "c",
                &[
                    "Un chat qui ronronne chasse mieux la souris.",
                    "Au marché, légumes et fromage se vendent le samedi.",
                ],
            ),
        ];
        let r = related_sections(&docs, &index(&docs, &[], 0), &loose());
        assert_eq!(targets(&r[0][0])[0], (2, 0), "cats");
        assert_eq!(targets(&r[0][1])[0], (1, 0), "bees");
        assert_eq!(targets(&r[1][1])[0], (2, 1), "market");
        let cats = &r[0][0][0];
        assert!(cats.shared.is_empty());
        let words = cats.terms.words(&docs[0].sections[0]);
        assert!(words.contains(&"ronronne".to_string()), "{cats:?}");
        assert!(cats.score > 0.0 && cats.score <= 1.0);
    }

    #[test]
    fn a_shared_rare_topic_outranks_a_shared_common_one() {
        // Topic 0 is on every section, topic 1 on two; the texts share nothing.
        let docs = [
            doc("a", &["alpha beta"]),
            doc("b", &["gamma delta"]),
            doc("c", &["epsilon zeta"]),
            doc("d", &["eta theta"]),
        ];
        let idx = index(&docs, &[&[&[0, 1]], &[&[0]], &[&[0, 1]], &[&[0]]], 2);
        let r = related_sections(&docs, &idx, &loose());
        assert_eq!(targets(&r[0][0])[0], (2, 0));
        assert_eq!(r[0][0][0].shared, vec![1, 0], "rarest first");
        assert!(r[0][0][0].terms.is_empty());
    }

    #[test]
    fn same_document_links_are_off_unless_asked() {
        let docs = [
            doc("a", &["homophilie réseaux", "homophilie réseaux bulles"]),
            doc("b", &["homophilie bulles"]),
        ];
        let idx = index(&docs, &[], 0);
        let r = related_sections(&docs, &idx, &loose());
        assert_eq!(targets(&r[0][0]), vec![(1, 0)]);
        let with_same = RelatedSettings {
            same_document: true,
            ..loose()
        };
        let r = related_sections(&docs, &idx, &with_same);
        assert_eq!(targets(&r[0][0])[0], (0, 1));
        assert!(!targets(&r[0][0]).contains(&(0, 0)), "never itself");
    }

    #[test]
    fn lists_are_capped_overall_per_document_and_by_score() {
        let text = "homophilie bulles filtres";
        let docs: Vec<Document> = (0..8)
            .map(|i| doc(&format!("d{i}"), &[text, text, text]))
            .collect();
        let idx = index(&docs, &[], 0);
        let r = related_sections(&docs, &idx, &loose());
        assert_eq!(r[0][0].len(), 5);
        for d in 1..8 {
            assert!(r[0][0].iter().filter(|x| x.target.doc == d).count() <= 2);
        }
        let strict = RelatedSettings {
            min_score: 0.99,
            ..loose()
        };
        assert!(related_sections(&docs, &idx, &strict)[0][0].is_empty());
    }

    #[test]
    fn sections_without_words_or_topics_have_no_links() {
        let docs = [doc("a", &["", "les de la"]), doc("b", &["homophilie"])];
        let r = related_sections(&docs, &index(&docs, &[], 0), &loose());
        assert!(r[0][0].is_empty() && r[0][1].is_empty() && r[1][0].is_empty());
    }
}
