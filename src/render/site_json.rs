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
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::Serializer;

use super::topic_page;
use super::urls::{UrlTable, Urls};
use crate::link::Site;
use crate::model::{SectionRef, TopicId};

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
        write_doc(site, table, d, buf)
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
    // Bytes and entries serialized so far, to size each buffer once rather
    // than let it double its way up (copying it each time: a sixth of the
    // file's cost).
    let done = (AtomicUsize::new(0), AtomicUsize::new(0));
    for wave in (0..n).step_by(WAVE) {
        let end = (wave + WAVE).min(n);
        let chunks: Vec<io::Result<Vec<u8>>> = (wave..end)
            .step_by(CHUNK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|start| {
                let items = (start + CHUNK).min(end) - start;
                let (bytes, count) = (
                    done.0.load(Ordering::Relaxed),
                    done.1.load(Ordering::Relaxed),
                );
                let mean = bytes.checked_div(count).unwrap_or(1024);
                let mut buf = Vec::with_capacity((mean + mean / 4) * items);
                for i in start..start + items {
                    if i > 0 {
                        buf.push(b',');
                    }
                    item(i, &mut buf)?;
                }
                done.0.fetch_add(buf.len(), Ordering::Relaxed);
                done.1.fetch_add(items, Ordering::Relaxed);
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

/// A document, its lists serialized as they are read from the site
/// (`Seq`) rather than gathered into vectors first: a `Vec` a list, three
/// a section and two a related link, were a fifth of the file's cost.
#[derive(Serialize)]
struct DocJson<'a, T, S> {
    slug: &'a str,
    title: &'a str,
    /// Path under `content/`.
    source: &'a str,
    url: &'a str,
    topics: T,
    sections: S,
}

#[derive(Serialize)]
struct SectionJson<'a, T, R, B> {
    id: &'a str,
    title: &'a str,
    level: u8,
    url: &'a str,
    source_lines: [usize; 2],
    topics: T,
    related: R,
    backlinks: B,
}

#[derive(Serialize)]
struct RelatedJson<'a, T> {
    url: &'a str,
    score: f64,
    topics: T,
    terms: Vec<String>,
}

/// A JSON array of what the iterator made by the closure yields.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
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

/// Serializes document `d` into `buf`.
fn write_doc(site: &Site, table: &UrlTable, d: usize, buf: &mut Vec<u8>) -> serde_json::Result<()> {
    let doc = &site.documents[d];
    let json = DocJson {
        slug: &doc.slug,
        title: &doc.title,
        source: &doc.source,
        url: table.document(d),
        topics: slugs(site, &site.topics.documents[d]),
        sections: Seq(|| {
            doc.sections
                .iter()
                .enumerate()
                .map(move |(s, sec)| SectionJson {
                    id: &sec.id,
                    title: &sec.title,
                    level: sec.level,
                    url: table.section(SectionRef { doc: d, section: s }),
                    source_lines: [sec.lines.0, sec.lines.1],
                    topics: Seq(move || {
                        site.topics.sections[d][s]
                            .iter()
                            .map(|t| site.topic_slug(t.topic))
                    }),
                    related: Seq(move || {
                        site.related[d][s].iter().map(move |r| RelatedJson {
                            url: table.section(r.target),
                            score: round3(r.score),
                            topics: slugs(site, &r.shared),
                            terms: r.terms.words(sec),
                        })
                    }),
                    backlinks: Seq(move || {
                        site.links.backlinks[d][s].iter().map(|&b| table.section(b))
                    }),
                })
        }),
    };
    serde_json::to_writer(buf, &json)
}

/// The slugs of `topics`, as a JSON array.
fn slugs<'a>(site: &'a Site, topics: &'a [TopicId]) -> impl Serialize + 'a {
    Seq(move || topics.iter().map(move |&t| site.topic_slug(t)))
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
