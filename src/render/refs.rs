//! Pages named without rendering them, for `watch`: an edit re-renders the
//! pages it can have changed — a document, a topic (all of its pages), the
//! home page… — through the same `SitePages` as a build, so the bytes are
//! those `build` writes.

use std::collections::HashSet;

use rayon::prelude::*;

use super::{Job, Page, SitePages, Theme};
use crate::error::{BuildError, Diagnostic};
use crate::link::Site;
use crate::model::TopicId;

/// One page, or all the pages of one topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageRef {
    /// Every page of the home page.
    Index,
    TopicsIndex,
    NotFound,
    Document(usize),
    /// Every page of a topic (topic pages are paginated).
    Topic(TopicId),
    SiteJson,
    /// A theme file, by its index in `Theme::files`.
    Theme(usize),
}

impl PageRef {
    /// What a file of `SitePages` is part of.
    pub fn of(job: &Job) -> PageRef {
        match job {
            Job::Index { .. } => PageRef::Index,
            Job::TopicsIndex => PageRef::TopicsIndex,
            Job::NotFound => PageRef::NotFound,
            Job::Document(d) => PageRef::Document(*d),
            Job::Topic { topic, .. } => PageRef::Topic(*topic),
            Job::SiteJson => PageRef::SiteJson,
            Job::ThemeFile(f) => PageRef::Theme(*f),
        }
    }
}

/// Every page of the site, as references.
pub fn page_refs(site: &Site, theme_files: usize) -> Vec<PageRef> {
    let mut refs = vec![PageRef::Index, PageRef::TopicsIndex, PageRef::NotFound];
    refs.extend((0..site.documents.len()).map(PageRef::Document));
    refs.extend((0..site.catalog.len()).map(PageRef::Topic));
    refs.push(PageRef::SiteJson);
    refs.extend((0..theme_files).map(PageRef::Theme));
    refs
}

/// Renders the files of `refs` (in parallel), exactly as a build renders
/// them. Fails with every template error found. It lists the site's pages
/// (every URL of the site) on each call: a caller rendering more than once
/// lists them once (`SitePages::new`) and calls `render_refs` or
/// `render_files` (a reconciliation that called this per chunk spent most
/// of its time listing).
pub fn render_pages(site: &Site, theme: &Theme, refs: &[PageRef]) -> Result<Vec<Page>, BuildError> {
    render_refs(&SitePages::new(site, theme), refs)
}

/// `render_pages` with the site's pages already listed: listing them makes
/// every URL of the site, which a caller rendering twice does only once.
pub fn render_refs(pages: &SitePages, refs: &[PageRef]) -> Result<Vec<Page>, BuildError> {
    let wanted: HashSet<PageRef> = refs.iter().copied().collect();
    let files: Vec<usize> = (0..pages.len())
        .filter(|&i| wanted.contains(&PageRef::of(pages.job(i))))
        .collect();
    render_files(pages, &files)
}

/// Renders the files `files` of `pages` (their indices), in parallel, in
/// that order. Fails with every template error found.
pub fn render_files(pages: &SitePages, files: &[usize]) -> Result<Vec<Page>, BuildError> {
    let results: Vec<Result<Page, Diagnostic>> =
        files.par_iter().map(|&i| pages.render(i)).collect();
    let mut out = Vec::with_capacity(results.len());
    let mut errors: Vec<Diagnostic> = Vec::new();
    for result in results {
        match result {
            Ok(p) => out.push(p),
            Err(d) if !errors.contains(&d) => errors.push(d),
            Err(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(BuildError {
            diagnostics: errors,
        })
    }
}
