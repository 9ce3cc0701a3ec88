//! Stage 5: renders the `Site` into pages — bytes with their path under the
//! output folder — through Tera templates, plus `site.json` and the theme.
//! Pure: nothing is written here.
//!
//! `SitePages` lists every file of the site and renders any one of them on
//! demand (`render(i)`, or `write_to(i, out)` to stream it), so that the
//! write stage renders and stores pages in parallel without ever holding
//! them all in memory, and `watch` can render just the pages it needs.
//! `render` renders them all at once, for tests and small sites.

pub mod context;
pub mod excerpt;
pub mod fragments;
pub mod json_str;
pub mod map_svg;
mod pages;
mod refs;
pub mod section_html;
pub mod site_json;
pub mod templates;
mod topic_page;
pub mod urls;

use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use rayon::prelude::*;
use tera::Tera;

use crate::error::{BuildError, Diagnostic};
use crate::link::Site;
use crate::model::TopicId;
use context::SiteCtx;
pub use refs::{PageRef, page_refs, render_files, render_pages, render_refs};
use urls::{TOPICS_DIR, UrlTable, Urls};

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

/// One file of the site, before it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Page `page` (0-based) of the home page, listing `range` of the
    /// documents in home-page order.
    Index {
        page: usize,
        range: Range<usize>,
    },
    TopicsIndex,
    NotFound,
    Document(usize),
    /// Page `page` (0-based) of a topic, holding `range` of its postings.
    Topic {
        topic: TopicId,
        page: usize,
        range: Range<usize>,
    },
    SiteJson,
    ThemeFile(usize),
}

/// Documents listed on each page of the home page: the whole list of a
/// 10,000-document site on one page was 8 MB.
pub const DOCUMENTS_PER_PAGE: usize = 100;

/// Every file of a site, each rendered on demand.
pub struct SitePages<'a> {
    site: &'a Site,
    theme: &'a Theme<'a>,
    /// `site_ctx(site)` as a template value.
    site_ctx: tera::Value,
    urls: Urls,
    table: UrlTable,
    jobs: Vec<Job>,
    /// Pages of each topic, and documents carrying it: computed once here
    /// rather than once per topic page.
    topic_pages: Vec<usize>,
    doc_counts: Vec<usize>,
    /// Pages of the home page, and its documents in order: sorted once, on
    /// first use (`watch` lists pages without rendering the home page).
    home_pages: usize,
    home_order: OnceLock<Vec<usize>>,
    topic_values: Vec<tera::Value>,
}

