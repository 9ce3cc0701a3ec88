//! The topic map: where each topic sits on the map of the topic index, and
//! where its label goes. Rendering turns it into SVG (`render::map_svg`).
//!
//! Nodes are placed by a force-directed layout (`force`: Fruchterman and
//! Reingold, 1991, one connected group at a time, groups packed in rows),
//! labels by a greedy search for free room (`labels`). The layout is written
//! here rather than taken from a crate: `forceatlas2` is AGPL-licensed and
//! needs nightly Rust, `fdg-sim` has not been released since 2022 and starts
//! from random positions, `force_graph` has no edge weights, and `layout-rs`
//! draws layered (DOT) graphs, which do not suit an undirected co-occurrence
//! graph. Everything is deterministic: the same topics and relations give the
//! same map, byte for byte once written.

use crate::model::TopicId;
use crate::topics::TopicIndex;
use crate::topics::catalog::Catalog;

use super::relations::{cooccurrences, jaccard};

mod force;
mod labels;

/// The laid-out map, in pixels, with its origin at the top left.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicMap {
    pub width: f64,
    pub height: f64,
    /// `nodes[topic]`, in catalog order.
    pub nodes: Vec<MapNode>,
    pub edges: Vec<MapEdge>,
}

/// One topic on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapNode {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// Where the label's box lies; its text starts at the left edge.
    pub label: Rect,
    /// The label had to move away from its node: draw a line to it.
    pub leader: bool,
}

/// A drawn relation between two topics (`a < b`).
#[derive(Debug, Clone, PartialEq)]
pub struct MapEdge {
    pub a: TopicId,
    pub b: TopicId,
    /// Jaccard index of the topics' section sets.
    pub strength: f64,
}

/// An axis-aligned box: top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// Label font size, in pixels; the stylesheet uses the same.
pub const FONT_SIZE: f64 = 12.0;
/// Width of a character of the label font, generously estimated (no font
/// metrics at build time): 0.6 em.
const CHAR_WIDTH: f64 = 0.6 * FONT_SIZE;
const LABEL_HEIGHT: f64 = FONT_SIZE + 4.0;
/// Room kept between a node and its label, and around the map.
const GAP: f64 = 3.0;
const MARGIN: f64 = 12.0;
/// Ideal distance between two nodes (the `k` of Fruchterman–Reingold).
const IDEAL: f64 = 80.0;
/// Relations drawn per topic, strongest first: enough to show clusters,
/// few enough for a map of hundreds of topics to stay readable.
const EDGES_PER_TOPIC: usize = 3;
const MIN_RADIUS: f64 = 3.0;
const MAX_RADIUS: f64 = 16.0;

/// Lays out the map of a site's topics.
pub fn topic_map(index: &TopicIndex, catalog: &Catalog) -> TopicMap {
    let sizes: Vec<usize> = (0..catalog.len())
        .map(|t| index.postings.get(t).map_or(0, Vec::len))
        .collect();
    let mut pairs: Vec<MapEdge> = cooccurrences(index)
        .into_iter()
        .filter(|((a, b), _)| *a < sizes.len() && *b < sizes.len())
        .map(|((a, b), shared)| MapEdge {
            a,
            b,
            strength: jaccard(sizes[a], sizes[b], shared),
        })
        .collect();
    pairs.sort_by_key(|e| (e.a, e.b));
    let labels: Vec<&str> = catalog.topics.iter().map(|t| t.name.as_str()).collect();
    layout(&labels, &sizes, &strongest_edges(pairs, sizes.len()))
}

/// Keeps each topic's `EDGES_PER_TOPIC` strongest relations (an edge stays
/// if it is among the strongest of either end), in `(a, b)` order.
fn strongest_edges(pairs: Vec<MapEdge>, n: usize) -> Vec<MapEdge> {
    let mut by_topic: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in pairs.iter().enumerate() {
        by_topic[e.a].push(i);
        by_topic[e.b].push(i);
    }
    let mut keep = vec![false; pairs.len()];
    for list in &mut by_topic {
        list.sort_by(|&i, &j| {
            pairs[j]
                .strength
                .total_cmp(&pairs[i].strength)
                .then(i.cmp(&j))
        });
        for &i in list.iter().take(EDGES_PER_TOPIC) {
            keep[i] = true;
        }
    }
    pairs
        .into_iter()
        .zip(keep)
        .filter_map(|(e, k)| k.then_some(e))
        .collect()
}

/// Lays out nodes labelled `labels`, sized by `sizes` (sections), joined by
/// `edges`. Pure and deterministic.
pub fn layout(labels: &[&str], sizes: &[usize], edges: &[MapEdge]) -> TopicMap {
    let n = labels.len().min(sizes.len());
    let max_size = sizes.iter().copied().max().unwrap_or(0).max(1) as f64;
    let radii: Vec<f64> = sizes[..n]
        .iter()
        .map(|&s| {
            if s == 0 {
                MIN_RADIUS
            } else {
                MIN_RADIUS + 1.0 + (MAX_RADIUS - MIN_RADIUS - 1.0) * (s as f64 / max_size).sqrt()
            }
        })
        .collect();
    let edges: Vec<&MapEdge> = edges.iter().filter(|e| e.a < n && e.b < n).collect();
    let pos = force::positions(&radii, labels, &sizes[..n], &edges);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let placed = labels::place(&pos, &radii, labels, &order);
    frame(pos, radii, placed, edges.into_iter().cloned().collect())
}

