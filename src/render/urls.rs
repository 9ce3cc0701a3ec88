//! Where each page lives in the output, and the URL that points to it. One
//! place decides, so links and written files can never disagree.
//!
//! URLs are relative to the output root. By default they name `index.html`
//! explicitly, so the site works opened straight from disk; with
//! `pretty_urls = true` they end at the folder (`doc/`), for servers.

use rayon::prelude::*;

use crate::link::Site;
use crate::model::SectionRef;

#[derive(Debug, Clone, Copy)]
pub struct Urls {
    pretty: bool,
}

/// The folder holding topic pages.
pub const TOPICS_DIR: &str = "topics";
/// The folder holding the home page's following pages (`page/2/`…), as
/// Hugo names them. A reserved slug (`structure::RESERVED_SLUGS`).
pub const HOME_PAGES_DIR: &str = "page";

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

    /// Page `n` (1-based) of the home page's list of documents: the home
    /// page itself for the first.
    pub fn home_page(&self, n: usize) -> String {
        if n <= 1 {
            self.home().to_string()
        } else {
            self.folder(&format!("{HOME_PAGES_DIR}/{n}"))
        }
    }

    /// The file page `n` of the home page is written to.
    pub fn home_page_file(n: usize) -> String {
        if n <= 1 {
            "index.html".to_string()
        } else {
            Urls::file_of_folder(&format!("{HOME_PAGES_DIR}/{n}"))
        }
    }

    /// The `root` prefix of page `n` of the home page.
    pub fn home_page_root(n: usize) -> &'static str {
        if n <= 1 { "" } else { "../../" }
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

    /// Page `n` (1-based) of a topic: the topic's own URL for the first.
    pub fn topic_page(&self, slug: &str, n: usize) -> String {
        if n <= 1 {
            self.topic(slug)
        } else {
            self.folder(&format!("{TOPICS_DIR}/{slug}/page/{n}"))
        }
    }

    /// The file page `n` of a topic is written to.
    pub fn topic_page_file(slug: &str, n: usize) -> String {
        if n <= 1 {
            Urls::file_of_folder(&format!("{TOPICS_DIR}/{slug}"))
        } else {
            Urls::file_of_folder(&format!("{TOPICS_DIR}/{slug}/page/{n}"))
        }
    }

    /// The `root` prefix of page `n` of a topic: it sits two or four folders deep.
    pub fn topic_page_root(n: usize) -> &'static str {
        if n <= 1 { "../../" } else { "../../../../" }
    }

    /// The file a folder URL is served from.
    pub fn file_of_folder(dir: &str) -> String {
        format!("{dir}/index.html")
    }
}

/// The URL of every document, section and topic of a site, formatted once
/// per build: pages link to the same sections many times over (related
/// lists, topic pages, `site.json`), and formatting each link anew was 5% of
/// a build's time in the profile. Contexts borrow from it.
pub struct UrlTable {
    documents: Vec<String>,
    /// `sections[doc]`: the URLs of a document's sections one after the
    /// other in one string (one allocation per document rather than per
    /// section: `watch` lists a site's pages on every change).
    sections: Vec<SectionUrls>,
    topics: Vec<String>,
}

/// The section URLs of one document, end to end, and where each one ends.
struct SectionUrls {
    text: String,
    ends: Vec<u32>,
}

impl UrlTable {
    pub fn new(site: &Site, urls: &Urls) -> UrlTable {
        let documents: Vec<String> = site
            .documents
            .par_iter()
            .map(|d| urls.document(&d.slug))
            .collect();
        let sections = site
            .documents
            .par_iter()
            .zip(&documents)
            .map(|(doc, url)| {
                let len = doc
                    .sections
                    .iter()
                    .map(|s| url.len() + 1 + s.id.len())
                    .sum();
                let mut text = String::with_capacity(len);
                let mut ends = Vec::with_capacity(doc.sections.len());
                for s in &doc.sections {
                    text.push_str(url);
                    text.push('#');
                    text.push_str(&s.id);
                    ends.push(text.len() as u32);
                }
                SectionUrls { text, ends }
            })
            .collect();
        let topics = site
            .catalog
            .topics
            .iter()
            .map(|t| urls.topic(&t.slug))
            .collect();
        UrlTable {
            documents,
            sections,
            topics,
        }
    }

    pub fn document(&self, doc: usize) -> &str {
        &self.documents[doc]
    }

    pub fn section(&self, r: SectionRef) -> &str {
        let urls = &self.sections[r.doc];
        let start = match r.section {
            0 => 0,
            s => urls.ends[s - 1] as usize,
        };
        &urls.text[start..urls.ends[r.section] as usize]
    }

    pub fn topic(&self, topic: usize) -> &str {
        &self.topics[topic]
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
        assert_eq!(u.topic_page("fomo", 1), "topics/fomo/index.html");
        assert_eq!(u.topic_page("fomo", 3), "topics/fomo/page/3/index.html");
        assert_eq!(
            Urls::topic_page_file("fomo", 3),
            "topics/fomo/page/3/index.html"
        );
        assert_eq!(Urls::topic_page_root(3), "../../../../");
        assert_eq!(u.home_page(1), "index.html");
        assert_eq!(u.home_page(2), "page/2/index.html");
        assert_eq!(Urls::home_page_file(2), "page/2/index.html");
        assert_eq!(Urls::home_page_root(2), "../../");
    }

    #[test]
    fn pretty_urls_end_at_the_folder() {
        let u = Urls::new(true);
        assert_eq!(u.section("doc", "a"), "doc/#a");
        assert_eq!(u.topic("fomo"), "topics/fomo/");
        assert_eq!(u.home_page(1), "./");
        assert_eq!(u.home_page(3), "page/3/");
    }
}
