//! Markdown structuring: one pulldown-cmark pass over the body, cut into
//! sections at every heading, each rendered to HTML and to plain text with its
//! source line range.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use crate::error::line_of;

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
}

/// Splits a Markdown body into sections. `line_offset` is the number of file
/// lines before `body` (the front matter), so ranges are file lines.
pub fn sections(body: &str, line_offset: usize) -> Vec<RawSection> {
    let mut out = Vec::new();
    let mut current = Builder::new(None, 1 + line_offset);
    let mut heading: Option<(u8, Option<String>, usize, String)> = None;

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let line = line_of(body, range.start) + line_offset;
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                out.extend(current.finish());
                heading = Some((
                    level_number(level),
                    id.map(|s| s.to_string()),
                    line,
                    String::new(),
                ));
                current = Builder::new(None, line);
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
                let last = line_of(body, end.saturating_sub(1).max(range.start)) + line_offset;
                current.push(event, last);
            }
        }
    }
    out.extend(current.finish());
    out
}

/// Collects one section's events.
struct Builder<'a> {
    heading: Option<Heading>,
    events: Vec<Event<'a>>,
    text: String,
    first_line: usize,
    last_line: usize,
}

impl<'a> Builder<'a> {
    fn new(heading: Option<Heading>, first_line: usize) -> Builder<'a> {
        Builder {
            heading,
            events: Vec::new(),
            text: String::new(),
            first_line,
            last_line: first_line,
        }
    }

    fn push(&mut self, event: Event<'a>, last_line: usize) {
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
        self.events.push(event);
    }

    /// The finished section; `None` for an empty introduction.
    fn finish(self) -> Option<RawSection> {
        if self.heading.is_none() && self.events.is_empty() {
            return None;
        }
        let mut html_out = String::new();
        html::push_html(&mut html_out, self.events.into_iter());
        Some(RawSection {
            heading: self.heading,
            html: html_out,
            text: self.text.trim_end().to_string(),
            lines: (self.first_line, self.last_line),
        })
    }
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

    #[test]
    fn empty_body_has_no_sections() {
        assert!(sections("", 0).is_empty());
        assert!(sections("\n\n", 0).is_empty());
    }
}
