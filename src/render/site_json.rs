//! `site.json`: the site's model for other tools (search, link checkers,
//! editors). Documented in docs/site-json.md; URLs are relative to the output
//! root, like every link of the site.
//!
//! It is written compact (no indentation: pretty-printed, it was 174 MB of a
//! 10,000-document site instead of 94 MB, for the same data; `jq .` shows
//! it indented) and ends with a line break.
//!
//! It is streamed and built in parallel: entries are serialized a wave at a
//! time, in parallel, and written in order, so a 100,000-document site (over
//! half a gigabyte of JSON) neither holds its JSON in memory nor waits for
//! one thread to write it all. The bytes are exactly those of
//! `serde_json::to_writer` over the whole model (a unit test holds the
//! writer to it).

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::Serializer;

use super::topic_page;
use super::urls::{UrlTable, Urls};
use crate::link::Site;
use crate::model::SectionRef;

/// Entries serialized in parallel before being written: bounds memory.
const WAVE: usize = 1024;
/// Entries per buffer within a wave.
const CHUNK: usize = 64;

/// Writes the JSON text of the site's model into `out`.
pub fn write_site_json(
    site: &Site,
    urls: &Urls,
    table: &UrlTable,
    out: &mut impl Write,
) -> io::Result<()> {
    let related = &site.config.related;
    let settings = SettingsJson {
        inline_links: site.config.inline_links.as_str(),
        related: RelatedSettingsJson {
            max: related.max,
            min_score: related.min_score,
            same_document: related.same_document,
        },
    };
    out.write_all(b"{\"settings\":")?;
    serde_json::to_writer(&mut *out, &settings)?;
    out.write_all(b",\"documents\":")?;
    write_array(out, site.documents.len(), |d, buf| {
        serde_json::to_writer(buf, &doc_json(site, table, d))
    })?;
    out.write_all(b",\"topics\":")?;
    write_array(out, site.catalog.len(), |t, buf| {
        serde_json::to_writer(buf, &topic_json(site, urls, table, t))
    })?;
    out.write_all(b"}\n")
}

/// Writes a JSON array, `item(i, buf)` appending element `i` to `buf`.
fn write_array<W, F>(out: &mut W, n: usize, item: F) -> io::Result<()>
where
    W: Write + ?Sized,
    F: Fn(usize, &mut Vec<u8>) -> serde_json::Result<()> + Sync,
{
    out.write_all(b"[")?;
    for wave in (0..n).step_by(WAVE) {
        let end = (wave + WAVE).min(n);
        let chunks: Vec<io::Result<Vec<u8>>> = (wave..end)
            .step_by(CHUNK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|start| {
                let mut buf = Vec::new();
                for i in start..(start + CHUNK).min(end) {
                    if i > 0 {
                        buf.push(b',');
                    }
                    item(i, &mut buf)?;
                }
                Ok(buf)
            })
            .collect();
        for chunk in chunks {
            out.write_all(&chunk?)?;
        }
    }
    out.write_all(b"]")
}

/// The `site.toml` settings that shaped the links.
#[derive(Serialize)]
struct SettingsJson {
    inline_links: &'static str,
    related: RelatedSettingsJson,
}

#[derive(Serialize)]
struct RelatedSettingsJson {
    max: usize,
    min_score: f64,
    same_document: bool,
}

#[derive(Serialize)]
struct DocJson<'a> {
    slug: &'a str,
    title: &'a str,
    /// Path under `content/`.
    source: &'a str,
    url: &'a str,
    topics: Vec<&'a str>,
    sections: Vec<SectionJson<'a>>,
}

#[derive(Serialize)]
struct SectionJson<'a> {
    id: &'a str,
    title: &'a str,
    level: u8,
    url: &'a str,
    source_lines: [usize; 2],
    topics: Vec<&'a str>,
    related: Vec<RelatedJson<'a>>,
    backlinks: Vec<&'a str>,
}

#[derive(Serialize)]
struct RelatedJson<'a> {
    url: &'a str,
    score: f64,
    topics: Vec<&'a str>,
    terms: Vec<&'a str>,
}

