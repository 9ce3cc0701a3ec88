//! The indexes the candidate search reads: the section vectors in flat
//! arrays, and champion lists — for each word or topic, the sections where
//! it weighs most (Manning, Raghavan and Schütze, *Introduction to
//! Information Retrieval*, §7.1.3) — site-wide and within each topic set.
//!
//! Why the second kind: half of the score is the topic cosine, which is 1
//! between sections with the same topics and lower otherwise, so most of a
//! section's best links carry its exact set of topics (82 % of the exact
//! top 5 on the 10,000-document benchmark corpus). The site-wide list of a
//! topic holds the sections where that topic weighs most — those with no
//! other topic — and the site-wide list of a word the sections where that
//! word weighs most whatever their topics; neither finds the sections that
//! share a two-topic section's two topics *and* its words. A champion list
//! per word within each topic set does, for no more memory than one entry
//! per word of each section.

use super::super::terms::{Entry, SectionVectors};

/// The section vectors in flat arrays: the entries of section `g` are
/// `dims[start[g]..start[g + 1]]` (and the same range of `weights` and
/// `words`), sorted by dimension (words, then topics).
pub(super) struct Flat {
    start: Vec<u32>,
    pub dims: Vec<u32>,
    pub weights: Vec<f32>,
    /// `Entry::word`.
    pub words: Vec<u32>,
}

impl Flat {
    pub fn new(vectors: &SectionVectors, dims: usize) -> Flat {
        let total: usize = vectors.vectors.iter().map(Vec::len).sum();
        let mut flat = Flat::with_capacity(vectors.vectors.len(), total);
        for v in &vectors.vectors {
            flat.push(v, dims);
        }
        flat
    }

    /// From the vectors themselves, each freed once copied.
    pub fn from_entries(vectors: Vec<Vec<Entry>>, dims: usize) -> Flat {
        let total: usize = vectors.iter().map(Vec::len).sum();
        let mut flat = Flat::with_capacity(vectors.len(), total);
        for v in vectors {
            flat.push(&v, dims);
        }
        flat
    }

    fn with_capacity(sections: usize, entries: usize) -> Flat {
        let mut start = Vec::with_capacity(sections + 1);
        start.push(0);
        Flat {
            start,
            dims: Vec::with_capacity(entries),
            weights: Vec::with_capacity(entries),
            words: Vec::with_capacity(entries),
        }
    }

    /// Adds the next section's vector.
    fn push(&mut self, v: &[Entry], dims: usize) {
        // A dimension beyond the topic index would be a bug upstream: leave
        // it out rather than index out of bounds.
        for e in v.iter().filter(|e| (e.dim as usize) < dims) {
            self.dims.push(e.dim);
            self.weights.push(e.weight);
            self.words.push(e.word);
        }
        self.start.push(self.dims.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub fn range(&self, g: usize) -> std::ops::Range<usize> {
        self.start[g] as usize..self.start[g + 1] as usize
    }
}

/// A section on a champion list, with its document: the candidate search
/// reads the lists in order, and the document here rather than in a
/// site-wide table spares it a cache miss per entry.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Champion {
    pub section: u32,
    pub weight: f32,
    pub doc: u32,
}

/// Heaviest first, ties to the earlier section.
fn heaviest(a: &Champion, b: &Champion) -> std::cmp::Ordering {
    b.weight
        .total_cmp(&a.weight)
        .then(a.section.cmp(&b.section))
}

/// Keeps the `keep` heaviest of `run`, appended to `list`.
fn keep_heaviest(run: &mut [Champion], keep: usize, list: &mut Vec<Champion>) {
    if run.len() > keep {
        run.select_nth_unstable_by(keep - 1, heaviest);
    }
    list.extend_from_slice(&run[..run.len().min(keep)]);
}

/// Champion lists, site-wide and per topic set.
pub(super) struct Champions {
    /// Site-wide: `list[start[dim]..start[dim + 1]]`.
    start: Vec<u32>,
    list: Vec<Champion>,
    /// `set_of[g]`: the topic set of section `g`, `NO_SET` if it has none.
    pub set_of: Vec<u32>,
    /// Within topic set `s`, the words with a list are
    /// `word[set_start[s]..set_start[s + 1]]` (increasing), and the list of
    /// the `i`th is `set_list[set_end[i - 1]..set_end[i]]`.
    set_start: Vec<u32>,
    word: Vec<u32>,
    set_end: Vec<u32>,
    set_list: Vec<Champion>,
}

/// The topic set of a section without topics: none (its links come from
/// words alone, and the site-wide lists find them).
pub(super) const NO_SET: u32 = u32::MAX;

impl Champions {
    /// `keep` sections per list; `doc_of[g]`: the document of section `g`;
    /// `text_dims`: the first topic dimension.
    pub fn new(flat: &Flat, doc_of: &[u32], text_dims: u32, dims: usize, keep: usize) -> Champions {
        let keep = keep.max(1);
        let set_of = topic_sets(flat, text_dims);
        // The site-wide lists come from one counting sort over every entry,
        // which stays on one thread (split over threads, it saved 19 ms of
        // 10,000 documents' build); the lists within topic sets are made
        // beside it, on the other threads.
        let ((start, list), (set_start, word, set_end, set_list)) = rayon::join(
            || site_lists(flat, doc_of, dims, keep),
            || set_lists(flat, doc_of, &set_of, text_dims, keep),
        );
        Champions {
            start,
            list,
            set_of,
            set_start,
            word,
            set_end,
            set_list,
        }
    }

