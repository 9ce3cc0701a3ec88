//! Where each page lives in the output, and the URL that points to it. One
//! place decides, so links and written files can never disagree.
//!
//! URLs are relative to the output root. By default they name `index.html`
//! explicitly, so the site works opened straight from disk; with
//! `pretty_urls = true` they end at the folder (`doc/`), for servers.

use crate::link::Site;
use crate::model::SectionRef;

#[derive(Debug, Clone, Copy)]
pub struct Urls {
    pretty: bool,
}

/// The folder holding topic pages.
pub const TOPICS_DIR: &str = "topics";

impl Urls {
    pub fn new(pretty: bool) -> Urls {
        Urls { pretty }
    }

    fn folder(&self, dir: &str) -> String {
        if self.pretty {
            format!("{dir}/")
        } else {
            format!("{dir}/index.html")
        }
    }

    pub fn home(&self) -> &'static str {
        if self.pretty { "./" } else { "index.html" }
    }

    pub fn document(&self, slug: &str) -> String {
        self.folder(slug)
    }

    pub fn section(&self, doc_slug: &str, id: &str) -> String {
        format!("{}#{id}", self.document(doc_slug))
    }

    pub fn section_ref(&self, site: &Site, r: SectionRef) -> String {
        let doc = &site.documents[r.doc];
        self.section(&doc.slug, &doc.sections[r.section].id)
    }

    pub fn topics_index(&self) -> &'static str {
        if self.pretty {
            "topics/"
        } else {
            "topics/index.html"
        }
    }

    pub fn topic(&self, slug: &str) -> String {
        self.folder(&format!("{TOPICS_DIR}/{slug}"))
    }

    /// The file a folder URL is served from.
    pub fn file_of_folder(dir: &str) -> String {
        format!("{dir}/index.html")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_name_index_html() {
        let u = Urls::new(false);
        assert_eq!(u.section("doc", "a"), "doc/index.html#a");
        assert_eq!(u.topic("fomo"), "topics/fomo/index.html");
        assert_eq!(u.topics_index(), "topics/index.html");
    }

    #[test]
    fn pretty_urls_end_at_the_folder() {
        let u = Urls::new(true);
        assert_eq!(u.section("doc", "a"), "doc/#a");
        assert_eq!(u.topic("fomo"), "topics/fomo/");
    }
}
