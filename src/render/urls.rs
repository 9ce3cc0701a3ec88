//! Where each page lives in the output, and the URL that points to it. One
//! place decides, so links and written files can never disagree.
//!
//! URLs are relative to the output root. By default they name `index.html`
//! explicitly, so the site works opened straight from disk; with
//! `pretty_urls = true` they end at the folder (`doc/`), for servers.

use rayon::prelude::*;

use crate::link::Site;
use crate::model::SectionRef;

use super::fragments::push_escaped;

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
///
/// Next to each section's URL lies the rest of a link to it as the related
/// and backlink lists write it (`url">Document<span>Section</span></a>`,
/// escaped): at 10,000 documents those lists are 370,000 links, and
/// escaping the URL and both titles for each, from three places in memory,
/// was a third of rendering the document pages.
///
/// Section URLs and links lie end to end in one string, found through a
/// flat array: links point at sections of random documents, and with a
/// string and an array of ends per document, each lookup was three cache
/// misses (1.3% of a 10,000-document build in `perf`, 9% of rendering).
/// Each section's marks are one 32-byte entry, its start included, so that
/// a lookup reads one cache line of them rather than its own and the
/// previous section's: at 100,000 documents the lookups were 18 × their
/// cost at 10,000 (`perf`), the only user-space code growing faster than
/// the site, their 17 MB of marks no longer fitting the cache.
pub struct UrlTable {
    documents: Vec<String>,
    /// Every section's URL then its link, in site order.
    section_text: String,
    /// `section_marks[first_section[doc] + s]`: where the URL of section `s`
    /// of `doc` starts and ends, where its link starts (at the URL when the
    /// URL needs no escaping, else after it), and where the link ends.
    section_marks: Vec<Marks>,
    /// Index of each document's first section in `section_marks`.
    first_section: Vec<usize>,
    topics: Vec<String>,
}

impl UrlTable {
    pub fn new(site: &Site, urls: &Urls) -> UrlTable {
        // Each document's part, in parallel: its URL, its sections' text and
        // marks (from the start of that text).
        let parts: Vec<(String, String, Vec<Marks>)> = site
            .documents
            .par_iter()
            .map(|doc| {
                let url = urls.document(&doc.slug);
                let mut text = String::new();
                let mut marks = Vec::with_capacity(doc.sections.len());
                for s in &doc.sections {
                    let start = text.len();
                    text.push_str(&url);
                    text.push('#');
                    text.push_str(&s.id);
                    let url_end = text.len();
                    let mut link_start = start;
                    if needs_escaping(&text[start..url_end]) {
                        link_start = url_end;
                        let plain = text[start..url_end].to_string();
                        push_escaped(&mut text, &plain);
                    }
                    text.push_str("\">");
                    push_escaped(&mut text, &doc.title);
                    if !s.title.is_empty() && s.title != doc.title {
                        text.push_str("<span>");
                        push_escaped(&mut text, &s.title);
                        text.push_str("</span>");
                    }
                    text.push_str("</a>");
                    marks.push(Marks([start, url_end, link_start, text.len()]));
                }
                (url, text, marks)
            })
            .collect();
        let len = parts.iter().map(|p| p.1.len()).sum();
        let sections = parts.iter().map(|p| p.2.len()).sum();
        let mut documents = Vec::with_capacity(parts.len());
        let mut section_text = String::with_capacity(len);
        let mut section_marks = Vec::with_capacity(sections);
        let mut first_section = Vec::with_capacity(parts.len());
        for (url, text, marks) in parts {
            first_section.push(section_marks.len());
            let at = section_text.len();
            section_text.push_str(&text);
            section_marks.extend(marks.iter().map(|m| Marks(m.0.map(|x| x + at))));
            documents.push(url);
        }
        let topics = site
            .catalog
            .topics
            .iter()
            .map(|t| urls.topic(&t.slug))
            .collect();
        UrlTable {
            documents,
            section_text,
            section_marks,
            first_section,
            topics,
        }
    }

    pub fn document(&self, doc: usize) -> &str {
        &self.documents[doc]
    }

    fn marks(&self, r: SectionRef) -> [usize; 4] {
        self.section_marks[self.first_section[r.doc] + r.section].0
    }

    pub fn section(&self, r: SectionRef) -> &str {
        let [start, url_end, ..] = self.marks(r);
        &self.section_text[start..url_end]
    }

    /// The end of a link to section `r`, after `<a href="` and the page's
    /// `root`: `url">Document<span>Section</span></a>`, escaped, the section
    /// left out when it is the document's title (an introduction).
    pub fn section_link(&self, r: SectionRef) -> &str {
        let [_, _, link_start, end] = self.marks(r);
        &self.section_text[link_start..end]
    }

    pub fn topic(&self, topic: usize) -> &str {
        &self.topics[topic]
    }

    /// `section` of each of `targets`, in order, looked up `AT_ONCE` at a
    /// time (see `Gathered`).
    pub fn sections<I: Iterator<Item = SectionRef>>(&self, targets: I) -> Gathered<'_, I> {
        Gathered::new(self, targets, UrlTable::section)
    }

    /// `section_link` of each of `targets`, in order, looked up `AT_ONCE` at
    /// a time (see `Gathered`).
    pub fn section_links<I: Iterator<Item = SectionRef>>(&self, targets: I) -> Gathered<'_, I> {
        Gathered::new(self, targets, UrlTable::section_link)
    }
}

/// How many lookups `Gathered` makes before handing the first one out.
pub const AT_ONCE: usize = 8;

/// URLs or links of a list of sections (related, backlinks), looked up
/// several at a time before any is copied. The targets are sections of
/// random documents, each lookup a cache miss (two at 100,000 documents,
/// the marks and the text); one after the other between the copies, the
/// processor waited for them in turn; looked up together, it waits for
/// them at once. Rendering every document page of 100,000 documents on one
/// thread: 5.15 s → 4.49 s (`examples/render_costs.rs`).
pub struct Gathered<'t, I> {
    table: &'t UrlTable,
    targets: I,
    lookup: fn(&'t UrlTable, SectionRef) -> &'t str,
    found: [&'t str; AT_ONCE],
    at: usize,
    len: usize,
}

impl<'t, I: Iterator<Item = SectionRef>> Gathered<'t, I> {
    fn new(
        table: &'t UrlTable,
        targets: I,
        lookup: fn(&'t UrlTable, SectionRef) -> &'t str,
    ) -> Self {
        Gathered {
            table,
            targets,
            lookup,
            found: [""; AT_ONCE],
            at: 0,
            len: 0,
        }
    }
}

impl<'t, I: Iterator<Item = SectionRef>> Iterator for Gathered<'t, I> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        if self.at == self.len {
            self.at = 0;
            self.len = 0;
            for slot in &mut self.found {
                let Some(t) = self.targets.next() else { break };
                *slot = (self.lookup)(self.table, t);
                self.len += 1;
            }
            if self.len == 0 {
                return None;
            }
        }
        self.at += 1;
        Some(self.found[self.at - 1])
    }
}

/// A section's start of URL, end of URL, start of link and end of link in
/// `UrlTable::section_text`; aligned so that no entry straddles two cache
/// lines.
#[derive(Clone, Copy)]
#[repr(align(32))]
struct Marks([usize; 4]);

/// Whether `push_escaped` would change `text`: never for the URLs of
/// slugs and anchors, but anchors are not the table's business.
fn needs_escaping(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
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
