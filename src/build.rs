//! The pipeline, end to end: load → structure → topics → link → render
//! (and, beside it, the search index, made from the words before the link
//! stage so that they can be freed there, side by side with the link stage's
//! section vectors, which read the same words) → write. `prepare` is the pure
//! middle up to the linked `Site` (`prepare_unlinked`, then `Unlinked::link`);
//! `build` adds the I/O at both ends, writes the search files before the
//! link stage (so the index is not in memory at its peak) and streams
//! render into write, so pages are never all in memory; `build_pages` renders
//! everything in memory instead, for tests and tools. The CLI and `watch` sit
//! on top of these functions.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tera::Tera;

use crate::config::SiteConfig;
use crate::error::{BuildError, Diagnostic, Severity};
use crate::fingerprint;
use crate::link::{self, Site};
use crate::load::{self, SiteInput};
use crate::model::Document;
use crate::render::{self, Job, Page, SitePages, Theme, templates};
use crate::search;
use crate::structure;
use crate::timing::{Timings, timed};
use crate::topics::{self, TopicIndex, catalog::Catalog};
use crate::write::staged::Staged;
use crate::write::state::{self, BuildState};
use crate::write::{self, PageSource, Staging, WriteReport};

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

/// The outcome of the pure part of a build, every page in memory.
pub struct Built {
    pub site: Site,
    pub pages: Vec<Page>,
    pub warnings: Vec<Diagnostic>,
    /// Times of each stage, in pipeline order.
    pub timings: Timings,
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
    /// Times of each stage, in pipeline order (`build --timings`).
    pub timings: Timings,
    pub elapsed: Duration,
    pub output: PathBuf,
}

/// A site understood and linked, with the templates and theme that will
/// render it: everything of a build but its pages.
pub struct Prepared {
    pub site: Site,
    /// The search index, made before the link stage (when the site has
    /// search), whose files are cut once the site is linked.
    pub search: Option<search::IndexParts>,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
    tera: Tera,
    theme_files: Vec<(String, Vec<u8>)>,
    templates_dir: PathBuf,
    site_templates: Vec<(String, String)>,
}

impl Prepared {
    /// The templates and theme files, as rendering takes them.
    pub fn theme(&self) -> Theme<'_> {
        Theme {
            tera: &self.tera,
            files: &self.theme_files,
            templates_dir: &self.templates_dir,
            site_templates: &self.site_templates,
        }
    }
}

