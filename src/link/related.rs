//! Related sections: for each section, the sections that speak of the same
//! thing, best first, each with its reason (the shared topics, and the
//! strongest shared words). The score is the dot product of the section
//! vectors of `terms` — shared rare topics and shared rare words, weighed
//! half and half — so it lies between 0 and 1. See docs/related.md.
//!
//! Sections are never compared pairwise (except on a site of at most
//! `EXACT_SECTIONS`). Each word or topic keeps a champion list, site-wide
//! and within each topic set (`champions`). A section's candidates are the
//! sections on the lists of its `query_terms` heaviest words and topics,
//! in two pools (its own topic set, the whole site) each ranked by the
//! weights met on the way; the `rescored` best of each are scored exactly.
//! The work per section is bounded by `Tuning`, so the whole costs
//! O(sections), whatever the size of the corpus.

mod champions;
mod link;

use rayon::prelude::*;

use champions::{Champion, Champions, Flat, NO_SET};

pub use super::reasons::{Reasons, Surfaces};
use super::terms::{self, NO_WORD, SectionVectors};
use crate::config::RelatedSettings;
use crate::model::Document;
use crate::topics::TopicIndex;
pub use link::{Related, RelatedSections};

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
        champions: 16,
        query_terms: 12,
        rescored: 12,
    };

    /// What the build uses for a site of `sections` sections: `DEFAULT`,
    /// or for a small site, no limit at all — every section sharing a word
    /// or topic is scored exactly, which costs little below
    /// `EXACT_SECTIONS` and gives the best lists.
    pub fn for_sections(sections: usize) -> Tuning {
        if sections <= EXACT_SECTIONS {
            Tuning {
                champions: sections,
                query_terms: usize::MAX,
                rescored: sections,
            }
        } else {
            Tuning::DEFAULT
        }
    }
}

/// Up to this many sections, the ranking is exact (see `Tuning::for_sections`).
const EXACT_SECTIONS: usize = 1000;

/// At most this many links from one section to the same document, so that
/// one long document does not fill every list.
const PER_DOCUMENT: usize = 2;

/// Shared words given as a reason.
const REASON_TERMS: usize = 3;

/// Up to `settings.max` related sections of each section.
pub fn related_sections(
    documents: &[Document],
    topics: &TopicIndex,
    settings: &RelatedSettings,
) -> RelatedSections {
    let vectors = terms::section_vectors(documents, topics);
    rank_vectors(documents, topics, vectors, settings)
}

/// `related_sections` from vectors already built and handed over, so that
/// the words they were made from can be freed first (`link::link_dropping_words`).
pub fn rank_vectors(
    documents: &[Document],
    topics: &TopicIndex,
    mut vectors: SectionVectors,
    settings: &RelatedSettings,
) -> RelatedSections {
    let tuning = Tuning::for_sections(vectors.len());
    // The ranking reads the flat copy only: each vector is freed as it is
    // copied (at 100,000 documents, some 250 MB less at the link stage's peak).
    let dims = vectors.text_dims as usize + topics.postings.len();
    let flat = Flat::from_entries(std::mem::take(&mut vectors.vectors), dims);
    let (lists, pool) = ranked(documents, topics, &vectors, flat, settings, tuning);
    RelatedSections {
        lists,
        reasons: Reasons {
            topics: pool,
            words: vectors.surfaces,
        },
    }
}

/// The ranking alone, from vectors already built and borrowed, with a
/// given `Tuning` (the quality and cost examples compare tunings with it).
pub fn rank_sections_tuned(
    documents: &[Document],
    topics: &TopicIndex,
    vectors: &SectionVectors,
    settings: &RelatedSettings,
    tuning: Tuning,
) -> RelatedSections {
    let dims = vectors.text_dims as usize + topics.postings.len();
    let flat = Flat::new(vectors, dims);
    let (lists, pool) = ranked(documents, topics, vectors, flat, settings, tuning);
    RelatedSections {
        lists,
        reasons: Reasons {
            topics: pool,
            words: vectors.surfaces.clone(),
        },
    }
}

/// A block of ranked sections: the pool of their links' shared topics, and
/// each section's list.
type Block = (Vec<u32>, Vec<(u32, Vec<Related>)>);

