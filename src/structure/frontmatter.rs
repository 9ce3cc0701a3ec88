//! Front matter: an optional TOML (`+++`) or YAML (`---`) block at the top of
//! a Markdown file, with the document's title, description, date, topics,
//! draft flag, slug, weight and language.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::error::{Diagnostic, line_of};
use crate::model::FrontTopic;

/// The keys maillage reads; others are reported as warnings, since a typo
/// (`topic = [...]`) would otherwise be silently ignored.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "topics",
    "draft",
    "slug",
    "weight",
    "language",
];

/// Front matter, as written.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub date: Option<String>,
    pub topics: Vec<FrontTopic>,
    pub draft: bool,
    pub slug: Option<String>,
    pub weight: Option<i64>,
    pub language: Option<String>,
    /// Keys maillage does not know, with their lines.
    pub unknown_keys: Vec<(String, usize)>,
}

#[derive(Debug, Default, Deserialize)]
struct Raw {
    title: Option<String>,
    description: Option<String>,
    date: Option<DateValue>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    draft: bool,
    slug: Option<String>,
    weight: Option<i64>,
    language: Option<String>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

/// A date as a string (`"2024-05-01"`) or a TOML date (`2024-05-01`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DateValue {
    Text(String),
    Toml(toml::value::Datetime),
}

/// A split file: its front matter and where the body starts.
#[derive(Debug, Default, PartialEq)]
pub struct Split<'a> {
    pub front: FrontMatter,
    pub body: &'a str,
    /// Number of lines before the body (front matter and its fences), to turn
    /// body line numbers into file line numbers.
    pub body_line_offset: usize,
}

