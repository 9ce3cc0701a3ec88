//! Rebuilding on change: the watcher's change sets become updates of the
//! incremental pipeline (`crate::incremental`), which keeps the site in
//! memory between rebuilds. Until a first build succeeds there is no
//! pipeline; each change then tries a full build again.

use super::classify::ChangeSet;
use crate::build::BuildOptions;
use crate::error::BuildError;
use crate::incremental::{Changes, Pipeline, Update, Wake};

/// Holds the site between rebuilds.
pub struct Rebuilder {
    options: BuildOptions,
    wake: Wake,
    pipeline: Option<Pipeline>,
}

impl Rebuilder {
    /// `wake` is called when a background reconciliation ends: then call
    /// `collect`.
    pub fn new(options: BuildOptions, wake: Wake) -> Rebuilder {
        Rebuilder {
            options,
            wake,
            pipeline: None,
        }
    }

    /// The first build.
    pub fn initial(&mut self) -> Result<Update, BuildError> {
        let (pipeline, update) = Pipeline::start(&self.options, self.wake.clone())?;
        self.pipeline = Some(pipeline);
        Ok(update)
    }

    /// Brings the output up to date after `changes`: the changed pages now,
    /// the rest in the background. On error nothing is written: the last
    /// good output stays.
    pub fn rebuild(&mut self, changes: &ChangeSet) -> Result<Update, BuildError> {
        match &mut self.pipeline {
            Some(p) => p.update(&pipeline_changes(changes)),
            None => self.initial(),
        }
    }

    /// The result of the background reconciliation that just ended, if it
    /// still counts.
    pub fn collect(&mut self) -> Option<Result<Update, BuildError>> {
        self.pipeline.as_mut()?.collect()
    }

    /// Stops what runs in the background; nothing is written after this.
    pub fn stop(&mut self) {
        if let Some(p) = &mut self.pipeline {
            p.stop();
        }
    }
}

/// What the pipeline must look at again after a watcher's change set.
pub fn pipeline_changes(set: &ChangeSet) -> Changes {
    Changes {
        documents: set.documents.clone(),
        // A folder created, moved or deleted says nothing of the documents
        // inside it: look at them all.
        all_documents: set.rescan || !set.content_entries.is_empty(),
        // Lost events may hide anything: reload everything.
        config: set.config || set.rescan,
        catalog: set.catalog,
        templates: !set.templates.is_empty(),
        theme: !set.theme.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::classify::Change;

    #[test]
    fn folder_changes_look_at_every_document() {
        let mut set = ChangeSet::default();
        set.add(Change::Document("a.md".into()));
        let c = pipeline_changes(&set);
        assert!(c.documents.contains("a.md") && !c.all_documents);
        set.add(Change::ContentEntry("notes".into()));
        assert!(pipeline_changes(&set).all_documents);
    }

    #[test]
    fn lost_events_reload_everything() {
        let mut set = ChangeSet::default();
        set.add(Change::Rescan);
        let c = pipeline_changes(&set);
        assert!(c.config && c.all_documents);
    }

    #[test]
    fn templates_and_theme_are_flags() {
        let mut set = ChangeSet::default();
        set.add(Change::Template("base.html".into()));
        set.add(Change::Theme("style.css".into()));
        let c = pipeline_changes(&set);
        assert!(c.templates && c.theme && !c.config && !c.catalog);
    }
}