/// Builds the site of `options`: reads it, then renders every page and
/// stages it in the output folder, and only moves the changed pages into
/// place once all of them rendered, so a failed build leaves the previous
/// output untouched. Pages are not kept in memory once staged.
///
/// When the input is exactly that of the last build and its output is
/// intact, nothing would change: the build stops after reading the site
/// (see `write::state`).
pub fn build(options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let start = Instant::now();
    let out = options.output_dir();
    write::check_ownership(&out, options.force)?;
    let mut timings = Timings::new();
    let input = timed(&mut timings, "load", || {
        load::load_site(&options.root, Some(&out))
    })?;
    let fingerprint = timed(&mut timings, "fingerprint", || {
        fingerprint::fingerprint(&input, options.drafts)
    });
    if let Some(last) = fingerprint
        .as_deref()
        .and_then(|f| unchanged_build(&out, f))
    {
        check_strict(options, &last.warnings)?;
        return Ok(BuildSummary {
            documents: last.documents,
            sections: last.sections,
            topics: last.topics,
            pages: last.files.len(),
            write: WriteReport {
                unchanged: last.files.len(),
                ..WriteReport::default()
            },
            warnings: last.warnings,
            timings,
            elapsed: start.elapsed(),
            output: out,
        });
    }
    let mut unlinked = prepare_unlinked(input, options.drafts, false)?;
    check_strict(options, unlinked.warnings())?;
    let staging = Staging::begin(&out, options.force)?;
    // The search files are staged before the link stage and the index
    // dropped, so that it is not in memory at that stage's peak, nor beside
    // the pages; its files are made one at a time as they are staged, the
    // manifest (which hashes them all) last. If linking brings a warning
    // under `--strict`, dropping the staging takes them away again.
    if let Some(parts) = unlinked.search.take() {
        let mut stage_timings = std::mem::take(&mut unlinked.timings);
        let files = search::IndexFiles::from_parts(unlinked.search_site(), parts);
        let staged = timed(&mut stage_timings, "stage search", || {
            staging.stage(&SearchFiles(&files))?;
            staging.stage(&[files.manifest()][..])
        });
        drop(files);
        unlinked.timings = stage_timings;
        staged?;
    }
    let mut prepared = unlinked.link();
    timings.append(&mut prepared.timings);
    check_strict(options, &prepared.warnings)?;
    let site = &prepared.site;
    let theme = prepared.theme();
    let pages = SitePages::new(site, &theme);
    timed(&mut timings, "render+write", || {
        staging.stage(&RenderedPages(&pages))
    })?;
    let paths = staging.paths();
    let report = timed(&mut timings, "commit", || staging.commit())?;
    let mut summary = BuildSummary {
        documents: site.documents.len(),
        sections: site.documents.iter().map(|d| d.sections.len()).sum(),
        topics: site.catalog.len(),
        pages: paths.len(),
        write: report,
        warnings: prepared.warnings.clone(),
        timings,
        elapsed: start.elapsed(),
        output: out,
    };
    if let Some(fingerprint) = fingerprint {
        let mut record_time = Timings::new();
        timed(&mut record_time, "record", || {
            record_build(&summary, fingerprint, &paths)
        });
        summary.timings.append(&mut record_time);
    }
    drop(pages);
    drop_in_background((prepared, paths));
    Ok(summary)
}

/// Frees `value` on a thread of its own. A built site is hundreds of
/// thousands of allocations, freed one by one: 0.07 s at 10,000 documents,
/// 0.95 s at 100,000, which `maillage build` would spend just before
/// exiting, when the system takes the memory back anyway; `watch` goes on
/// while it is freed. If no thread can be started, it is freed here.
fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("maillage-free".into())
        .spawn(move || drop(value));
}

/// With `--strict`, warnings are errors: the build fails and writes nothing.
fn check_strict(options: &BuildOptions, warnings: &[Diagnostic]) -> Result<(), BuildError> {
    if !options.strict || warnings.is_empty() {
        return Ok(());
    }
    Err(BuildError {
        diagnostics: warnings
            .iter()
            .map(|w| Diagnostic {
                severity: Severity::Error,
                ..w.clone()
            })
            .collect(),
    })
}

/// The record of the last build into `out`, if it had this fingerprint and
/// its files are untouched.
fn unchanged_build(out: &Path, fingerprint: &str) -> Option<BuildState> {
    let last = state::load(out)?;
    (last.fingerprint == fingerprint && state::intact(out, &last)).then_some(last)
}

/// Records the build for the next one. A record that cannot be written only
/// costs the next rebuild its shortcut, so a failure here is not an error.
fn record_build(summary: &BuildSummary, fingerprint: String, paths: &[String]) {
    let Some(files) = state::file_stats(&summary.output, paths) else {
        return;
    };
    let record = BuildState {
        fingerprint,
        documents: summary.documents,
        sections: summary.sections,
        topics: summary.topics,
        warnings: summary.warnings.clone(),
        files,
    };
    let _ = state::save(&summary.output, &record);
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
    analyse(input, drafts)
}

/// Structures the documents and finds their topics (pure). Takes the input
/// by value so that each source text is freed once structured.
pub fn analyse(input: SiteInput, drafts: bool) -> Result<Analysed, BuildError> {
    analyse_timed(input, drafts, &mut Timings::new())
}

