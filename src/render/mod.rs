//! Stage 5: renders the `Site` into pages — bytes with their path under the
//! output folder — through Tera templates, plus `site.json` and the theme.
//! Pure: nothing is written here.

pub mod context;
pub mod excerpt;
pub mod map_svg;
pub mod section_html;
pub mod site_json;
pub mod templates;
pub mod urls;

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::error::{BuildError, Diagnostic};
use crate::link::Site;
use crate::model::TopicId;
use context::*;
use urls::{TOPICS_DIR, Urls};

/// One output file: its path under the output folder (`/`-separated) and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What rendering needs besides the site: templates and theme files.
pub struct Theme<'a> {
    pub tera: &'a Tera,
    pub files: &'a [(String, Vec<u8>)],
    /// The site's `templates/` folder, for error messages.
    pub templates_dir: &'a Path,
    /// The site's own templates, to tell them from built-in ones in errors.
    pub site_templates: &'a [(String, String)],
}

/// Renders every page of the site. Fails with every template error found.
pub fn render(site: &Site, theme: &Theme) -> Result<Vec<Page>, BuildError> {
    let urls = Urls::new(site.config.pretty_urls);
    let site_ctx = SiteCtx {
        title: &site.config.title,
        description: site.config.description.as_deref(),
        author: site.config.author.as_deref(),
        language: &site.config.language,
        generator: concat!("maillage ", env!("CARGO_PKG_VERSION")),
        search: site.config.search,
    };
    let r = Renderer {
        site,
        theme,
        urls,
        site_ctx: &site_ctx,
    };
    let mut results: Vec<Result<Page, Diagnostic>> =
        vec![r.index(), r.topics_index(), r.not_found()];
    results.par_extend(
        (0..site.documents.len())
            .into_par_iter()
            .map(|d| r.document(d)),
    );
    results.par_extend((0..site.catalog.len()).into_par_iter().map(|t| r.topic(t)));

    let mut pages = Vec::with_capacity(results.len() + theme.files.len() + 1);
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(p) => pages.push(p),
            Err(d) if !errors.contains(&d) => errors.push(d),
            Err(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(BuildError {
            diagnostics: errors,
        });
    }
    pages.push(Page {
        path: "site.json".to_string(),
        bytes: site_json::site_json(site, &urls),
    });
    pages.extend(theme.files.iter().map(|(p, b)| Page {
        path: format!("theme/{p}"),
        bytes: b.clone(),
    }));
    Ok(pages)
}

/// One output file of `render`, named without rendering it: what `watch`
/// renders again when only some pages can have changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageRef {
    Index,
    TopicsIndex,
    NotFound,
    Document(usize),
    Topic(TopicId),
    SiteJson,
    /// A theme file, by its index in `Theme::files`.
    Theme(usize),
}

/// Every page `render` makes, in its order.
pub fn page_refs(site: &Site, theme_files: usize) -> Vec<PageRef> {
    let mut refs = vec![PageRef::Index, PageRef::TopicsIndex, PageRef::NotFound];
    refs.extend((0..site.documents.len()).map(PageRef::Document));
    refs.extend((0..site.catalog.len()).map(PageRef::Topic));
    refs.push(PageRef::SiteJson);
    refs.extend((0..theme_files).map(PageRef::Theme));
    refs
}

/// Renders the pages of `refs` (in parallel), exactly as `render` renders
/// them. Fails with every template error found.
pub fn render_pages(site: &Site, theme: &Theme, refs: &[PageRef]) -> Result<Vec<Page>, BuildError> {
    let site_ctx = SiteCtx {
        title: &site.config.title,
        description: site.config.description.as_deref(),
        author: site.config.author.as_deref(),
        language: &site.config.language,
        generator: concat!("maillage ", env!("CARGO_PKG_VERSION")),
        search: site.config.search,
    };
    let r = Renderer {
        site,
        theme,
        urls: Urls::new(site.config.pretty_urls),
        site_ctx: &site_ctx,
    };
    let results: Vec<Result<Page, Diagnostic>> = refs
        .par_iter()
        .map(|&p| match p {
            PageRef::Index => r.index(),
            PageRef::TopicsIndex => r.topics_index(),
            PageRef::NotFound => r.not_found(),
            PageRef::Document(d) => r.document(d),
            PageRef::Topic(t) => r.topic(t),
            PageRef::SiteJson => Ok(Page {
                path: "site.json".to_string(),
                bytes: site_json::site_json(site, &r.urls),
            }),
            PageRef::Theme(i) => Ok(Page {
                path: format!("theme/{}", theme.files[i].0),
                bytes: theme.files[i].1.clone(),
            }),
        })
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(p) => pages.push(p),
            Err(d) if !errors.contains(&d) => errors.push(d),
            Err(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(pages)
    } else {
        Err(BuildError {
            diagnostics: errors,
        })
    }
}

struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme<'a>,
    urls: Urls,
    site_ctx: &'a SiteCtx<'a>,
}

impl<'a> Renderer<'a> {
    fn page(&self, template: &str, path: String, ctx: &impl Serialize) -> Result<Page, Diagnostic> {
        let context = Context::from_serialize(ctx)
            .map_err(|e| Diagnostic::error(format!("cannot build the context of {path}: {e}")))?;
        let html = self.theme.tera.render(template, &context).map_err(|e| {
            templates::template_error(&e, self.theme.site_templates, self.theme.templates_dir)
        })?;
        Ok(Page {
            path,
            bytes: html.into_bytes(),
        })
    }

    fn topic_link(&self, id: TopicId) -> TopicLink<'a> {
        let t = &self.site.catalog.topics[id];
        TopicLink {
            slug: &t.slug,
            name: &t.name,
            url: self.urls.topic(&t.slug),
        }
    }

    fn index(&self) -> Result<Page, Diagnostic> {
        let site = self.site;
        let mut order: Vec<usize> = (0..site.documents.len()).collect();
        order.sort_by_cached_key(|&d| {
            (
                site.documents[d].weight,
                sort_key(&site.documents[d].title),
                d,
            )
        });
        let documents = order
            .into_iter()
            .map(|d| {
                let doc = &site.documents[d];
                DocSummary {
                    title: &doc.title,
                    description: doc.description.as_deref(),
                    date: doc.date.as_deref(),
                    url: self.urls.document(&doc.slug),
                    section_count: doc.sections.len(),
                    main_topics: site.topics.documents[d]
                        .iter()
                        .take(5)
                        .map(|&t| self.topic_link(t))
                        .collect(),
                }
            })
            .collect();
        let ctx = IndexPage {
            site: self.site_ctx,
            root: "",
            documents,
            topic_count: site.catalog.len(),
            topics_url: self.urls.topics_index(),
        };
        self.page("index.html", "index.html".into(), &ctx)
    }

    fn document(&self, d: usize) -> Result<Page, Diagnostic> {
        let site = self.site;
        let doc = &site.documents[d];
        let sections = doc
            .sections
            .iter()
            .enumerate()
            .map(|(s, sec)| SectionCtx {
                id: &sec.id,
                title: &sec.title,
                level: sec.level,
                is_intro: sec.level == 1,
                html: section_html::section_html(site, &self.urls, "../", d, s),
                source_lines: sec.lines,
                topics: site.topics.sections[d][s]
                    .iter()
                    .map(|t| self.topic_link(t.topic))
                    .collect(),
                related: site.related[d][s]
                    .iter()
                    .map(|r| {
                        let target = &site.documents[r.target.doc];
                        RelatedCtx {
                            url: self.urls.section_ref(site, r.target),
                            doc_title: &target.title,
                            section_title: &target.sections[r.target.section].title,
                            score: r.score,
                            topics: r.shared.iter().map(|&t| self.topic_link(t)).collect(),
                            terms: &r.terms,
                        }
                    })
                    .collect(),
                backlinks: site.links.backlinks[d][s]
                    .iter()
                    .map(|&b| {
                        let source = &site.documents[b.doc];
                        SectionLinkCtx {
                            url: self.urls.section_ref(site, b),
                            doc_title: &source.title,
                            section_title: &source.sections[b.section].title,
                        }
                    })
                    .collect(),
            })
            .collect();
        let ctx = DocumentPage {
            site: self.site_ctx,
            root: "../",
            topics_url: self.urls.topics_index(),
            doc: DocCtx {
                title: &doc.title,
                description: doc.description.as_deref(),
                date: doc.date.as_deref(),
                source: &doc.source,
                url: self.urls.document(&doc.slug),
                language: lang_code(doc.lang),
                topics: site.topics.documents[d]
                    .iter()
                    .map(|&t| self.topic_link(t))
                    .collect(),
                toc: doc
                    .sections
                    .iter()
                    .filter(|s| s.level > 1)
                    .map(|s| TocEntry {
                        id: &s.id,
                        title: &s.title,
                        level: s.level,
                    })
                    .collect(),
                sections,
            },
        };
        self.page("document.html", Urls::file_of_folder(&doc.slug), &ctx)
    }

    fn topics_index(&self) -> Result<Page, Diagnostic> {
        let site = self.site;
        let mut order: Vec<usize> = (0..site.catalog.len()).collect();
        order.sort_by_cached_key(|&t| (sort_key(&site.catalog.topics[t].name), t));
        let topics = order
            .into_iter()
            .map(|t| {
                let topic = &site.catalog.topics[t];
                TopicSummary {
                    slug: &topic.slug,
                    name: &topic.name,
                    url: self.urls.topic(&topic.slug),
                    section_count: site.topics.postings[t].len(),
                    doc_count: site.topics.doc_count(t),
                    summary_html: first_sentence_html(&topic.description_html),
                    related: site.topic_relations[t]
                        .iter()
                        .map(|r| self.topic_link(r.topic))
                        .collect(),
                }
            })
            .collect();
        let root = "../";
        let ctx = TopicsPage {
            site: self.site_ctx,
            root,
            topics_url: self.urls.topics_index(),
            topics,
            map_html: map_svg::map_svg(site, &self.urls, root),
        };
        self.page("topics.html", Urls::file_of_folder(TOPICS_DIR), &ctx)
    }

    fn topic(&self, t: usize) -> Result<Page, Diagnostic> {
        let site = self.site;
        let topic = &site.catalog.topics[t];
        let mut groups: Vec<TopicGroup> = Vec::new();
        for &r in &site.topics.postings[t] {
            let doc = &site.documents[r.doc];
            let sec = &doc.sections[r.section];
            let mention = site.topics.sections[r.doc][r.section]
                .iter()
                .find(|x| x.topic == t)
                .and_then(|x| x.mention.as_ref());
            let hit = TopicHit {
                title: &sec.title,
                url: self.urls.section(&doc.slug, &sec.id),
                excerpt_html: excerpt::excerpt_html(&sec.text, mention),
            };
            match groups.last_mut() {
                Some(g)
                    if g.doc_title == doc.title && g.doc_url == self.urls.document(&doc.slug) =>
                {
                    g.sections.push(hit)
                }
                _ => groups.push(TopicGroup {
                    doc_title: &doc.title,
                    doc_url: self.urls.document(&doc.slug),
                    sections: vec![hit],
                }),
            }
        }
        let ctx = TopicPage {
            site: self.site_ctx,
            root: "../../",
            topics_url: self.urls.topics_index(),
            topic: TopicCtx {
                slug: &topic.slug,
                name: &topic.name,
                aliases: &topic.aliases[1..],
                description_html: &topic.description_html,
                section_count: site.topics.postings[t].len(),
                doc_count: site.topics.doc_count(t),
                related: site.topic_relations[t]
                    .iter()
                    .map(|r| {
                        let other = &site.catalog.topics[r.topic];
                        RelatedTopicCtx {
                            slug: &other.slug,
                            name: &other.name,
                            url: self.urls.topic(&other.slug),
                            shared_sections: r.shared_sections,
                            strength: r.strength,
                            strength_percent: (r.strength * 100.0).round() as u32,
                            explicit: r.explicit,
                        }
                    })
                    .collect(),
                groups,
            },
        };
        self.page(
            "topic.html",
            Urls::file_of_folder(&format!("{TOPICS_DIR}/{}", topic.slug)),
            &ctx,
        )
    }

    fn not_found(&self) -> Result<Page, Diagnostic> {
        let ctx = NotFoundPage {
            site: self.site_ctx,
            root: "",
            topics_url: self.urls.topics_index(),
        };
        self.page("404.html", "404.html".into(), &ctx)
    }
}

