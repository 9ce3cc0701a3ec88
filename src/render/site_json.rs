//! `site.json`: the site's model for other tools (search, link checkers,
//! editors). Documented in docs/site-json.md; URLs are relative to the output
//! root, like every link of the site.

use serde::Serialize;

use super::urls::Urls;
use crate::link::Site;

#[derive(Serialize)]
struct SiteJson<'a> {
    settings: SettingsJson,
    documents: Vec<DocJson<'a>>,
    topics: Vec<TopicJson<'a>>,
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
    url: String,
    topics: Vec<&'a str>,
    sections: Vec<SectionJson<'a>>,
}

#[derive(Serialize)]
struct SectionJson<'a> {
    id: &'a str,
    title: &'a str,
    level: u8,
    url: String,
    source_lines: [usize; 2],
    topics: Vec<&'a str>,
    related: Vec<RelatedJson<'a>>,
    backlinks: Vec<String>,
}

#[derive(Serialize)]
struct RelatedJson<'a> {
    url: String,
    score: f64,
    topics: Vec<&'a str>,
    terms: &'a [String],
}

#[derive(Serialize)]
struct TopicJson<'a> {
    slug: &'a str,
    name: &'a str,
    url: String,
    aliases: &'a [String],
    related: Vec<&'a str>,
    relations: Vec<RelationJson<'a>>,
    sections: Vec<String>,
}

#[derive(Serialize)]
struct RelationJson<'a> {
    slug: &'a str,
    shared_sections: usize,
    strength: f64,
    explicit: bool,
}

/// The JSON text of the site's model.
pub fn site_json(site: &Site, urls: &Urls) -> Vec<u8> {
    let documents = site
        .documents
        .iter()
        .enumerate()
        .map(|(d, doc)| DocJson {
            slug: &doc.slug,
            title: &doc.title,
            source: &doc.source,
            url: urls.document(&doc.slug),
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
                    url: urls.section(&doc.slug, &sec.id),
                    source_lines: [sec.lines.0, sec.lines.1],
                    topics: site.topics.sections[d][s]
                        .iter()
                        .map(|t| site.topic_slug(t.topic))
                        .collect(),
                    related: site.related[d][s]
                        .iter()
                        .map(|r| RelatedJson {
                            url: urls.section_ref(site, r.target),
                            score: round3(r.score),
                            topics: r.shared.iter().map(|&t| site.topic_slug(t)).collect(),
                            terms: &r.terms,
                        })
                        .collect(),
                    backlinks: site.links.backlinks[d][s]
                        .iter()
                        .map(|&b| urls.section_ref(site, b))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let topics = site
        .catalog
        .topics
        .iter()
        .enumerate()
        .map(|(t, topic)| TopicJson {
            slug: &topic.slug,
            name: &topic.name,
            url: urls.topic(&topic.slug),
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
                .map(|&r| urls.section_ref(site, r))
                .collect(),
        })
        .collect();
    let related = &site.config.related;
    let settings = SettingsJson {
        inline_links: site.config.inline_links.as_str(),
        related: RelatedSettingsJson {
            max: related.max,
            min_score: related.min_score,
            same_document: related.same_document,
        },
    };
    let json = SiteJson {
        settings,
        documents,
        topics,
    };
    let mut out = serde_json::to_vec_pretty(&json).unwrap_or_default();
    out.push(b'\n');
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