/// The lists, and the pool of their shared topics (`Reasons::topics`),
/// from the vectors in `flat` (`vectors` for the rest: documents, dimensions).
fn ranked(
    documents: &[Document],
    topics: &TopicIndex,
    vectors: &SectionVectors,
    flat: Flat,
    settings: &RelatedSettings,
    tuning: Tuning,
) -> (Vec<Vec<Vec<Related>>>, Vec<u32>) {
    let dims = vectors.text_dims as usize + topics.postings.len();
    let champions = Champions::new(
        &flat,
        &vectors.doc_of,
        vectors.text_dims,
        dims,
        tuning.champions,
    );
    let ctx = Ranking {
        vectors,
        flat: &flat,
        champions: &champions,
        topics,
        settings,
        tuning,
    };
    // Sections are ranked topic set by topic set: consecutive sections then
    // read the same champion lists and score many of the same candidates,
    // which stay in the CPU caches (at 100,000 documents, in site order,
    // the memory reads made the ranking cost 19 times that of 10,000).
    let order = champions.set_order();
    // Blocks of that order, each with its own scratch buffers (one of them
    // as long as the site has sections): a few blocks per thread, so that
    // the buffers cost nothing and the threads still share the work evenly.
    // Each block pools the shared topics of its links; the pools are then
    // put end to end.
    let n = vectors.len();
    let block = n.div_ceil(8 * rayon::current_num_threads()).max(1024);
    let ctx = &ctx;
    let blocks: Vec<Block> = order
        .par_chunks(block)
        .map(|chunk| {
            let mut scratch = Scratch::new(n, dims);
            let mut pool = Vec::new();
            let lists = chunk
                .iter()
                .map(|&g| (g, ctx.rank(g as usize, &mut scratch, &mut pool)))
                .collect();
            (pool, lists)
        })
        .collect();
    let mut pool: Vec<u32> = Vec::with_capacity(blocks.iter().map(|b| b.0.len()).sum());
    let mut lists: Vec<Vec<Related>> = vec![Vec::new(); n];
    for (block_pool, ranked) in blocks {
        let offset = pool.len() as u32;
        pool.extend(block_pool);
        for (g, mut list) in ranked {
            for r in list.iter_mut().filter(|r| r.has_shared()) {
                r.shared += offset;
            }
            lists[g as usize] = list;
        }
    }
    let mut lists = lists.into_iter();
    let lists = documents
        .iter()
        .map(|d| lists.by_ref().take(d.sections.len()).collect())
        .collect();
    (lists, pool)
}

/// Up to this many candidates per pool, the best are picked by insertion
/// into a sorted list rather than by selection.
const TOP_BY_INSERTION: usize = 32;

/// In `Scratch::own_entry`: a dimension the ranked section lacks.
const NOT_OWN: u32 = u32::MAX;

