//! The pipeline, end to end: load → structure → topics → link → render
//! (and, beside it, the search index) → write. `build_pages` is the pure
//! middle (input in memory → pages in memory); `build` adds the I/O at both
//! ends. The CLI and, later, `watch` sit on top of these two functions.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::SiteConfig;
use crate::error::{BuildError, Diagnostic, Severity};
use crate::link::{self, Site};
use crate::load::{self, SiteInput};
use crate::model::Document;
use crate::render::{self, Page, Theme, templates};
use crate::search;
use crate::structure;
use crate::topics::{self, TopicIndex, catalog::Catalog};
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
    /// Treat warnings (links to missing files or anchors, unknown front
    /// matter keys…) as errors: nothing is written when there is one.
    pub strict: bool,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> BuildOptions {
        BuildOptions {
            root: root.into(),
            output: None,
            force: false,
            drafts: false,
            strict: false,
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
    if options.strict && !built.warnings.is_empty() {
        return Err(BuildError {
            diagnostics: built
                .warnings
                .into_iter()
                .map(|w| Diagnostic {
                    severity: Severity::Error,
                    ..w
                })
                .collect(),
        });
    }
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

/// A site read and understood, up to its topics: what `build` and
/// `maillage topics` share.
pub struct Analysed {
    pub config: SiteConfig,
    pub catalog: Catalog,
    pub documents: Vec<Document>,
    pub topics: TopicIndex,
    pub warnings: Vec<Diagnostic>,
    /// `<root>/content`, for messages.
    pub content_dir: PathBuf,
}

/// Reads the site at `root` and finds its topics, without rendering or
/// writing anything: what `maillage topics` works on.
pub fn analyse_site(root: &Path, drafts: bool) -> Result<Analysed, BuildError> {
    let input = load::load_site(root, Some(&root.join("output")))?;
    analyse(&input, drafts)
}

/// Structures the documents and finds their topics (pure).
pub fn analyse(input: &SiteInput, drafts: bool) -> Result<Analysed, BuildError> {
    let content_dir = input.root.join("content");
    let config = site_config(input)?;
    let catalog = match &input.catalog {
        Some(text) => Catalog::parse(text, &content_dir.join(load::CATALOG_FILE))
            .map_err(|diagnostics| BuildError { diagnostics })?,
        None => Catalog::default(),
    };
    let structured = structure::structure_all(&input.sources, config.lang, &content_dir, drafts)?;
    let topic_index = topics::assign(&structured.documents, &catalog, &content_dir)?;
    Ok(Analysed {
        config,
        catalog,
        documents: structured.documents,
        topics: topic_index,
        warnings: structured.warnings,
        content_dir,
    })
}

/// The pure pipeline: a site read into memory in, its pages out.
pub fn build_pages(input: &SiteInput, drafts: bool) -> Result<Built, BuildError> {
    let templates_dir = input.root.join("templates");
    // Templates are checked before the content is processed, so a broken
    // template fails fast.
    let tera = templates::load(&input.templates, &templates_dir)?;
    let theme_files = templates::theme_files(&input.theme);

    let analysed = analyse(input, drafts)?;
    let (site, link_warnings) = link::link(
        analysed.config,
        analysed.catalog,
        analysed.documents,
        analysed.topics,
        &analysed.content_dir,
    );
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
    let mut warnings = analysed.warnings;
    warnings.extend(link_warnings);
    Ok(Built {
        site,
        pages,
        warnings,
    })
}

pub fn site_config(input: &SiteInput) -> Result<SiteConfig, Diagnostic> {
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
