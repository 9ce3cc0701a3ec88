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
//! `serde_json::to_writer` over the whole model (unit tests hold the
//! writer and the documents written field by field to it).

use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use super::json_str::{push_f64, push_str, push_strs, push_u64};
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
        write_doc(site, table, d, buf);
        Ok(())
    })?;
    out.write_all(b",\"topics\":")?;
    write_array(out, site.catalog.len(), |t, buf| {
        write_topic(site, urls, table, t, buf);
        Ok(())
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

/// Writes document `d`'s JSON into `buf`: the bytes `serde_json` gives for
/// the same fields (a test holds it to it), its own escaping for every
/// string that needs it (`json_str`) and its formatter for every number,
/// but the structure written here. Through `Serialize` structs the
/// documents cost 0.34 s of CPU at 10,000 documents (perf), a third of it
/// serde's machinery between the values: each of the half million keys
/// escaped anew, each list gathered or walked through a compound
/// serializer.
fn write_doc(site: &Site, table: &UrlTable, d: usize, buf: &mut Vec<u8>) {
    let doc = &site.documents[d];
    buf.extend_from_slice(b"{\"slug\":");
    push_str(buf, &doc.slug);
    buf.extend_from_slice(b",\"title\":");
    push_str(buf, &doc.title);
    buf.extend_from_slice(b",\"source\":");
    push_str(buf, &doc.source);
    buf.extend_from_slice(b",\"url\":");
    push_str(buf, table.document(d));
    buf.extend_from_slice(b",\"topics\":");
    push_strs(
        buf,
        site.topics.documents[d].iter().map(|&t| site.topic_slug(t)),
    );
    buf.extend_from_slice(b",\"sections\":[");
    for (s, sec) in doc.sections.iter().enumerate() {
        if s > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"id\":");
        push_str(buf, &sec.id);
        buf.extend_from_slice(b",\"title\":");
        push_str(buf, &sec.title);
        buf.extend_from_slice(b",\"level\":");
        push_u64(buf, u64::from(sec.level));
        buf.extend_from_slice(b",\"url\":");
        push_str(buf, table.section(SectionRef { doc: d, section: s }));
        buf.extend_from_slice(b",\"source_lines\":[");
        push_u64(buf, sec.lines.0 as u64);
        buf.push(b',');
        push_u64(buf, sec.lines.1 as u64);
        buf.extend_from_slice(b"],\"topics\":");
        push_strs(
            buf,
            site.topics.sections[d][s]
                .iter()
                .map(|t| site.topic_slug(t.topic)),
        );
        buf.extend_from_slice(b",\"related\":[");
        let related = &site.related[d][s];
        let urls = table.sections(related.iter().map(|r| r.target()));
        for (k, (r, url)) in related.iter().zip(urls).enumerate() {
            if k > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(b"{\"url\":");
            push_str(buf, url);
            buf.extend_from_slice(b",\"score\":");
            push_f64(buf, round3(r.score));
            buf.extend_from_slice(b",\"topics\":");
            push_strs(buf, r.shared(&site.reasons).map(|t| site.topic_slug(t)));
            buf.extend_from_slice(b",\"terms\":");
            push_strs(buf, r.words(&site.reasons).into_iter());
            buf.push(b'}');
        }
        buf.extend_from_slice(b"],\"backlinks\":");
        push_strs(
            buf,
            table.sections(site.links.backlinks[d][s].iter().copied()),
        );
        buf.push(b'}');
    }
    buf.extend_from_slice(b"]}");
}

/// Writes topic `t`'s JSON into `buf`, as `write_doc` writes a document:
/// its `sections` are every section carrying the topic (tens of thousands
/// for a common topic of a large site).
fn write_topic(site: &Site, urls: &Urls, table: &UrlTable, t: usize, buf: &mut Vec<u8>) {
    let topic = &site.catalog.topics[t];
    let relations = &site.topic_relations[t];
    buf.extend_from_slice(b"{\"slug\":");
    push_str(buf, &topic.slug);
    buf.extend_from_slice(b",\"name\":");
    push_str(buf, &topic.name);
    buf.extend_from_slice(b",\"url\":");
    push_str(buf, table.topic(t));
    buf.extend_from_slice(b",\"aliases\":");
    push_strs(buf, topic.aliases.iter().map(String::as_str));
    buf.extend_from_slice(b",\"related\":");
    push_strs(buf, relations.iter().map(|r| site.topic_slug(r.topic)));
    buf.extend_from_slice(b",\"relations\":[");
    for (k, r) in relations.iter().enumerate() {
        if k > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"slug\":");
        push_str(buf, site.topic_slug(r.topic));
        buf.extend_from_slice(b",\"shared_sections\":");
        push_u64(buf, r.shared_sections as u64);
        buf.extend_from_slice(b",\"strength\":");
        push_f64(buf, round3(r.strength));
        buf.extend_from_slice(if r.explicit {
            b",\"explicit\":true}"
        } else {
            b",\"explicit\":false}"
        });
    }
    buf.extend_from_slice(b"],\"sections\":");
    push_strs(
        buf,
        site.topics.postings[t].iter().map(|&r| table.section(r)),
    );
    buf.extend_from_slice(b",\"pages\":[");
    let pages = topic_page::split(&site.topics.postings[t], site.config.topic_page_size).len();
    for n in 1..=pages {
        if n > 1 {
            buf.push(b',');
        }
        push_str(buf, &urls.topic_page(&topic.slug, n));
    }
    buf.extend_from_slice(b"]}");
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::build_pages;
    use crate::load::SiteInput;
    use crate::model::{SourceDoc, SourceKind};
    use serde_json::json;

    /// A topic as a `Serialize` struct, as it was written before
    /// `write_topic`.
    #[derive(Serialize)]
    struct TopicJson<'a> {
        slug: &'a str,
        name: &'a str,
        url: &'a str,
        aliases: &'a [String],
        related: Vec<&'a str>,
        relations: Vec<RelationJson<'a>>,
        sections: Vec<&'a str>,
        pages: Vec<String>,
    }

    #[derive(Serialize)]
    struct RelationJson<'a> {
        slug: &'a str,
        shared_sections: usize,
        strength: f64,
        explicit: bool,
    }

    fn serde_topic(site: &Site, urls: &Urls, table: &UrlTable, t: usize) -> String {
        let topic = &site.catalog.topics[t];
        let pages = topic_page::split(&site.topics.postings[t], site.config.topic_page_size).len();
        serde_json::to_string(&TopicJson {
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
            sections: site.topics.postings[t]
                .iter()
                .map(|&r| table.section(r))
                .collect(),
            pages: (1..=pages)
                .map(|n| urls.topic_page(&topic.slug, n))
                .collect(),
        })
        .unwrap()
    }

    /// The documents as `Serialize` structs, as they were written before
    /// `write_doc`.
    #[derive(Serialize)]
    struct Doc<'a> {
        slug: &'a str,
        title: &'a str,
        source: &'a str,
        url: &'a str,
        topics: Vec<&'a str>,
        sections: Vec<Sec<'a>>,
    }

    #[derive(Serialize)]
    struct Sec<'a> {
        id: &'a str,
        title: &'a str,
        level: u8,
        url: &'a str,
        source_lines: [usize; 2],
        topics: Vec<&'a str>,
        related: Vec<Rel<'a>>,
        backlinks: Vec<&'a str>,
    }

    #[derive(Serialize)]
    struct Rel<'a> {
        url: &'a str,
        score: f64,
        topics: Vec<&'a str>,
        terms: Vec<&'a str>,
    }

    fn serde_doc(site: &Site, table: &UrlTable, d: usize) -> String {
        let doc = &site.documents[d];
        let slugs = |ts: &[usize]| ts.iter().map(|&t| site.topic_slug(t)).collect::<Vec<_>>();
        let sections = doc
            .sections
            .iter()
            .enumerate()
            .map(|(s, sec)| Sec {
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
                    .map(|r| Rel {
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
            .collect();
        serde_json::to_string(&Doc {
            slug: &doc.slug,
            title: &doc.title,
            source: &doc.source,
            url: table.document(d),
            topics: slugs(&site.topics.documents[d]),
            sections,
        })
        .unwrap()
    }

    #[test]
    fn documents_and_topics_are_written_as_serde_json_writes_them() {
        let doc = |title: &str, more: &str| {
            format!(
                "# {title}\n\nIntro « \"guillemets\" » et \\ barre.\n\n## La peur de manquer\n\nLa peur de manquer des réseaux sociaux, l'influenceur {more}.\n\n## Réseaux\n\nLes réseaux sociaux et la peur de manquer, [lien](a.md#reseaux).\n"
            )
        };
        let input = SiteInput {
            root: "/nonexistent".into(),
            config: Some("title = \"T\"\nlanguage = \"fr\"\n".into()),
            catalog: Some(
                "[[topic]]\nslug = \"fomo\"\nname = \"FOMO\"\naliases = [\"peur de manquer\"]\ndescription = \"x\"\n\n[[topic]]\nslug = \"reseaux\"\nname = \"Réseaux\"\naliases = [\"réseaux sociaux\"]\ndescription = \"y\"\n".into(),
            ),
            sources: ["a", "b", "c"]
                .iter()
                .map(|n| SourceDoc {
                    rel_path: format!("{n}.md"),
                    kind: SourceKind::Markdown,
                    text: doc(&format!("Doc \"{n}\" \\ x"), n),
                })
                .collect(),
            ..SiteInput::default()
        };
        let site = build_pages(&input, false).expect("site builds").site;
        let table = UrlTable::new(&site, &Urls::new(false));
        let related: usize = site.related.iter().flatten().map(Vec::len).sum();
        let backlinks: usize = site.links.backlinks.iter().flatten().map(Vec::len).sum();
        assert!(related > 0 && backlinks > 0, "{related} {backlinks}");
        assert!(
            site.documents[0].title.contains('"'),
            "{}",
            site.documents[0].title
        );
        for d in 0..site.documents.len() {
            let mut buf = Vec::new();
            write_doc(&site, &table, d, &mut buf);
            assert_eq!(String::from_utf8(buf).unwrap(), serde_doc(&site, &table, d));
        }
        let urls = Urls::new(false);
        assert!(site.topic_relations.iter().any(|r| !r.is_empty()));
        for t in 0..site.catalog.len() {
            let mut buf = Vec::new();
            write_topic(&site, &urls, &table, t, &mut buf);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                serde_topic(&site, &urls, &table, t)
            );
        }
    }

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