/// Estimated width of a label's text, in pixels.
fn label_width(label: &str) -> f64 {
    CHAR_WIDTH * label.chars().count() as f64 + 2.0
}

/// Moves everything so that the map starts at `MARGIN` from the top left,
/// and sizes the map to hold every node and label.
fn frame(
    pos: Vec<(f64, f64)>,
    radii: Vec<f64>,
    labels: Vec<(Rect, bool)>,
    edges: Vec<MapEdge>,
) -> TopicMap {
    let mut min = (f64::INFINITY, f64::INFINITY);
    let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for ((p, r), (l, _)) in pos.iter().zip(&radii).zip(&labels) {
        min = (min.0.min(p.0 - r).min(l.x), min.1.min(p.1 - r).min(l.y));
        max = (
            max.0.max(p.0 + r).max(l.x + l.w),
            max.1.max(p.1 + r).max(l.y + l.h),
        );
    }
    if pos.is_empty() {
        min = (0.0, 0.0);
        max = (0.0, 0.0);
    }
    let (sx, sy) = (MARGIN - min.0, MARGIN - min.1);
    let nodes = pos
        .into_iter()
        .zip(radii)
        .zip(labels)
        .map(|(((x, y), r), (l, leader))| MapNode {
            x: x + sx,
            y: y + sy,
            r,
            label: Rect {
                x: l.x + sx,
                y: l.y + sy,
                ..l
            },
            leader,
        })
        .collect();
    TopicMap {
        width: (max.0 - min.0 + 2.0 * MARGIN).ceil(),
        height: (max.1 - min.1 + 2.0 * MARGIN).ceil(),
        nodes,
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic catalog of `n` topics in clusters of five, with labels
    /// of varied length.
    fn synthetic(n: usize) -> (Vec<String>, Vec<usize>, Vec<MapEdge>) {
        let labels = (0..n)
            .map(|i| format!("sujet {i} {}", "x".repeat(i % 17)))
            .collect();
        let sizes = (0..n).map(|i| 1 + (i * 37) % 60).collect();
        let mut edges = Vec::new();
        for i in 0..n {
            let j = (i / 5) * 5 + (i + 1) % 5;
            if j < n && i < j {
                edges.push(MapEdge {
                    a: i,
                    b: j,
                    strength: 0.1 + (i % 7) as f64 / 10.0,
                });
            }
        }
        (labels, sizes, edges)
    }

    fn check_no_overlap(map: &TopicMap) {
        let n = map.nodes.len();
        for i in 0..n {
            let a = &map.nodes[i];
            assert!(a.label.x >= 0.0 && a.label.y >= 0.0);
            assert!(a.label.x + a.label.w <= map.width && a.label.y + a.label.h <= map.height);
            for j in 0..n {
                if i == j {
                    continue;
                }
                let b = &map.nodes[j];
                assert!(!a.label.overlaps(&b.label), "labels {i} and {j} overlap");
                let circle = Rect {
                    x: b.x - b.r,
                    y: b.y - b.r,
                    w: 2.0 * b.r,
                    h: 2.0 * b.r,
                };
                assert!(!a.label.overlaps(&circle), "label {i} covers node {j}");
            }
        }
    }

    #[test]
    fn labels_never_overlap_at_16_and_300_topics() {
        for n in [16, 300] {
            let (labels, sizes, edges) = synthetic(n);
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            let map = layout(&labels, &sizes, &edges);
            assert_eq!(map.nodes.len(), n);
            check_no_overlap(&map);
            // Most labels sit beside their node.
            let moved = map.nodes.iter().filter(|x| x.leader).count();
            assert!(moved * 10 <= n, "{moved} of {n} labels moved away");
        }
    }

    #[test]
    fn layout_is_deterministic() {
        let (labels, sizes, edges) = synthetic(40);
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        assert_eq!(
            layout(&labels, &sizes, &edges),
            layout(&labels, &sizes, &edges)
        );
    }

    #[test]
    fn related_topics_end_up_closer_than_unrelated_ones() {
        let labels = ["a", "b", "c", "d"];
        let edges = [MapEdge {
            a: 0,
            b: 1,
            strength: 0.9,
        }];
        let map = layout(&labels, &[5, 5, 5, 5], &edges);
        let dist = |i: usize, j: usize| {
            let (a, b) = (&map.nodes[i], &map.nodes[j]);
            ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
        };
        assert!(dist(0, 1) < dist(2, 3), "{} vs {}", dist(0, 1), dist(2, 3));
    }

    #[test]
    fn strongest_edges_keeps_a_few_per_topic() {
        let pairs: Vec<MapEdge> = (1..10)
            .map(|b| MapEdge {
                a: 0,
                b,
                strength: b as f64 / 10.0,
            })
            .collect();
        let kept = strongest_edges(pairs, 10);
        // Every leaf keeps its only edge; topic 0 has no say beyond that.
        assert_eq!(kept.len(), 9);
        let empty = layout(&[], &[], &[]);
        assert!(empty.nodes.is_empty());
    }
}
