//! Where the map's nodes go: each connected group of topics is laid out on
//! its own by a force-directed simulation (Fruchterman and Reingold, 1991),
//! then the groups are packed in rows, largest first, the way Graphviz packs
//! components. Laying groups out apart keeps the repulsion of a large group
//! from flinging a small one (or a lone topic) to the far edge of the map.
//!
//! In a group, every pair of topics repels (`IDEAL² / d`), related topics
//! attract (`w · d² / IDEAL`, `w` growing with the relation's strength) and
//! a pull towards the centre (`GRAVITY · d`) keeps the group round. Topics
//! start on a sunflower spiral, the largest in the middle, and the simulation
//! runs a fixed number of steps with a linearly cooling temperature: no
//! randomness, no hash order, so the same input gives the same map.

use super::{GAP, IDEAL, LABEL_HEIGHT, MapEdge, label_width};

const ITERATIONS: usize = 300;
/// Pull towards the centre, relative to repulsion: with 1, a group of `n`
/// topics fills a disc of about `IDEAL·√n` in radius.
const GRAVITY: f64 = 1.0;
/// Room between packed groups.
const SPACING: f64 = IDEAL / 2.0;

/// Node positions (centres), for nodes of radii `radii` labelled `labels`,
/// sized `sizes`, joined by `edges`. The top left of the whole is near (0, 0).
pub(super) fn positions(
    radii: &[f64],
    labels: &[&str],
    sizes: &[usize],
    edges: &[&MapEdge],
) -> Vec<(f64, f64)> {
    let n = radii.len();
    let groups = components(n, edges);
    let mut group_of = vec![0; n];
    for (g, members) in groups.iter().enumerate() {
        for &m in members {
            group_of[m] = g;
        }
    }
    let mut group_edges: Vec<Vec<&MapEdge>> = vec![Vec::new(); groups.len()];
    for e in edges {
        group_edges[group_of[e.a]].push(e);
    }
    let mut pos = vec![(0.0, 0.0); n];
    let mut boxes = Vec::with_capacity(groups.len());
    for (members, edges) in groups.iter().zip(&group_edges) {
        simulate(members, sizes, edges, &mut pos);
        // The group's box holds its nodes and a label right of each.
        let (mut x0, mut y0) = (f64::INFINITY, f64::INFINITY);
        let (mut x1, mut y1) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for &m in members {
            let (x, y) = pos[m];
            let half = radii[m].max(LABEL_HEIGHT / 2.0);
            x0 = x0.min(x - radii[m]);
            x1 = x1.max(x + radii[m] + GAP + label_width(labels[m]));
            y0 = y0.min(y - half);
            y1 = y1.max(y + half);
        }
        boxes.push((x0, y0, x1 - x0, y1 - y0));
    }
    let origins = pack(&boxes);
    for ((members, &(x0, y0, _, _)), (ox, oy)) in groups.iter().zip(&boxes).zip(origins) {
        for &m in members {
            pos[m] = (pos[m].0 - x0 + ox, pos[m].1 - y0 + oy);
        }
    }
    pos
}

/// Connected components, largest first (then by smallest member); members
/// in index order.
fn components(n: usize, edges: &[&MapEdge]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for e in edges {
        let (a, b) = (root(&mut parent, e.a), root(&mut parent, e.b));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut by_root: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        let r = root(&mut parent, i);
        by_root[r].push(i);
    }
    let mut groups: Vec<Vec<usize>> = by_root.into_iter().filter(|g| !g.is_empty()).collect();
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    groups
}