    /// Every section, those of each topic set together (sets in order of
    /// first section, then the sections without topics), in site order
    /// within a set.
    pub fn set_order(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.set_of.len() as u32).collect();
        order.sort_by_key(|&g| (self.set_of[g as usize], g));
        order
    }

    /// The site-wide champions of `dim`.
    pub fn of(&self, dim: u32) -> &[Champion] {
        let d = dim as usize;
        &self.list[self.start[d] as usize..self.start[d + 1] as usize]
    }

    /// The champions of word `dim` among the sections of topic set `set`.
    pub fn within(&self, set: u32, dim: u32) -> &[Champion] {
        let s = set as usize;
        let (Some(&lo), Some(&hi)) = (self.set_start.get(s), self.set_start.get(s + 1)) else {
            return &[];
        };
        let (lo, hi) = (lo as usize, hi as usize);
        match self.word[lo..hi].binary_search(&dim) {
            Ok(i) => {
                let i = lo + i;
                let from = if i == 0 { 0 } else { self.set_end[i - 1] };
                &self.set_list[from as usize..self.set_end[i] as usize]
            }
            Err(_) => &[],
        }
    }
}

/// Numbers the distinct topic sets, in order of first section.
fn topic_sets(flat: &Flat, text_dims: u32) -> Vec<u32> {
    let mut ids: rustc_hash::FxHashMap<&[u32], u32> = rustc_hash::FxHashMap::default();
    (0..flat.len())
        .map(|g| {
            let dims = &flat.dims[flat.range(g)];
            // Topics sort after words.
            let topics = &dims[dims.partition_point(|&d| d < text_dims)..];
            if topics.is_empty() {
                return NO_SET;
            }
            let next = ids.len() as u32;
            *ids.entry(topics).or_insert(next)
        })
        .collect()
}

/// The site-wide lists (`Champions::start`, `Champions::list`): every
/// entry sorted by dimension (a counting sort), sections in increasing order
/// within a dimension, then each dimension's `keep` heaviest.
fn site_lists(flat: &Flat, doc_of: &[u32], dims: usize, keep: usize) -> (Vec<u32>, Vec<Champion>) {
    let mut start = vec![0u32; dims + 1];
    for &d in &flat.dims {
        start[d as usize + 1] += 1;
    }
    for d in 0..dims {
        start[d + 1] += start[d];
    }
    // Packed as `section << 32 | weight bits`: 8 bytes an entry rather than
    // a `Champion`'s 12, and zeroed by the allocator rather than filled; the
    // document is looked up for the kept entries only.
    let mut by_dim = vec![0u64; flat.dims.len()];
    let mut next = start.clone();
    for g in 0..flat.len() {
        for i in flat.range(g) {
            let d = flat.dims[i] as usize;
            by_dim[next[d] as usize] = ((g as u64) << 32) | u64::from(flat.weights[i].to_bits());
            next[d] += 1;
        }
    }
    let section = |x: u64| (x >> 32) as u32;
    let weight = |x: u64| f32::from_bits(x as u32);
    // `heaviest`, packed.
    let heaviest = |a: &u64, b: &u64| {
        weight(*b)
            .total_cmp(&weight(*a))
            .then(section(*a).cmp(&section(*b)))
    };
    let mut list = Vec::with_capacity(by_dim.len().min(dims.saturating_mul(keep)));
    let mut kept = Vec::with_capacity(dims + 1);
    kept.push(0u32);
    for d in 0..dims {
        let run = &mut by_dim[start[d] as usize..start[d + 1] as usize];
        if run.len() > keep {
            run.select_nth_unstable_by(keep - 1, heaviest);
        }
        list.extend(run[..run.len().min(keep)].iter().map(|&x| Champion {
            section: section(x),
            weight: weight(x),
            doc: doc_of.get(section(x) as usize).copied().unwrap_or(u32::MAX),
        }));
        kept.push(list.len() as u32);
    }
    (kept, list)
}