fn lang_code(lang: crate::model::Lang) -> &'static str {
    match lang {
        crate::model::Lang::Fr => "fr",
        crate::model::Lang::En => "en",
    }
}

/// Sort key for A–Z lists: accents and case folded, so « École » sorts with E.
fn sort_key(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The first sentence of a rendered description, as HTML: its first paragraph
/// cut after the first `. ` outside a tag.
fn first_sentence_html(html: &str) -> String {
    let para = html
        .strip_prefix("<p>")
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or(html);
    let mut depth = 0usize;
    for (i, c) in para.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            '.' | '!' | '?' if depth == 0 && para[i + 1..].starts_with(' ') => {
                return para[..=i].to_string();
            }
            _ => {}
        }
    }
    para.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_stops_at_the_first_period() {
        assert_eq!(
            first_sentence_html("<p>Une <strong>idée</strong>. Puis.</p>\n"),
            "Une <strong>idée</strong>."
        );
        assert_eq!(first_sentence_html("<p>Sans point</p>"), "Sans point");
        assert_eq!(first_sentence_html(""), "");
    }

    #[test]
    fn sort_key_folds_accents_and_case() {
        let mut v = vec!["vie privée", "Économie", "dépendance", "FOMO"];
        v.sort_by_key(|s| sort_key(s));
        assert_eq!(v, ["dépendance", "Économie", "FOMO", "vie privée"]);
    }
}