#[derive(Serialize)]
struct TopicJson<'a> {
    slug: &'a str,
    name: &'a str,
    url: &'a str,
    aliases: &'a [String],
    related: Vec<&'a str>,
    relations: Vec<RelationJson<'a>>,
    /// Every section carrying the topic.
    sections: TopicSections<'a>,
    /// The topic's pages: `url` first, then `page/2/`… when it has more
    /// sections than a page holds.
    pages: Vec<String>,
}

#[derive(Serialize)]
struct RelationJson<'a> {
    slug: &'a str,
    shared_sections: usize,
    strength: f64,
    explicit: bool,
}

/// A topic's section URLs, produced while serializing: a common topic of a
/// large site has tens of thousands.
struct TopicSections<'a>(&'a Site, &'a UrlTable, usize);

impl Serialize for TopicSections<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let TopicSections(site, table, t) = *self;
        serializer.collect_seq(site.topics.postings[t].iter().map(|&r| table.section(r)))
    }
}

fn doc_json<'a>(site: &'a Site, table: &'a UrlTable, d: usize) -> DocJson<'a> {
    let doc = &site.documents[d];
    DocJson {
        slug: &doc.slug,
        title: &doc.title,
        source: &doc.source,
        url: table.document(d),
        topics: site.topics.documents[d]
            .iter()
            .map(|&t| site.topic_slug(t))
            .collect(),
        sections: doc
            .sections
            .iter()
            .enumerate()
            .map(|(s, sec)| SectionJson {
                id: &sec.id,
                title: &sec.title,
                level: sec.level,
                url: table.section(SectionRef { doc: d, section: s }),
                source_lines: [sec.lines.0, sec.lines.1],
                topics: site.topics.sections[d][s]
                    .iter()
                    .map(|t| site.topic_slug(t.topic))
                    .collect(),
                related: site.related[d][s]
                    .iter()
                    .map(|r| RelatedJson {
                        url: table.section(r.target()),
                        score: round3(r.score),
                        topics: r
                            .shared(&site.reasons)
                            .map(|t| site.topic_slug(t))
                            .collect(),
                        terms: r.words(&site.reasons),
                    })
                    .collect(),
                backlinks: site.links.backlinks[d][s]
                    .iter()
                    .map(|&b| table.section(b))
                    .collect(),
            })
            .collect(),
    }
}

fn topic_json<'a>(site: &'a Site, urls: &Urls, table: &'a UrlTable, t: usize) -> TopicJson<'a> {
    let topic = &site.catalog.topics[t];
    let pages = topic_page::split(&site.topics.postings[t], site.config.topic_page_size).len();
    TopicJson {
        slug: &topic.slug,
        name: &topic.name,
        url: table.topic(t),
        aliases: &topic.aliases,
        related: site.topic_relations[t]
            .iter()
            .map(|r| site.topic_slug(r.topic))
            .collect(),
        relations: site.topic_relations[t]
            .iter()
            .map(|r| RelationJson {
                slug: site.topic_slug(r.topic),
                shared_sections: r.shared_sections,
                strength: round3(r.strength),
                explicit: r.explicit,
            })
            .collect(),
        sections: TopicSections(site, table, t),
        pages: (1..=pages)
            .map(|n| urls.topic_page(&topic.slug, n))
            .collect(),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The parallel writer gives serde_json's own output, across chunks and
    /// waves.
    #[test]
    fn arrays_match_serde_json_output() {
        for n in [0, 1, 2, CHUNK + 3, WAVE + CHUNK + 1] {
            let items: Vec<serde_json::Value> = (0..n)
                .map(|i| json!({"i": i, "s": "a\nb \"q\"", "l": [i, {"x": []}], "e": {}}))
                .collect();
            let want = serde_json::to_string(&json!({ "documents": items })).unwrap();
            let mut got = b"{\"documents\":".to_vec();
            write_array(&mut got, n, |i, buf| serde_json::to_writer(buf, &items[i])).unwrap();
            got.extend_from_slice(b"}");
            assert_eq!(String::from_utf8(got).unwrap(), want, "n = {n}");
        }
    }
}