/// Per-topic-set word lists (see `Champions`).
type SetLists = (Vec<u32>, Vec<u32>, Vec<u32>, Vec<Champion>);

/// The lists of a run of consecutive topic sets, numbered from the run's
/// start: per set, where its words start in `word`; per word, where its list
/// ends in `list`.
#[derive(Default)]
struct SetRun {
    set_start: Vec<u32>,
    word: Vec<u32>,
    set_end: Vec<u32>,
    list: Vec<Champion>,
}

/// Topic sets handed to a thread at a time.
const SETS_PER_TASK: usize = 64;

/// The word lists of every topic set, in parallel over runs of sets: the
/// word entries of a set's sections, sorted by (word, section), make one run
/// per word, whose `keep` heaviest are its list. (A global counting sort by
/// set of the entries sorted by dimension did the same on one thread, with
/// a binary search per run for its word: twice the time at 10,000 documents.)
fn set_lists(flat: &Flat, doc_of: &[u32], set_of: &[u32], text_dims: u32, keep: usize) -> SetLists {
    use rayon::prelude::*;
    // Sections grouped by set, in site order within a set; sets are
    // numbered from 0 in order of first section, so the `s`th group is set `s`.
    let mut order: Vec<u32> = (0..set_of.len() as u32)
        .filter(|&g| set_of[g as usize] != NO_SET)
        .collect();
    order.sort_by_key(|&g| set_of[g as usize]);
    let sets: Vec<&[u32]> = order
        .chunk_by(|&a, &b| set_of[a as usize] == set_of[b as usize])
        .collect();
    let runs: Vec<SetRun> = sets
        .par_chunks(SETS_PER_TASK)
        .map_init(
            || (Vec::new(), Vec::new()),
            |(entries, run): &mut (Vec<(u64, Champion)>, Vec<Champion>), chunk| {
                let mut out = SetRun::default();
                for sections in chunk {
                    out.set_start.push(out.word.len() as u32);
                    entries.clear();
                    for &g in *sections {
                        let g = g as usize;
                        let doc = doc_of.get(g).copied().unwrap_or(u32::MAX);
                        for i in flat.range(g) {
                            let d = flat.dims[i];
                            if d >= text_dims {
                                // Topics sort after words.
                                break;
                            }
                            let c = Champion {
                                section: g as u32,
                                weight: flat.weights[i],
                                doc,
                            };
                            entries.push(((u64::from(d) << 32) | g as u64, c));
                        }
                    }
                    entries.sort_unstable_by_key(|e| e.0);
                    for same in entries.chunk_by(|a, b| a.0 >> 32 == b.0 >> 32) {
                        run.clear();
                        run.extend(same.iter().map(|e| e.1));
                        keep_heaviest(run, keep, &mut out.list);
                        out.word.push((same[0].0 >> 32) as u32);
                        out.set_end.push(out.list.len() as u32);
                    }
                }
                out
            },
        )
        .collect();
    // Put end to end, each run freed once copied.
    let words: usize = runs.iter().map(|r| r.word.len()).sum();
    let lists: usize = runs.iter().map(|r| r.list.len()).sum();
    let mut set_start = Vec::with_capacity(sets.len() + 1);
    let mut word = Vec::with_capacity(words);
    let mut set_end = Vec::with_capacity(words);
    let mut set_list = Vec::with_capacity(lists);
    for run in runs {
        let (w, l) = (word.len() as u32, set_list.len() as u32);
        set_start.extend(run.set_start.iter().map(|&s| s + w));
        word.extend_from_slice(&run.word);
        set_end.extend(run.set_end.iter().map(|&e| e + l));
        set_list.extend_from_slice(&run.list);
    }
    set_start.push(word.len() as u32);
    (set_start, word, set_end, set_list)
}
