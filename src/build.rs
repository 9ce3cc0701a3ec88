//! The pipeline, end to end: load → structure → topics → link → render
//! (and, beside it, the search index) → write. `build_pages` is the pure
//! middle (input in memory → pages in memory); `build` adds the I/O at both
//! ends. The CLI and, later, `watch` sit on top of these two functions.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::SiteConfig;
use crate::error::{BuildError, Diagnostic};
use crate::link::{self, Site};
use crate::load::{self, SiteInput};
use crate::render::{self, Page, Theme, templates};
use crate::search;
use crate::structure;
use crate::topics::{self, catalog::Catalog};
use crate::write::{self, WriteReport};

/// What `maillage build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder (the one holding `content/`).
    pub root: PathBuf,
    /// Where to write; `<root>/output` by default.
    pub output: Option<PathBuf>,
    /// Write into a non-empty folder that maillage did not create.
    pub force: bool,
    /// Build documents marked `draft` too.
    pub drafts: bool,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            root: root.into(),
            output: None,
            force: false,
            drafts: false,
        }
    }

    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("output"))
    }
}

/// The outcome of the pure part of a build.
pub struct Built {
    pub site: Site,
    pub pages: Vec<Page>,
    pub warnings: Vec<Diagnostic>,
}

/// What a finished build reports.
#[derive(Debug)]
pub struct BuildSummary {
    pub documents: usize,
    pub sections: usize,
    pub topics: usize,
    pub pages: usize,
    pub write: WriteReport,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    pub output: PathBuf,
}

/// Builds the site of `options`: reads it, renders every page in memory, and
/// only then writes, so a failed build leaves the previous output untouched.
pub fn build(options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let start = Instant::now();
    let out = options.output_dir();
    write::check_ownership(&out, options.force)?;
    let input = load::load_site(&options.root, Some(&out))?;
    let built = build_pages(&input, options.drafts)?;
    let report = write::write_output(&out, &built.pages, options.force)?;
    Ok(BuildSummary {
        documents: built.site.documents.len(),
        sections: built.site.documents.iter().map(|d| d.sections.len()).sum(),
        topics: built.site.catalog.len(),
        pages: built.pages.len(),
        write: report,
        warnings: built.warnings,
        elapsed: start.elapsed(),
        output: out,
    })
}

/// The pure pipeline: a site read into memory in, its pages out.
pub fn build_pages(input: &SiteInput, drafts: bool) -> Result<Built, BuildError> {
    let content_dir = input.root.join("content");
    let config = site_config(input)?;
    let catalog = match &input.catalog {
        Some(text) => Catalog::parse(text, &content_dir.join(load::CATALOG_FILE))
            .map_err(|diagnostics| BuildError { diagnostics })?,
        None => Catalog::default(),
    };
    let templates_dir = input.root.join("templates");
    // Templates are checked before the content is processed, so a broken
    // template fails fast.
    let tera = templates::load(&input.templates, &templates_dir)?;
    let theme_files = templates::theme_files(&input.theme);

    let structured = structure::structure_all(&input.sources, config.lang, &content_dir, drafts)?;
    let topic_index = topics::assign(&structured.documents, &catalog, &content_dir)?;
    let site = link::link(config, catalog, structured.documents, topic_index);
    let theme = Theme {
        tera: &tera,
        files: &theme_files,
        templates_dir: &templates_dir,
        site_templates: &input.templates,
    };
    // The search index depends on the site alone: built beside the pages.
    let (pages, index) = rayon::join(
        || render::render(&site, &theme),
        || site.config.search.then(|| search::index_pages(&site)),
    );
    let mut pages = pages?;
    pages.extend(index.into_iter().flatten());
    Ok(Built {
        site,
        pages,
        warnings: structured.warnings,
    })
}

fn site_config(input: &SiteInput) -> Result<SiteConfig, Diagnostic> {
    let name = site_name(&input.root);
    match &input.config {
        Some(text) => SiteConfig::parse(text, &input.root.join("site.toml"), &name),
        None => Ok(SiteConfig::defaults(&name)),
    }
}

fn site_name(root: &Path) -> String {
    root.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "maillage".to_string())
}