/// `analyse`, recording the time of each stage in `timings`.
fn analyse_timed(
    input: SiteInput,
    drafts: bool,
    timings: &mut Timings,
) -> Result<Analysed, BuildError> {
    let content_dir = input.root.join("content");
    let config = site_config(&input)?;
    let catalog = match &input.catalog {
        Some(text) => Catalog::parse(text, &content_dir.join(load::CATALOG_FILE))
            .map_err(|diagnostics| BuildError { diagnostics })?,
        None => Catalog::default(),
    };
    let structured = timed(timings, "structure", || {
        structure::structure_all(input.sources, config.lang, &content_dir, drafts)
    })?;
    let topic_index = timed(timings, "topics", || {
        topics::assign(&structured.documents, &catalog, &content_dir)
    })?;
    Ok(Analysed {
        config,
        catalog,
        documents: structured.documents,
        topics: topic_index,
        warnings: structured.warnings,
        content_dir,
    })
}

/// Everything before rendering: configuration, catalog and templates checked,
/// documents structured, topics found, sections linked.
/// The words of every section are freed once the search index and the
/// section vectors are made, before the link stage: the `Site`'s
/// `topics.words` is left empty.
pub fn prepare(input: SiteInput, drafts: bool) -> Result<Prepared, BuildError> {
    prepare_keeping(input, drafts, false)
}

/// `prepare`, keeping the words of every section in the `Site` if
/// `keep_words` (as `watch` does: tests compare its model with a build's).
fn prepare_keeping(
    input: SiteInput,
    drafts: bool,
    keep_words: bool,
) -> Result<Prepared, BuildError> {
    Ok(prepare_unlinked(input, drafts, keep_words)?.link())
}

/// A site understood, with its search index made, but not linked yet: a
/// build writes the search files from it and frees the index before the
/// link stage, whose peak of memory is the build's (`Unlinked::link`).
pub struct Unlinked {
    analysed: Analysed,
    /// The section vectors, made beside the search index when the words of
    /// every section are not kept (then already freed); `None` when they
    /// are kept, and the link stage reads them.
    vectors: Option<link::terms::SectionVectors>,
    /// The search index, made from the words before they are freed (when
    /// the site has search).
    pub search: Option<search::IndexParts>,
    pub timings: Timings,
    tera: Tera,
    theme_files: Vec<(String, Vec<u8>)>,
    templates_dir: PathBuf,
    site_templates: Vec<(String, String)>,
}

impl Unlinked {
    /// Warnings so far (structure and topics).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.analysed.warnings
    }

    /// What the search files are made from.
    pub fn search_site(&self) -> search::SearchSite<'_> {
        let a = &self.analysed;
        search::SearchSite {
            config: &a.config,
            catalog: &a.catalog,
            documents: &a.documents,
            topics: &a.topics,
        }
    }

    /// Runs the link stage: the `Site`, ready to render.
    pub fn link(self) -> Prepared {
        let Unlinked {
            analysed,
            vectors,
            search,
            mut timings,
            tera,
            theme_files,
            templates_dir,
            site_templates,
        } = self;
        let Analysed {
            config,
            catalog,
            documents,
            topics,
            mut warnings,
            content_dir,
        } = analysed;
        let (site, link_warnings) = timed(&mut timings, "link", || match vectors {
            Some(vectors) => {
                link::link_dropping_words(config, catalog, documents, topics, vectors, &content_dir)
            }
            None => link::link(config, catalog, documents, topics, &content_dir),
        });
        warnings.extend(link_warnings);
        Prepared {
            site,
            search,
            warnings,
            timings,
            tera,
            theme_files,
            templates_dir,
            site_templates,
        }
    }
}