/// Per-block buffers, reused from one section to the next.
struct Scratch {
    /// Partial scores by section, zero unless listed in `touched`.
    partial: Vec<f32>,
    touched: Vec<u32>,
    /// The ranked section's vector spread out by dimension.
    own: Vec<f32>,
    /// Where each dimension is in the ranked section's vector, or `NOT_OWN`.
    own_entry: Vec<u32>,
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
            own_entry: vec![NOT_OWN; dims],
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
    /// The list of section `g`; the shared topics of its links go to `pool`.
    fn rank(&self, g: usize, scratch: &mut Scratch, pool: &mut Vec<u32>) -> Vec<Related> {
        self.candidates(g, scratch);
        let flat = self.flat;
        let Scratch {
            own,
            own_entry,
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
            own_entry[flat.dims[i] as usize] = i as u32;
        }
        scored.clear();
        scored.extend(candidates.iter().map(|&(h, _)| {
            let range = flat.range(h as usize);
            // Slices zipped rather than indexed: no bounds check but `own`'s.
            let dims = &flat.dims[range.clone()];
            let weights = &flat.weights[range];
            let dot: f64 = dims
                .iter()
                .zip(weights)
                .map(|(&d, &w)| f64::from(own[d as usize]) * f64::from(w))
                .sum();
            (h, dot)
        }));
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
            out.push(self.related(h as usize, score, own_entry, pool));
        }
        for i in range {
            own[flat.dims[i] as usize] = 0.0;
            own_entry[flat.dims[i] as usize] = NOT_OWN;
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
        lists: impl Iterator<Item = (f32, &'l [Champion])>,
        partial: &mut [f32],
        touched: &mut Vec<u32>,
        candidates: &mut Vec<(u32, f32)>,
        keep: usize,
    ) {
        let own_doc = self.vectors.doc_of[g];
        for (weight, list) in lists {
            for c in list {
                let (h, hu) = (c.section, c.section as usize);
                if hu == g || (!self.settings.same_document && c.doc == own_doc) {
                    continue;
                }
                let p = &mut partial[hu];
                if *p == 0.0 {
                    touched.push(h);
                }
                // Never back to zero (a product too small for f32), which
                // would list the section twice.
                *p = (*p + weight * c.weight).max(f32::MIN_POSITIVE);
            }
        }
        let from = candidates.len();
        if keep > TOP_BY_INSERTION || touched.len() <= keep {
            candidates.extend(touched.iter().map(|&h| (h, partial[h as usize])));
            for &h in touched.iter() {
                partial[h as usize] = 0.0;
            }
            let pool = &mut candidates[from..];
            if pool.len() > keep {
                pool.select_nth_unstable_by(keep - 1, by_score);
                candidates.truncate(from + keep);
            }
        } else {
            // The best `keep`, kept sorted while reading: most sections
            // met fall below the last at once. (`select_nth_unstable_by`
            // over all of them was a fifth of the ranking.)
            for &h in touched.iter() {
                let item = (h, std::mem::take(&mut partial[h as usize]));
                let pool = &candidates[from..];
                if pool.len() == keep && by_score(&item, &pool[keep - 1]).is_ge() {
                    continue;
                }
                let at = from + pool.partition_point(|c| by_score(c, &item).is_lt());
                if pool.len() == keep {
                    candidates.pop();
                }
                candidates.insert(at, item);
            }
        }
        touched.clear();
    }

    /// The link from the ranked section `g` to `h`, with its reasons (its shared topics
    /// appended to `pool`); `own_entry[dim]` is the index in `flat` of
    /// `dim`'s entry in `g`'s vector, `NOT_OWN` if absent.
    fn related(&self, h: usize, score: f64, own_entry: &[u32], pool: &mut Vec<u32>) -> Related {
        let flat = self.flat;
        let at = pool.len();
        pool.push(0);
        // The `REASON_TERMS` shared words adding most to the score, heaviest
        // first (ties to the lower dimension), as `(weight, dim, word)`.
        let mut best: [Option<(f64, u32, u32)>; REASON_TERMS] = [None; REASON_TERMS];
        for i in flat.range(h) {
            let dim = flat.dims[i];
            let k = own_entry.get(dim as usize).map_or(NOT_OWN, |&k| k);
            if k == NOT_OWN {
                continue;
            }
            let k = k as usize;
            if self.vectors.is_topic(dim) {
                pool.push(dim - self.vectors.text_dims);
                continue;
            }
            let mut item = (
                f64::from(flat.weights[k]) * f64::from(flat.weights[i]),
                dim,
                flat.words[k],
            );
            for slot in best.iter_mut() {
                match slot {
                    None => {
                        *slot = Some(item);
                        break;
                    }
                    Some(b) if item.0 > b.0 || (item.0 == b.0 && item.1 < b.1) => {
                        std::mem::swap(b, &mut item);
                    }
                    Some(_) => {}
                }
            }
        }
        let mut related = Related::new(self.vectors.target(h), score);
        let shared = &mut pool[at + 1..];
        if shared.is_empty() {
            pool.truncate(at);
        } else {
            let postings = &self.topics.postings;
            shared.sort_by_key(|&t| (postings.get(t as usize).map_or(0, Vec::len), t));
            pool[at] = (pool.len() - at - 1) as u32;
            related.shared = at as u32;
        }
        for (slot, b) in related.words.iter_mut().zip(best) {
            *slot = b.map_or(NO_WORD, |(_, _, word)| word);
        }
        related
    }
}

#[cfg(test)]
mod tests;