/// Lays out one group around (0, 0), writing `pos` of its members.
fn simulate(members: &[usize], sizes: &[usize], edges: &[&MapEdge], pos: &mut [(f64, f64)]) {
    let n = members.len();
    // The sunflower (Vogel) spiral, largest first, rounded so that no
    // last-bit difference of `sin`/`cos` between platforms survives.
    let golden_angle = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    let mut order = members.to_vec();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    for (rank, &i) in order.iter().enumerate() {
        let radius = IDEAL * (rank as f64 + 0.5).sqrt();
        let angle = rank as f64 * golden_angle;
        let round = |v: f64| (v * 100.0).round() / 100.0;
        pos[i] = (round(radius * angle.cos()), round(radius * angle.sin()));
    }
    if n < 2 {
        pos[members[0]] = (0.0, 0.0);
        return;
    }
    let k2 = IDEAL * IDEAL;
    let max_strength = edges
        .iter()
        .map(|e| e.strength)
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let start_temp = IDEAL * (n as f64).sqrt() / 2.0;
    let mut disp = vec![(0.0f64, 0.0f64); pos.len()];
    for step in 0..ITERATIONS {
        for &i in members {
            disp[i] = (0.0, 0.0);
        }
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                let (dx, dy, d) = offset(pos, i, j);
                let f = k2 / d;
                disp[i].0 += dx / d * f;
                disp[i].1 += dy / d * f;
                disp[j].0 -= dx / d * f;
                disp[j].1 -= dy / d * f;
            }
        }
        for e in edges {
            let (dx, dy, d) = offset(pos, e.a, e.b);
            let weight = 0.2 + 0.8 * e.strength / max_strength;
            let f = weight * d * d / IDEAL;
            disp[e.a].0 -= dx / d * f;
            disp[e.a].1 -= dy / d * f;
            disp[e.b].0 += dx / d * f;
            disp[e.b].1 += dy / d * f;
        }
        let temp = start_temp * (1.0 - step as f64 / ITERATIONS as f64) + 0.5;
        for &i in members {
            let (p, d) = (&mut pos[i], disp[i]);
            let dx = d.0 - GRAVITY * p.0;
            let dy = d.1 - GRAVITY * p.1;
            let len = (dx * dx + dy * dy).sqrt();
            if len > 0.0 {
                let moved = len.min(temp);
                p.0 += dx / len * moved;
                p.1 += dy / len * moved;
            }
        }
    }
}

/// `pos[i] − pos[j]` and its length, never zero: coincident nodes are pushed
/// apart along a direction fixed by their indices.
fn offset(pos: &[(f64, f64)], i: usize, j: usize) -> (f64, f64, f64) {
    let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
    let d = (dx * dx + dy * dy).sqrt();
    if d > 0.01 {
        (dx, dy, d)
    } else {
        let angle = (i * 7 + j * 13) as f64;
        (0.01 * angle.cos(), 0.01 * angle.sin(), 0.01)
    }
}

/// Shelf packing: boxes `(x, y, w, h)` left to right in rows about as wide
/// as the whole is tall; returns each box's top-left corner.
fn pack(boxes: &[(f64, f64, f64, f64)]) -> Vec<(f64, f64)> {
    let area: f64 = boxes
        .iter()
        .map(|b| (b.2 + SPACING) * (b.3 + SPACING))
        .sum();
    let widest = boxes.iter().map(|b| b.2).fold(0.0f64, f64::max);
    let row_width = widest.max(area.sqrt() * 1.2);
    let (mut x, mut y, mut row_height) = (0.0f64, 0.0f64, 0.0f64);
    boxes
        .iter()
        .map(|&(_, _, w, h)| {
            if x > 0.0 && x + w > row_width {
                x = 0.0;
                y += row_height + SPACING;
                row_height = 0.0;
            }
            let at = (x, y);
            x += w + SPACING;
            row_height = row_height.max(h);
            at
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: usize, b: usize) -> MapEdge {
        MapEdge {
            a,
            b,
            strength: 0.5,
        }
    }

    #[test]
    fn components_are_largest_first() {
        let edges = [edge(3, 4), edge(4, 5), edge(0, 1)];
        let refs: Vec<&MapEdge> = edges.iter().collect();
        assert_eq!(
            components(7, &refs),
            vec![vec![3, 4, 5], vec![0, 1], vec![2], vec![6]]
        );
    }

    #[test]
    fn packed_boxes_do_not_overlap() {
        let boxes: Vec<(f64, f64, f64, f64)> = (0..30)
            .map(|i| {
                (
                    0.0,
                    0.0,
                    40.0 + (i % 7) as f64 * 30.0,
                    20.0 + (i % 3) as f64 * 50.0,
                )
            })
            .collect();
        let at = pack(&boxes);
        for i in 0..boxes.len() {
            for j in i + 1..boxes.len() {
                let (a, b) = ((at[i], boxes[i]), (at[j], boxes[j]));
                let apart = a.0.0 + a.1.2 <= b.0.0
                    || b.0.0 + b.1.2 <= a.0.0
                    || a.0.1 + a.1.3 <= b.0.1
                    || b.0.1 + b.1.3 <= a.0.1;
                assert!(apart, "boxes {i} and {j}");
            }
        }
    }
}
