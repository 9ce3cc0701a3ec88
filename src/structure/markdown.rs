//! Markdown structuring: one pulldown-cmark pass over the body, cut into
//! sections at every heading, each rendered to HTML and to plain text with its
//! source line range.
//!
//! The pass also notes what the link stage will need, so that it never parses
//! HTML: where the running text lies in each section's HTML (inline topic
//! links may go there, never in a link, code, an image or raw HTML), and
//! where the `href` of each link to another content file lies. Both are
//! found by wrapping the events in markers before rendering — private-use
//! characters around linkable text, a placeholder destination for links —
//! then taking the markers out of the HTML and keeping their positions.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use crate::error::LineIndex;
use crate::model::{Linkable, SourceLink};

/// The Markdown extensions maillage enables: CommonMark plus GFM.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// A heading as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// An explicit `{#id}`.
    pub id: Option<String>,
    /// 1-based line in the file.
    pub line: usize,
}

/// A section before anchors and title rules are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection {
    /// `None` for the text before the first heading.
    pub heading: Option<Heading>,
    pub html: String,
    pub text: String,
    /// 1-based inclusive line range in the file.
    pub lines: (usize, usize),
    /// The runs of `html` holding linkable running text.
    pub linkable: Vec<Linkable>,
    /// Links to content files or anchors.
    pub links: Vec<SourceLink>,
}

/// Marks the start and the end of linkable text in the HTML before it is
/// taken apart; private-use characters, which no text needs.
const TEXT_START: char = '\u{E000}';
const TEXT_END: char = '\u{E001}';
/// The `href` a content link gets until its destination is put back.
macro_rules! link_placeholder {
    () => {
        "maillage-link:"
    };
}
const LINK_PLACEHOLDER: &str = link_placeholder!();
/// The placeholder as it reads in the rendered HTML.
const LINK_HREF: &str = concat!("href=\"", link_placeholder!());

/// Splits a Markdown body into sections. `line_offset` is the number of file
/// lines before `body` (the front matter), so ranges are file lines.
pub fn sections(body: &str, line_offset: usize) -> Vec<RawSection> {
    let mut out = Vec::new();
    // A text holding the markers themselves gets no linkable spans rather
    // than wrong ones.
    let markable = !holds_markers(body);
    let mut current = Builder::new(None, 1 + line_offset, markable);
    let mut heading: Option<(u8, Option<String>, usize, String)> = None;
    let lines = LineIndex::new(body);
    let line_of = |offset: usize| lines.line(offset) + line_offset;

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let line = line_of(range.start);
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                out.extend(current.finish());
                heading = Some((
                    level_number(level),
                    id.map(|s| s.to_string()),
                    line,
                    String::new(),
                ));
                current = Builder::new(None, line, markable);
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, line, text)) = heading.take() {
                    current.heading = Some(Heading {
                        level,
                        text: collapse_spaces(&text),
                        id,
                        line,
                    });
                }
            }
            event if heading.is_some() => {
                if let (Some(h), Some(t)) = (heading.as_mut(), event_text(&event)) {
                    h.3.push_str(t);
                }
            }
            event => {
                // Block ranges may include trailing blank lines: the last line is
                // that of the last non-blank byte.
                let end = range.start + body[range.clone()].trim_end().len();
                let last = line_of(end.saturating_sub(1).max(range.start));
                current.source_span(range.start, end);
                current.push(event, line, last);
            }
        }
    }
    out.extend(current.finish());
    out
}

/// Whether `text` holds `TEXT_START` or `TEXT_END`. Both are encoded as
/// `EE 80 80`/`EE 80 81`: a byte search for their rare lead byte (SIMD)
/// instead of a `char` pattern over every character, which was 8 % of the
/// stage's instructions.
fn holds_markers(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(0xEE, bytes).any(|i| {
        let rest = &bytes[i..];
        [TEXT_START, TEXT_END]
            .iter()
            .any(|m| rest.starts_with(m.encode_utf8(&mut [0; 4]).as_bytes()))
    })
}

/// Collects one section's events.
struct Builder<'a> {
    heading: Option<Heading>,
    events: Vec<Event<'a>>,
    text: String,
    first_line: usize,
    last_line: usize,
    /// Whether linkable text may be marked (see `sections`).
    markable: bool,
    /// Depth inside links, images and code blocks: no topic link there.
    shut: usize,
    /// Raw inline HTML elements left open in the current block.
    raw_open: usize,
    links: Vec<(String, usize)>,
    /// Where in `text` each marked run of text was written, in order.
    text_starts: Vec<usize>,
    /// The bytes of the body this section's events come from, to size its
    /// HTML once rather than grow it by doubling (13 % of the stage's
    /// instructions were that growth's reallocations and copies).
    source: Option<(usize, usize)>,
}

