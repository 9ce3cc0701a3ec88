//! The topic map as inline SVG for the topic index: one circle per topic,
//! sized by its sections and linking to its page, one line per drawn
//! relation, thicker and darker as the relation is stronger. No script: the
//! links are plain SVG `<a href>`. Colours come from the stylesheet (classes
//! `topic-map__…`), with presentation attributes as a fallback, so the map
//! follows the light and dark themes. The output is a pure function of the
//! layout (`link::map`), so two builds give the same bytes.

use std::fmt::Write;

use crate::link::Site;
use crate::link::map::{FONT_SIZE, TopicMap};
use crate::structure::push_escaped;

use super::urls::Urls;

/// Maps up to this wide are shrunk to the page's width.
const FIT_WIDTH: f64 = 1200.0;

/// The `<svg>` element of the site's topic map; links are prefixed with
/// `root`, the way from the page holding the map to the output root.
pub fn map_svg(site: &Site, urls: &Urls, root: &str) -> String {
    let map: &TopicMap = &site.topic_map;
    let mut out = String::new();
    let (w, h) = (map.width, map.height);
    // `write!` into a String cannot fail; the results are ignored on purpose.
    // A map about as wide as the page is shrunk to fit it (its text stays
    // legible); a larger one keeps its size and scrolls.
    let class = if w <= FIT_WIDTH {
        "topic-map topic-map--fit"
    } else {
        "topic-map"
    };
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="{class}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" aria-labelledby="carte-des-sujets-titre">"#
    );
    let _ = write!(
        out,
        "\n<title id=\"carte-des-sujets-titre\">Carte des sujets : chaque sujet est un lien vers sa page ; les sujets reliés partagent des sections</title>"
    );
    let max = map
        .edges
        .iter()
        .map(|e| e.strength)
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    out.push_str("\n<g class=\"topic-map__edges\" stroke=\"#8a8a8a\" stroke-linecap=\"round\">");
    for e in &map.edges {
        let (Some(a), Some(b)) = (map.nodes.get(e.a), map.nodes.get(e.b)) else {
            continue;
        };
        let rel = e.strength / max;
        let _ = write!(
            out,
            "\n<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke-width=\"{}\" stroke-opacity=\"{}\"/>",
            n1(a.x),
            n1(a.y),
            n1(b.x),
            n1(b.y),
            n1(0.75 + 3.25 * rel),
            n2(0.25 + 0.55 * rel)
        );
    }
    out.push_str("\n</g>\n<g class=\"topic-map__leaders\" stroke=\"#8a8a8a\">");
    for node in map.nodes.iter().filter(|n| n.leader) {
        let l = &node.label;
        let ly = l.y + l.h / 2.0;
        let lx = if l.x > node.x { l.x } else { l.x + l.w };
        let _ = write!(
            out,
            "\n<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            n1(node.x),
            n1(node.y),
            n1(lx),
            n1(ly)
        );
    }
    let _ = write!(
        out,
        "\n</g>\n<g class=\"topic-map__nodes\" font-size=\"{FONT_SIZE}\">"
    );
    for (t, node) in map.nodes.iter().enumerate() {
        let Some(topic) = site.catalog.topics.get(t) else {
            continue;
        };
        let count = site.topics.postings.get(t).map_or(0, Vec::len);
        let class = if count == 0 {
            "topic-map__node topic-map__node--empty"
        } else {
            "topic-map__node"
        };
        let _ = write!(
            out,
            "\n<a class=\"{class}\" href=\"{root}{}\"><title>",
            urls.topic(&topic.slug)
        );
        push_escaped(&mut out, &topic.name);
        let _ = write!(
            out,
            " · {count} section{}</title><circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#3b6ea8\"/><text x=\"{}\" y=\"{}\">",
            if count > 1 { "s" } else { "" },
            n1(node.x),
            n1(node.y),
            n1(node.r),
            n1(node.label.x + 1.0),
            n1(node.label.y + node.label.h - 4.0)
        );
        push_escaped(&mut out, &topic.name);
        out.push_str("</text></a>");
    }
    out.push_str("\n</g>\n</svg>");
    out
}

/// One decimal: enough for a pixel grid, and stable text.
fn n1(x: f64) -> String {
    format!("{x:.1}")
}

fn n2(x: f64) -> String {
    format!("{x:.2}")
}