impl<'a> SitePages<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme<'a>) -> SitePages<'a> {
        let urls = Urls::new(site.config.pretty_urls);
        // The largest file first, so that it is not left for last:
        // site.json (built in parallel itself) describes everything.
        let mut jobs = vec![Job::SiteJson];
        let home_pages = site.documents.len().div_ceil(DOCUMENTS_PER_PAGE).max(1);
        jobs.extend((0..home_pages).map(|page| Job::Index {
            page,
            range: page * DOCUMENTS_PER_PAGE
                ..((page + 1) * DOCUMENTS_PER_PAGE).min(site.documents.len()),
        }));
        jobs.extend([Job::TopicsIndex, Job::NotFound]);
        jobs.extend((0..site.documents.len()).map(Job::Document));
        let mut topic_pages = Vec::with_capacity(site.catalog.len());
        for (topic, postings) in site.topics.postings.iter().enumerate() {
            let ranges = topic_page::split(postings, site.config.topic_page_size);
            topic_pages.push(ranges.len());
            jobs.extend(
                ranges
                    .into_iter()
                    .enumerate()
                    .map(|(page, range)| Job::Topic { topic, page, range }),
            );
        }
        jobs.extend((0..theme.files.len()).map(Job::ThemeFile));
        let doc_counts = (0..site.catalog.len())
            .map(|t| site.topics.doc_count(t))
            .collect();
        let table = UrlTable::new(site, &urls);
        SitePages {
            site,
            theme,
            // Plain strings cannot fail to serialize; `none` is never reached.
            site_ctx: tera::Value::try_from_serializable(&site_ctx(site))
                .unwrap_or_else(|_| tera::Value::none()),
            urls,
            topic_values: pages::topic_values(site, &table),
            table,
            jobs,
            topic_pages,
            doc_counts,
            home_pages,
            home_order: OnceLock::new(),
        }
    }

    fn renderer(&self) -> pages::Renderer<'_> {
        pages::Renderer {
            site: self.site,
            theme: self.theme,
            urls: self.urls,
            site_ctx: &self.site_ctx,
            table: &self.table,
            topic_values: &self.topic_values,
        }
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// What file `i` is.
    pub fn job(&self, i: usize) -> &Job {
        &self.jobs[i]
    }

    /// The files of document `d` (its page): for `watch`, which re-renders
    /// only what an edit touched.
    pub fn document_file(&self, d: usize) -> Option<usize> {
        self.jobs.iter().position(|j| *j == Job::Document(d))
    }

    /// The path of file `i` under the output root.
    pub fn path(&self, i: usize) -> String {
        let site = self.site;
        match &self.jobs[i] {
            Job::Index { page, .. } => Urls::home_page_file(page + 1),
            Job::TopicsIndex => Urls::file_of_folder(TOPICS_DIR),
            Job::NotFound => "404.html".into(),
            Job::Document(d) => Urls::file_of_folder(&site.documents[*d].slug),
            Job::Topic { topic, page, .. } => {
                Urls::topic_page_file(&site.catalog.topics[*topic].slug, page + 1)
            }
            Job::SiteJson => "site.json".into(),
            Job::ThemeFile(f) => format!("theme/{}", self.theme.files[*f].0),
        }
    }

    /// Renders file `i` in memory.
    pub fn render(&self, i: usize) -> Result<Page, Diagnostic> {
        let r = self.renderer();
        match &self.jobs[i] {
            Job::Index { page, range } => r.index(
                self.home_order.get_or_init(|| pages::home_order(self.site)),
                *page,
                range.clone(),
                self.home_pages,
            ),
            Job::TopicsIndex => r.topics_index(&self.doc_counts),
            Job::NotFound => r.not_found(),
            Job::Document(d) => r.document(*d),
            Job::Topic { topic, page, range } => r.topic(
                *topic,
                *page,
                range.clone(),
                self.topic_pages[*topic],
                self.doc_counts[*topic],
            ),
            Job::SiteJson => {
                let mut bytes = Vec::new();
                self.write_to(i, &mut bytes)?;
                Ok(Page {
                    path: self.path(i),
                    bytes,
                })
            }
            Job::ThemeFile(f) => Ok(Page {
                path: self.path(i),
                bytes: self.theme.files[*f].1.clone(),
            }),
        }
    }

    /// Renders file `i` into `out`: `site.json` is streamed as it is
    /// serialized, other pages are rendered whole first (a template error
    /// then writes nothing), theme files copied from memory.
    pub fn write_to(&self, i: usize, out: &mut dyn Write) -> Result<(), Diagnostic> {
        let io = |e: std::io::Error| Diagnostic::error(format!("cannot write: {e}"));
        match &self.jobs[i] {
            Job::SiteJson => {
                let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, out);
                site_json::write_site_json(self.site, &self.urls, &self.table, &mut buffered)
                    .map_err(io)?;
                buffered.flush().map_err(io)
            }
            Job::ThemeFile(f) => out.write_all(&self.theme.files[*f].1).map_err(io),
            _ => out.write_all(&self.render(i)?.bytes).map_err(io),
        }
    }

    /// The size of file `i` when it is known before rendering.
    pub fn known_len(&self, i: usize) -> Option<u64> {
        match &self.jobs[i] {
            Job::ThemeFile(f) => Some(self.theme.files[*f].1.len() as u64),
            _ => None,
        }
    }
}

/// Renders every page of the site in memory. Fails with every template error found.
pub fn render(site: &Site, theme: &Theme) -> Result<Vec<Page>, BuildError> {
    let pages = SitePages::new(site, theme);
    let results: Vec<Result<Page, Diagnostic>> = (0..pages.len())
        .into_par_iter()
        .map(|i| pages.render(i))
        .collect();
    let mut out = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(p) => out.push(p),
            Err(d) if !errors.contains(&d) => errors.push(d),
            Err(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(BuildError {
            diagnostics: errors,
        });
    }
    Ok(out)
}

/// Site-wide values every page receives as `site`.
pub fn site_ctx(site: &Site) -> SiteCtx<'_> {
    SiteCtx {
        title: &site.config.title,
        description: site.config.description.as_deref(),
        author: site.config.author.as_deref(),
        language: &site.config.language,
        generator: concat!("maillage ", env!("CARGO_PKG_VERSION")),
        search: site.config.search,
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