impl<'a> Builder<'a> {
    fn new(heading: Option<Heading>, first_line: usize, markable: bool) -> Builder<'a> {
        Builder {
            heading,
            events: Vec::new(),
            text: String::new(),
            first_line,
            last_line: first_line,
            markable,
            shut: 0,
            raw_open: 0,
            links: Vec::new(),
            text_starts: Vec::new(),
            source: None,
        }
    }

    /// Notes that an event comes from `start..end` of the body.
    fn source_span(&mut self, start: usize, end: usize) {
        let (first, last) = self.source.get_or_insert((start, end));
        *first = (*first).min(start);
        *last = (*last).max(end);
    }

    fn push(&mut self, event: Event<'a>, line: usize, last_line: usize) {
        let text_at = self.text.len();
        match &event {
            Event::SoftBreak | Event::HardBreak => self.text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition,
            ) => self.text.push('\n'),
            other => {
                if let Some(t) = event_text(other) {
                    self.text.push_str(t);
                }
            }
        }
        self.last_line = self.last_line.max(last_line);
        let event = self.track(event, line);
        let linkable = self.markable
            && self.shut == 0
            && self.raw_open == 0
            && matches!(event, Event::Text(_) | Event::SoftBreak);
        if linkable {
            self.text_starts.push(text_at);
            self.events
                .push(Event::InlineHtml(CowStr::from(TEXT_START)));
            self.events.push(event);
            self.events.push(Event::InlineHtml(CowStr::from(TEXT_END)));
        } else {
            self.events.push(event);
        }
    }

    /// Follows where the event sits (in a link, code, raw HTML…) and swaps
    /// the destination of a content link for a numbered placeholder.
    fn track(&mut self, event: Event<'a>, line: usize) -> Event<'a> {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.shut += 1;
                let dest_url = if is_content_link(&dest_url) {
                    self.links.push((dest_url.to_string(), line));
                    CowStr::from(format!("{LINK_PLACEHOLDER}{}", self.links.len() - 1))
                } else {
                    dest_url
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image { .. } | Tag::CodeBlock(_) | Tag::MetadataBlock(_)) => {
                self.shut += 1;
                event
            }
            Event::End(
                TagEnd::Link | TagEnd::Image | TagEnd::CodeBlock | TagEnd::MetadataBlock(_),
            ) => {
                self.shut = self.shut.saturating_sub(1);
                event
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                self.raw_open = 0;
                event
            }
            Event::InlineHtml(ref raw) => {
                self.raw_open = raw_depth_after(self.raw_open, raw);
                event
            }
            other => other,
        }
    }

    /// The finished section; `None` for an empty introduction.
    fn finish(self) -> Option<RawSection> {
        if self.heading.is_none() && self.events.is_empty() {
            return None;
        }
        // HTML is about as long as its Markdown, plus tags and markers: a
        // quarter more holds nearly every section.
        let source = self.source.map_or(0, |(first, last)| last - first);
        let mut rendered = String::with_capacity(source + source / 4 + 64);
        html::push_html(&mut rendered, self.events.into_iter());
        let (mut html_out, mut linkable, links) =
            take_markers(&rendered, &self.links, self.markable, &self.text_starts);
        // Sections live until the build ends: no spare capacity (the markers
        // taken out, and vector growth, left up to a fifth of slack).
        html_out.shrink_to_fit();
        linkable.shrink_to_fit();
        let text = self.text.trim_end().to_string();
        super::linkable::settle(&html_out, &text, &mut linkable);
        Some(RawSection {
            heading: self.heading,
            html: html_out,
            text,
            lines: (self.first_line, self.last_line),
            linkable,
            links,
        })
    }
}

