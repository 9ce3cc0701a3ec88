//! The topic catalog, `content/topics.toml`: an array of `[[topic]]` tables
//! with `slug`, `name`, `aliases`, `description` (Markdown) and optional
//! `related` slugs. Parsed and checked here; errors name the line.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Diagnostic, line_of};
use crate::model::TopicId;

/// One topic of the catalog, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub slug: String,
    pub name: String,
    /// The phrases that mark a mention; the name is always one of them.
    pub aliases: Vec<String>,
    /// The description as written (Markdown).
    pub description: String,
    pub description_html: String,
    /// Explicitly related topics.
    pub related: Vec<TopicId>,
}

/// All topics, in catalog order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    pub topics: Vec<Topic>,
    by_slug: HashMap<String, TopicId>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    topic: Vec<RawTopic>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    slug: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    related: Vec<String>,
}

impl Catalog {
    pub fn get(&self, slug: &str) -> Option<TopicId> {
        self.by_slug.get(slug).copied()
    }

    pub fn len(&self) -> usize {
        self.topics.len()
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    /// Builds a catalog from checked topics (used by tests and by `parse`).
    pub fn from_topics(topics: Vec<Topic>) -> Catalog {
        let by_slug = topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.slug.clone(), i))
            .collect();
        Catalog { topics, by_slug }
    }

    /// Parses and checks the catalog text. `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Catalog, Vec<Diagnostic>> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| {
            let mut d = Diagnostic::error(format!("topic catalog: {}", e.message()))
                .at(path)
                .hint("each topic is a [[topic]] table with slug, name, aliases, description and optional related");
            if let Some(span) = e.span() {
                d = d.line(line_of(text, span.start));
            }
            vec![d]
        })?;
        check(raw.topic, text, path)
    }
}

/// Checks slugs (well-formed, unique) and related slugs (known), and renders
/// descriptions. Every problem is reported, with the line of the slug.
fn check(raw: Vec<RawTopic>, text: &str, path: &Path) -> Result<Catalog, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let line_of_slug = |slug: &str| {
        let quoted = format!("\"{slug}\"");
        text.find(&quoted).map_or(1, |at| line_of(text, at))
    };
    let mut by_slug = HashMap::new();
    for (i, t) in raw.iter().enumerate() {
        if slug::slugify(&t.slug) != t.slug {
            errors.push(
                Diagnostic::error(format!("topic slug `{}` is not a valid slug", t.slug))
                    .at(path)
                    .line(line_of_slug(&t.slug))
                    .hint(format!(
                        "use lower-case letters, digits and hyphens, e.g. `{}`",
                        slug::slugify(&t.slug)
                    )),
            );
        }
        if by_slug.insert(t.slug.clone(), i).is_some() {
            errors.push(
                Diagnostic::error(format!("topic slug `{}` is defined twice", t.slug))
                    .at(path)
                    .line(line_of_slug(&t.slug))
                    .hint("give each [[topic]] its own slug"),
            );
        }
    }
    let mut topics = Vec::with_capacity(raw.len());
    for t in raw {
        let mut related = Vec::new();
        for r in &t.related {
            match by_slug.get(r) {
                Some(&id) => related.push(id),
                None => errors.push(
                    Diagnostic::error(format!(
                        "topic `{}` is related to unknown topic `{r}`",
                        t.slug
                    ))
                    .at(path)
                    .line(line_of_slug(r))
                    .hint("`related` lists slugs of other [[topic]] entries of this catalog"),
                ),
            }
        }
        let mut aliases = vec![t.name.clone()];
        for a in t.aliases {
            if !aliases.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                aliases.push(a);
            }
        }
        topics.push(Topic {
            description_html: markdown_to_html(&t.description),
            slug: t.slug,
            name: t.name,
            aliases,
            description: t.description,
            related,
        });
    }
    if errors.is_empty() {
        Ok(Catalog::from_topics(topics))
    } else {
        Err(errors)
    }
}

fn markdown_to_html(md: &str) -> String {
    let mut out = String::new();
    let parser = pulldown_cmark::Parser::new_ext(md, crate::structure::markdown::options());
    pulldown_cmark::html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[[topic]]
slug = "fomo"
name = "FOMO"
aliases = ["peur de manquer"]
description = "La **peur** de manquer."
related = ["homophilie"]

[[topic]]
slug = "homophilie"
name = "homophilie"
"#;

    #[test]
    fn parses_topics_with_name_as_alias() {
        let c = Catalog::parse(SAMPLE, Path::new("topics.toml")).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.topics[0].aliases, ["FOMO", "peur de manquer"]);
        assert_eq!(c.topics[0].related, [1]);
        assert!(
            c.topics[0]
                .description_html
                .contains("<strong>peur</strong>")
        );
        assert_eq!(c.get("homophilie"), Some(1));
    }

    #[test]
    fn unknown_related_slug_names_its_line() {
        let text = "[[topic]]\nslug = \"a\"\nname = \"A\"\nrelated = [\"zz\"]\n";
        let e = Catalog::parse(text, Path::new("topics.toml")).unwrap_err();
        assert_eq!(e[0].line, Some(4));
        assert!(e[0].message.contains("zz"));
    }

    #[test]
    fn duplicate_and_malformed_slugs_are_errors() {
        let text = "[[topic]]\nslug = \"a\"\nname = \"A\"\n[[topic]]\nslug = \"a\"\nname = \"B\"\n[[topic]]\nslug = \"Bad Slug\"\nname = \"C\"\n";
        let e = Catalog::parse(text, Path::new("topics.toml")).unwrap_err();
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn toml_errors_carry_a_line() {
        let e =
            Catalog::parse("[[topic]]\nslug = \"a\"\nname = 3\n", Path::new("t.toml")).unwrap_err();
        assert_eq!(e[0].line, Some(3));
    }
}