/// Splits `text` into front matter and body. Errors name the line in the file.
pub fn split(text: &str) -> Result<Split<'_>, Diagnostic> {
    let Some((fence, format)) = opening_fence(text) else {
        return Ok(Split {
            front: FrontMatter::default(),
            body: text,
            body_line_offset: 0,
        });
    };
    let start = fence.len() + 1;
    let close = find_closing_fence(text, start, fence).ok_or_else(|| {
        Diagnostic::error(format!(
            "front matter opened with `{fence}` is never closed"
        ))
        .line(1)
        .hint(format!(
            "add a line with only `{fence}` after the front matter"
        ))
    })?;
    let block = &text[start..close];
    let after = (close + fence.len()).min(text.len());
    let body_start = if text[after..].starts_with('\n') {
        after + 1
    } else {
        after
    };
    let front = parse_block(block, format).map_err(|(offset, msg)| {
        Diagnostic::error(format!("front matter: {msg}"))
            .line(line_of(text, start + offset))
            .hint(match format {
                Format::Toml => {
                    "front matter between `+++` lines must be TOML, e.g. title = \"Mon titre\""
                }
                Format::Yaml => {
                    "front matter between `---` lines must be YAML, e.g. title: Mon titre"
                }
            })
    })?;
    let front = with_file_lines(front, text, start);
    Ok(Split {
        front,
        body: &text[body_start..],
        body_line_offset: line_of(text, body_start) - 1,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Toml,
    Yaml,
}

fn opening_fence(text: &str) -> Option<(&'static str, Format)> {
    let first = text.lines().next()?.trim_end();
    match first {
        "+++" => Some(("+++", Format::Toml)),
        "---" => Some(("---", Format::Yaml)),
        _ => None,
    }
}

/// Byte offset of the closing fence line, searching from `from`.
fn find_closing_fence(text: &str, from: usize, fence: &str) -> Option<usize> {
    let mut offset = from;
    for line in text[from..].split_inclusive('\n') {
        if line.trim_end() == fence {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// Parses the block between the fences. Errors carry a byte offset into `block`.
fn parse_block(block: &str, format: Format) -> Result<(Raw, Vec<String>), (usize, String)> {
    let raw: Raw = match format {
        Format::Toml => toml::from_str(block)
            .map_err(|e| (e.span().map_or(0, |s| s.start), e.message().to_string()))?,
        Format::Yaml => {
            if block.trim().is_empty() {
                Raw::default()
            } else {
                serde_saphyr::from_str(block).map_err(|e| {
                    let offset = e
                        .location()
                        .map(|l| offset_of_line(block, l.line() as usize))
                        .unwrap_or(0);
                    (offset, first_line(&e.to_string()))
                })?
            }
        }
    };
    let unknown = raw
        .other
        .keys()
        .filter(|k| !KNOWN_KEYS.contains(&k.as_str()))
        .cloned()
        .collect();
    Ok((raw, unknown))
}

fn with_file_lines(parsed: (Raw, Vec<String>), text: &str, block_start: usize) -> FrontMatter {
    let (raw, unknown) = parsed;
    let line_of_word = |word: &str| {
        text[block_start..]
            .find(word)
            .map_or(1, |at| line_of(text, block_start + at))
    };
    let topics = raw
        .topics
        .into_iter()
        .map(|slug| FrontTopic {
            line: line_of_word(&slug),
            slug,
        })
        .collect();
    let unknown_keys = unknown
        .into_iter()
        .map(|k| {
            let line = line_of_word(&k);
            (k, line)
        })
        .collect();
    FrontMatter {
        title: raw.title,
        description: raw.description,
        date: raw.date.map(|d| match d {
            DateValue::Text(s) => s,
            DateValue::Toml(d) => d.to_string(),
        }),
        topics,
        draft: raw.draft,
        slug: raw.slug,
        weight: raw.weight,
        language: raw.language,
        unknown_keys,
    }
}

fn offset_of_line(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_front_matter() {
        let text =
            "+++\ntitle = \"T\"\ntopics = [\"fomo\"]\ndate = 2024-05-01\nweight = 3\n+++\n# Body\n";
        let s = split(text).unwrap();
        assert_eq!(s.front.title.as_deref(), Some("T"));
        assert_eq!(s.front.date.as_deref(), Some("2024-05-01"));
        assert_eq!(s.front.weight, Some(3));
        assert_eq!(
            s.front.topics,
            vec![FrontTopic {
                slug: "fomo".into(),
                line: 3
            }]
        );
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line_offset, 6);
    }

    #[test]
    fn yaml_front_matter() {
        let text = "---\ntitle: T\ndraft: true\ntopics:\n  - homophilie\n---\nBody\n";
        let s = split(text).unwrap();
        assert_eq!(s.front.title.as_deref(), Some("T"));
        assert!(s.front.draft);
        assert_eq!(s.front.topics[0].slug, "homophilie");
        assert_eq!(s.front.topics[0].line, 5);
        assert_eq!(s.body, "Body\n");
    }

    #[test]
    fn no_front_matter() {
        let s = split("# Title\n").unwrap();
        assert_eq!(s.front, FrontMatter::default());
        assert_eq!(s.body_line_offset, 0);
    }

    #[test]
    fn malformed_toml_names_the_file_line() {
        let e = split("+++\ntitle = \"T\"\ntopics = [\"a\"\n+++\n").unwrap_err();
        assert!(e.message.starts_with("front matter:"), "{}", e.message);
        assert!(e.line.is_some_and(|l| (3..=4).contains(&l)), "{:?}", e.line);
    }

    #[test]
    fn malformed_yaml_names_the_file_line() {
        let e = split("---\ntitle: T\ntopics: [a\n---\n").unwrap_err();
        assert!(e.message.starts_with("front matter:"), "{}", e.message);
        assert!(e.line.is_some_and(|l| l >= 2), "{:?}", e.line);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = split("+++\ntitle = \"T\"\n").unwrap_err();
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn unknown_keys_are_listed_with_lines() {
        let s = split("+++\ntitle = \"T\"\ntopic = [\"x\"]\n+++\n").unwrap();
        assert_eq!(s.front.unknown_keys, vec![("topic".to_string(), 3)]);
    }

    #[test]
    fn wrong_type_is_an_error() {
        let e = split("+++\ntitle = 3\n+++\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
