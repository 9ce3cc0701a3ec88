//! Where the map's labels go: greedily, largest topics first, each at the
//! first free spot right of its node, else left, below, above, else right or
//! left at growing vertical offsets (then drawn with a leader line). A spot
//! is free when it overlaps no label already placed and no node, so no two
//! labels and no label and node ever overlap, whatever the number of topics.

use super::{GAP, LABEL_HEIGHT, Rect, label_width};

/// Places each label (in `order`) at the first free spot: right of its node,
/// left, below, above, then right or left at growing vertical offsets.
pub(super) fn place(
    pos: &[(f64, f64)],
    radii: &[f64],
    labels: &[&str],
    order: &[usize],
) -> Vec<(Rect, bool)> {
    let n = pos.len();
    let circle = |i: usize| Rect {
        x: pos[i].0 - radii[i] - GAP,
        y: pos[i].1 - radii[i] - GAP,
        w: 2.0 * (radii[i] + GAP),
        h: 2.0 * (radii[i] + GAP),
    };
    let nodes: Vec<Rect> = (0..n).map(circle).collect();
    let mut placed: Vec<Option<(Rect, bool)>> = vec![None; n];
    let mut taken: Vec<Rect> = Vec::with_capacity(n);
    for &i in order {
        let (x, y, r) = (pos[i].0, pos[i].1, radii[i]);
        let w = label_width(labels[i]);
        let h = LABEL_HEIGHT;
        let right = x + r + GAP;
        let left = x - r - GAP - w;
        let beside = y - h / 2.0;
        let mut spots = vec![
            (right, beside),
            (left, beside),
            (x - w / 2.0, y + r + GAP),
            (x - w / 2.0, y - r - GAP - h),
        ];
        // Further and further up and down: some spot is always free, since
        // only finitely many boxes can be in the way.
        for m in 1..=2 * n + 2 {
            let dy = m as f64 * (h + GAP);
            spots.extend([
                (right, beside + dy),
                (right, beside - dy),
                (left, beside + dy),
                (left, beside - dy),
            ]);
        }
        let free = |rect: &Rect| {
            !taken.iter().any(|t| t.overlaps(rect))
                && !nodes
                    .iter()
                    .enumerate()
                    .any(|(j, c)| j != i && c.overlaps(rect))
        };
        let mut chosen = None;
        for (k, &(lx, ly)) in spots.iter().enumerate() {
            let rect = Rect { x: lx, y: ly, w, h };
            if free(&rect) {
                chosen = Some((rect, k >= 4));
                break;
            }
        }
        let (rect, leader) = chosen.unwrap_or((
            Rect {
                x: right,
                y: beside,
                w,
                h,
            },
            false,
        ));
        taken.push(rect);
        placed[i] = Some((rect, leader));
    }
    placed
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            p.unwrap_or((
                Rect {
                    x: pos[i].0,
                    y: pos[i].1,
                    w: 0.0,
                    h: 0.0,
                },
                false,
            ))
        })
        .collect()
}