/// Whether a destination may point at a content file or an anchor: a
/// relative path to a `.md` or `.txt` file (then maybe `#anchor`), or a bare
/// `#anchor`. Web addresses, `mailto:`, site-absolute paths and other files
/// are left alone.
pub fn is_content_link(dest: &str) -> bool {
    if dest.starts_with('/') || has_scheme(dest) {
        return false;
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() {
        return dest.len() > 1 && dest.starts_with('#');
    }
    crate::load::source_kind(std::path::Path::new(path)).is_some()
}

/// `http:`, `mailto:`…: letters, digits, `+-.`, then `:` before any `/#?`.
fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(colon) => {
            let scheme = &dest[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Open raw inline elements after `raw` (`<span>` opens, `</span>` closes;
/// void and self-closing tags and comments change nothing).
fn raw_depth_after(depth: usize, raw: &str) -> usize {
    let tag = raw.trim();
    if tag.starts_with("</") {
        return depth.saturating_sub(1);
    }
    let name: String = tag
        .trim_start_matches('<')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let void = matches!(
        name.as_str(),
        "" | "br" | "img" | "hr" | "wbr" | "input" | "area" | "col" | "embed" | "source"
    );
    if void || tag.ends_with("/>") || tag.starts_with("<!") || tag.starts_with("<?") {
        depth
    } else {
        depth + 1
    }
}

/// Takes the markers out of rendered HTML (text markers only if `marked`):
/// returns the HTML, the runs of linkable text in it (with where each was
/// written in the text, from `text_starts`: one per start marker, in order),
/// and the content links with their destinations put back (escaped as
/// pulldown-cmark escapes them) and located.
///
/// Each kind of marker is looked for once over the whole HTML (`memchr`),
/// not again from every marker found: a section with many runs of text and
/// a link at its end was read again up to the link at each run.
fn take_markers(
    rendered: &str,
    links: &[(String, usize)],
    marked: bool,
    text_starts: &[usize],
) -> (String, Vec<Linkable>, Vec<SourceLink>) {
    let placeholder = LINK_HREF;
    let mut out = String::with_capacity(rendered.len());
    let mut linkable: Vec<Linkable> = Vec::new();
    let mut located: Vec<SourceLink> = Vec::new();
    // The open run: where it starts in the HTML and in the text.
    let mut open: Option<(usize, Option<usize>)> = None;
    let mut text_starts = text_starts.iter();
    let bytes = rendered.as_bytes();
    let finder = memchr::memmem::Finder::new(placeholder.as_bytes());
    let mut markers = marked.then(|| text_markers(bytes)).into_iter().flatten();
    // Most sections have no content link: their HTML is not searched.
    let mut places = (!links.is_empty())
        .then(|| finder.find_iter(bytes))
        .into_iter()
        .flatten();
    let mut next_marker = markers.next();
    let mut next_link = places.next();
    let mut copied = 0;
    loop {
        let at = match (next_marker, next_link) {
            (Some(m), Some(l)) => m.min(l),
            (Some(m), None) => m,
            (None, Some(l)) => l,
            (None, None) => break,
        };
        out.push_str(&rendered[copied..at]);
        if next_marker == Some(at) {
            next_marker = markers.next();
            copied = at + TEXT_START.len_utf8();
            if rendered[at..].starts_with(TEXT_START) {
                let text = text_starts.next().copied();
                // Adjacent runs (text, soft break, text) make one span,
                // written in the text from where the first was.
                match linkable.last() {
                    Some(run) if run.end as usize == out.len() => {
                        let text = (run.text != Linkable::NO_TEXT).then_some(run.text as usize);
                        open = Some((run.start as usize, text));
                        linkable.pop();
                    }
                    _ => open = Some((out.len(), text)),
                }
            } else if let Some((start, text)) = open.take()
                && start < out.len()
            {
                linkable.extend(super::linkable::run(start, out.len(), text));
            }
        } else {
            next_link = places.next();
            let after = &rendered[at + placeholder.len()..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let link = after[..digits]
                .parse::<usize>()
                .ok()
                .and_then(|n| links.get(n));
            out.push_str("href=\"");
            let start = out.len();
            if let Some((dest, line)) = link {
                // Writing into a String cannot fail.
                let _ = pulldown_cmark_escape::escape_href(&mut out, dest);
                located.push(SourceLink {
                    dest: dest.clone(),
                    line: *line,
                    href: (start, out.len()),
                });
            }
            copied = at + placeholder.len() + digits;
        }
    }
    out.push_str(&rendered[copied..]);
    (out, linkable, located)
}

/// Where `TEXT_START` and `TEXT_END` lie in `bytes`, in order: both are
/// three bytes, `EE 80 80` and `EE 80 81`; `EE` only ever leads a
/// character in UTF-8, so a match is always a whole one.
fn text_markers(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(0xEE, bytes)
        .filter(move |&i| matches!(bytes.get(i + 1..i + 3), Some([0x80, 0x80 | 0x81])))
}

/// The readable text an event carries, if any.
fn event_text<'e>(event: &'e Event<'_>) -> Option<&'e str> {
    match event {
        Event::Text(t) | Event::Code(t) => Some(t),
        Event::SoftBreak | Event::HardBreak => Some(" "),
        _ => None,
    }
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_by_their_bytes() {
        assert!(!holds_markers(""));
        assert!(!holds_markers(
            "é, î, \u{E002} and \u{EFFF}: same lead byte, not markers"
        ));
        assert!(holds_markers("text \u{E000}"));
        assert!(holds_markers("\u{E002}\u{E001}"));
    }

    #[test]
    fn splits_at_headings_with_lines() {
        let body = "Intro *text*.\n\n## First\n\nA para.\n\n- item\n\n### Second {#custom}\n\nB\n";
        let s = sections(body, 0);
        assert_eq!(s.len(), 3);
        assert!(s[0].heading.is_none());
        assert_eq!(s[0].html, "<p>Intro <em>text</em>.</p>\n");
        assert_eq!(s[0].lines, (1, 1));
        let h = s[1].heading.as_ref().unwrap();
        assert_eq!((h.level, h.text.as_str(), h.line), (2, "First", 3));
        assert_eq!(s[1].lines, (3, 7));
        assert_eq!(s[1].text, "A para.\nitem");
        let h2 = s[2].heading.as_ref().unwrap();
        assert_eq!(h2.id.as_deref(), Some("custom"));
        assert_eq!(h2.text, "Second");
        assert_eq!(s[2].lines, (9, 11));
    }

    #[test]
    fn line_offset_counts_front_matter() {
        let s = sections("## H\n\ntext\n", 4);
        assert_eq!(s[0].lines, (5, 7));
    }

    #[test]
    fn gfm_extensions_render() {
        let body =
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~\n\n- [x] done\n\nNote[^1].\n\n[^1]: foot\n";
        let html = &sections(body, 0)[0].html;
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>x</del>"), "{html}");
        assert!(html.contains("checkbox"), "{html}");
        assert!(html.contains("footnote"), "{html}");
    }

    #[test]
    fn heading_text_keeps_inline_code_and_drops_markup() {
        let s = sections("## The *best* `tool`\n", 0);
        assert_eq!(s[0].heading.as_ref().unwrap().text, "The best tool");
    }

    /// The linkable pieces of a section's HTML.
    fn linkable(s: &RawSection) -> Vec<&str> {
        s.linkable.iter().map(|l| &s.html[l.range()]).collect()
    }

    #[test]
    fn linkable_text_excludes_links_code_images_and_raw_html() {
        let body = "Un *mot* et `code` puis [lien](https://x.org) \
                    ![image](i.png) <span>brut</span> fin & suite\nligne.\n\n\
                    ```\nbloc\n```\n";
        let s = &sections(body, 0)[0];
        let pieces = linkable(s);
        let all = pieces.concat();
        for kept in ["Un ", "mot", " et ", " puis ", " fin &amp; suite\nligne."] {
            assert!(pieces.contains(&kept), "{kept:?} in {pieces:?}");
        }
        for never in ["code", "lien", "image", "brut", "bloc"] {
            assert!(!all.contains(never), "{never} in {pieces:?}");
        }
        assert!(!s.html.contains(['\u{E000}', '\u{E001}']), "{}", s.html);
    }

    #[test]
    fn content_links_are_located_with_their_line() {
        let body = "Voir [autre](autre.md#partie), [texte](../d/x.txt)\net [ici](#plus).\n\n\
                    [web](https://x.org/a.md) [img](a.png) [mail](mailto:a@b.md)\n";
        let s = &sections(body, 3)[0];
        let found: Vec<(&str, usize, &str)> = s
            .links
            .iter()
            .map(|l| (l.dest.as_str(), l.line, &s.html[l.href.0..l.href.1]))
            .collect();
        assert_eq!(
            found,
            [
                ("autre.md#partie", 4, "autre.md#partie"),
                ("../d/x.txt", 4, "../d/x.txt"),
                ("#plus", 5, "#plus"),
            ]
        );
        assert!(s.html.contains("href=\"https://x.org/a.md\""));
        assert!(!s.html.contains("maillage-link"), "{}", s.html);
    }

    #[test]
    fn destinations_are_escaped_as_pulldown_cmark_does() {
        let s = &sections("[a](<mon fichier.md>) [b](été.md)\n", 0)[0];
        assert!(s.html.contains("href=\"mon%20fichier.md\""), "{}", s.html);
        assert_eq!(s.links[0].dest, "mon fichier.md");
        assert_eq!(
            &s.html[s.links[1].href.0..s.links[1].href.1],
            "%C3%A9t%C3%A9.md"
        );
    }

    #[test]
    fn text_with_marker_characters_gets_no_spans() {
        let s = &sections("Un \u{E000} étrange.\n", 0)[0];
        assert!(s.linkable.is_empty());
        assert!(s.html.contains('\u{E000}'));
    }

    #[test]
    fn empty_body_has_no_sections() {
        assert!(sections("", 0).is_empty());
        assert!(sections("\n\n", 0).is_empty());
    }
}