/// Everything up to the link stage: templates checked, documents
/// structured, topics found, and the search index made from the words.
/// Unless `keep_words` (as `watch` does: tests compare its model with a
/// build's), the section vectors are made beside the index and the words
/// of every section freed.
pub fn prepare_unlinked(
    input: SiteInput,
    drafts: bool,
    keep_words: bool,
) -> Result<Unlinked, BuildError> {
    let templates_dir = input.root.join("templates");
    // Templates are checked before the content is processed, so a broken
    // template fails fast.
    let tera = templates::load(&input.templates, &templates_dir)?;
    let theme_files = templates::theme_files(&input.theme);
    let site_templates = input.templates.clone();

    let mut timings = Timings::new();
    let mut analysed = analyse_timed(input, drafts, &mut timings)?;
    // The search index is made from the words of every section, before the
    // link stage, so that the words are freed before that stage's peak;
    // nothing of it depends on links.
    let search_index = |a: &Analysed| {
        a.config.search.then(|| {
            search::IndexParts::new(
                &a.config,
                &a.catalog,
                &a.documents,
                &a.topics.words,
                &search::files::Limits::default(),
            )
        })
    };
    let (search, vectors) = if keep_words {
        (
            timed(&mut timings, "search", || search_index(&analysed)),
            None,
        )
    } else {
        // The section vectors read the same words as the search index:
        // made beside it, each fills the other's steps on one thread.
        let (search, vectors) = timed(&mut timings, "search+vectors", || {
            rayon::join(
                || search_index(&analysed),
                || link::terms::section_vectors(&analysed.documents, &analysed.topics),
            )
        });
        analysed.topics.words = Default::default();
        (search, Some(vectors))
    };
    Ok(Unlinked {
        analysed,
        vectors,
        search,
        timings,
        tera,
        theme_files,
        templates_dir,
        site_templates,
    })
}

/// The pure pipeline: a site read into memory in, all its pages out, in
/// memory (for tests and tools; `build` streams them to disk instead). The
/// `Site` keeps the words of every section, as `watch`'s does.
pub fn build_pages(input: &SiteInput, drafts: bool) -> Result<Built, BuildError> {
    let mut prepared = prepare_keeping(input.clone(), drafts, true)?;
    let mut timings = prepared.timings.clone();
    let search = prepared.search.take();
    let site = &prepared.site;
    let (pages, index) = timed(&mut timings, "render+search", || {
        rayon::join(
            || render::render(site, &prepared.theme()),
            || search.map(|parts| search::index_pages_of(site, parts)),
        )
    });
    let mut pages = pages?;
    pages.extend(index.into_iter().flatten());
    Ok(Built {
        site: prepared.site,
        pages,
        warnings: prepared.warnings,
        timings,
    })
}

/// The site's pages as the write stage takes them: each rendered when its
/// turn comes, `site.json` streamed.
pub struct RenderedPages<'p, 'a>(pub &'p SitePages<'a>);

impl PageSource for RenderedPages<'_, '_> {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn path(&self, i: usize) -> String {
        self.0.path(i)
    }

    fn write_to(&self, i: usize, out: &mut Staged) -> Result<(), Diagnostic> {
        let pages = self.0;
        if *pages.job(i) == Job::SiteJson {
            return pages.write_to(i, out);
        }
        if let Some(len) = pages.known_len(i) {
            out.expect_len(len);
            return pages.write_to(i, out);
        }
        let page = pages.render(i)?;
        out.expect_len(page.bytes.len() as u64);
        out.write_all(&page.bytes)
            .map_err(|e| Diagnostic::error(format!("cannot write: {e}")))
    }
}

/// The search index's files as the write stage takes them, each made when
/// its turn comes (the manifest aside).
struct SearchFiles<'f, 's>(&'f search::IndexFiles<'s>);

impl PageSource for SearchFiles<'_, '_> {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn path(&self, i: usize) -> String {
        self.0.path(i)
    }

    fn write_to(&self, i: usize, out: &mut Staged) -> Result<(), Diagnostic> {
        let page = self.0.page(i);
        out.expect_len(page.bytes.len() as u64);
        out.write_all(&page.bytes)
            .map_err(|e| Diagnostic::error(format!("cannot write: {e}")))
    }
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
