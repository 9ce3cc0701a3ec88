//! The first model of a site, read from disk: the same steps as
//! `build::analyse` and `link::link`, keeping what later updates need (the
//! hash of every source, the slug each document wants, the topic matchers,
//! the link warnings). Also what a change of `site.toml` or of the catalog
//! goes through.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::read::{self, SourceKey};
use super::{Looks, Model, SharedSite};
use crate::build::{BuildOptions, site_config};
use crate::config::SiteConfig;
use crate::error::{BuildError, Diagnostic};
use crate::link;
use crate::load::{self, CATALOG_FILE};
use crate::model::Document;
use crate::render::templates;
use crate::structure;
use crate::topics::{self, catalog::Catalog};

impl Model {
    /// The model of the site as it is on disk: the same steps as
    /// `build::analyse` and `link::link`, keeping what later updates need.
    pub(super) fn load(
        options: &BuildOptions,
        out: &std::path::Path,
    ) -> Result<(Model, Vec<Diagnostic>), BuildError> {
        let input = load::load_site(&options.root, Some(out))?;
        let content_dir = input.root.join("content");
        let templates_dir = input.root.join("templates");
        let tera = templates::load(&input.templates, &templates_dir)?;
        let config: SiteConfig = site_config(&input)?;
        let catalog = match &input.catalog {
            Some(text) => Catalog::parse(text, &content_dir.join(CATALOG_FILE))
                .map_err(|diagnostics| BuildError { diagnostics })?,
            None => Catalog::default(),
        };
        let structured: Vec<_> = input
            .sources
            .par_iter()
            .map(|s| {
                let hash = read::source_hash(&s.text);
                let doc = read::structure_source(s, config.lang, &content_dir, options.drafts);
                (SourceKey(s.rel_path.clone()), hash, doc)
            })
            .collect();
        let mut sources = BTreeMap::new();
        let mut documents: Vec<Document> = Vec::new();
        let mut warnings = Vec::new();
        let mut errors = Vec::new();
        for (key, hash, doc) in structured {
            sources.insert(key, hash);
            match doc {
                Ok(Some((doc, w))) => {
                    documents.push(doc);
                    warnings.extend(w);
                }
                Ok(None) => {}
                Err(d) => errors.push(d),
            }
        }
        errors.extend(
            documents
                .iter()
                .flat_map(|d| topics::unknown_front_topics(d, &catalog, &content_dir)),
        );
        if !errors.is_empty() {
            return Err(BuildError {
                diagnostics: errors,
            });
        }
        let bases: Vec<String> = documents.iter().map(structure::base_slug).collect();
        let slugs = structure::unique_slugs(bases.iter().map(String::as_str));
        for ((doc, base), slug) in documents.iter_mut().zip(&bases).zip(slugs) {
            if slug != *base {
                warnings.push(structure::slug_warning(
                    base,
                    &slug,
                    &content_dir.join(&doc.source),
                ));
            }
            doc.slug = slug;
        }
        let matchers = topics::build_matchers(&documents, &catalog);
        let index = topics::assign_with(&documents, &catalog, &matchers);
        let (site, link_warnings) = link::link(config, catalog, documents, index, &content_dir);
        warnings.extend(link_warnings.iter().cloned());
        let looks = Looks {
            tera,
            theme_files: templates::theme_files(&input.theme),
            site_templates: input.templates,
            templates_dir,
        };
        Ok((
            Model {
                site: SharedSite(Arc::new(site)),
                exact: true,
                sources,
                bases,
                matchers,
                link_warnings,
                looks: Arc::new(looks),
            },
            warnings,
        ))
    }
}
