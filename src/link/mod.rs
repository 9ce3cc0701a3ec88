//! Stage 4: links sections to each other and topics to topics, and freezes
//! everything into the immutable `Site` that rendering reads: related
//! sections, explicit links and backlinks, inline topic links, topic
//! relations and the topic map.

pub mod explicit;
pub mod inline;
pub mod map;
pub mod reasons;
pub mod related;
pub mod relations;
pub mod terms;

use std::path::Path;

use crate::config::SiteConfig;
use crate::error::Diagnostic;
use crate::model::{Document, SectionRef, TopicId};
use crate::topics::TopicIndex;
use crate::topics::catalog::Catalog;

pub use explicit::{ExplicitLink, LinkGraph};
pub use inline::InlineLink;
pub use reasons::Reasons;
pub use related::Related;
pub use relations::TopicRelation;

/// The whole site, understood and linked. Rendering only reads it.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: SiteConfig,
    pub catalog: Catalog,
    pub documents: Vec<Document>,
    pub topics: TopicIndex,
    /// `related[doc][section]`: the most related sections of other documents.
    pub related: Vec<Vec<Vec<Related>>>,
    /// The reasons of the related links (shared topics, words), which
    /// `Related`'s methods read.
    pub reasons: Reasons,
    /// Explicit links between documents, and backlinks.
    pub links: LinkGraph,
    /// `inline[doc][section]`: topic mentions to link to their topic's page.
    pub inline: Vec<Vec<Vec<InlineLink>>>,
    /// `topic_relations[topic]`: related topics, explicit ones first, then
    /// the strongest.
    pub topic_relations: Vec<Vec<TopicRelation>>,
    /// Where each topic goes on the topic index's map.
    pub topic_map: map::TopicMap,
}

impl Site {
    pub fn section(&self, r: SectionRef) -> &crate::model::Section {
        &self.documents[r.doc].sections[r.section]
    }

    pub fn topic_slug(&self, id: TopicId) -> &str {
        &self.catalog.topics[id].slug
    }
}

/// Builds the links of a site. The diagnostics are warnings: links to
/// missing files or anchors. `content_dir` only names files in them.
pub fn link(
    config: SiteConfig,
    catalog: Catalog,
    documents: Vec<Document>,
    topics: TopicIndex,
    content_dir: &Path,
) -> (Site, Vec<Diagnostic>) {
    link_with(config, catalog, documents, topics, content_dir)
}

/// [`link`] for a one-off build, whose other readers of the words of every
/// section (the search index) are done, from the section `vectors` already
/// made of them (`terms::section_vectors`: a build makes them beside the
/// search index, which reads the same words). The words are freed before the
/// ranking of related sections, the stage's peak of memory. The `Site`'s
/// `topics.words` is left empty.
pub fn link_dropping_words(
    config: SiteConfig,
    catalog: Catalog,
    documents: Vec<Document>,
    mut topics: TopicIndex,
    vectors: terms::SectionVectors,
    content_dir: &Path,
) -> (Site, Vec<Diagnostic>) {
    topics.words = Default::default();
    link_vectors(config, catalog, documents, topics, vectors, content_dir)
}

fn link_with(
    config: SiteConfig,
    catalog: Catalog,
    documents: Vec<Document>,
    mut topics: TopicIndex,
    content_dir: &Path,
) -> (Site, Vec<Diagnostic>) {
    // `watch` hands over documents edited since their words were read.
    topics.words.refresh(&documents);
    let vectors = terms::section_vectors(&documents, &topics);
    link_vectors(config, catalog, documents, topics, vectors, content_dir)
}

/// The links of a site whose section vectors are made.
fn link_vectors(
    config: SiteConfig,
    catalog: Catalog,
    documents: Vec<Document>,
    topics: TopicIndex,
    vectors: terms::SectionVectors,
    content_dir: &Path,
) -> (Site, Vec<Diagnostic>) {
    // The ranking of related sections, the stage's bulk, starts with steps
    // on one thread (the flat copy, the site-wide champion lists): the rest
    // of the stage runs beside it, on the other threads.
    let (ranked, (mut links, inline, topic_relations, topic_map)) = rayon::join(
        || related::rank_vectors(&documents, &topics, vectors, &config.related),
        || {
            let links = explicit::resolve(&documents, content_dir);
            let inline = inline::inline_links(&documents, &catalog, &topics, config.inline_links);
            let topic_relations = relations::topic_relations(&topics, &catalog);
            let topic_map = map::topic_map(&topics, &catalog);
            (links, inline, topic_relations, topic_map)
        },
    );
    let related::RelatedSections {
        lists: related,
        reasons,
    } = ranked;
    let warnings = std::mem::take(&mut links.diagnostics);
    let site = Site {
        config,
        catalog,
        documents,
        topics,
        related,
        reasons,
        links,
        inline,
        topic_relations,
        topic_map,
    };
    (site, warnings)
}
