//! `site.toml`: read in two steps, a raw serde struct whose fields are all
//! optional, then a resolved `SiteConfig` with the defaults applied, so the
//! rest of the code never checks for missing values.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Diagnostic, line_of};
use crate::model::Lang;

/// The site's settings, defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    pub title: String,
    pub description: Option<String>,
    pub author: Option<String>,
    /// The `language` code as written (`fr`, `en-GB`), used for `<html lang>`.
    pub language: String,
    /// What text processing makes of `language`.
    pub lang: Lang,
    /// What related-section lists hold (`[related]`).
    pub related: RelatedSettings,
    /// Which mentions of a topic link to its page (`inline_links`).
    pub inline_links: InlineLinks,
    /// Link to `dir/` rather than `dir/index.html`. Off by default so that the
    /// site also works when opened straight from disk.
    pub pretty_urls: bool,
    /// Build the search index and show the search box (`[search] enabled`).
    pub search: bool,
    /// How many sections a topic page lists before the next page (at least
    /// 1; `[topics] page_size`).
    pub topic_page_size: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    author: Option<String>,
    language: Option<String>,
    related: Option<RawRelated>,
    inline_links: Option<InlineLinks>,
    pretty_urls: Option<bool>,
    search: Option<RawSearch>,
    topics: Option<RawTopics>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopics {
    page_size: Option<usize>,
}

/// Sections per topic page by default: a page of excerpts that reads well
/// and weighs some 60 KB.
pub const DEFAULT_TOPIC_PAGE_SIZE: usize = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    enabled: Option<bool>,
}

/// `inline_links`: which mentions of a topic, in the running text of the
/// documents, link to the topic's page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InlineLinks {
    /// The first mention of each topic in each section.
    #[default]
    FirstPerSection,
    /// The first mention of each topic in each document.
    FirstPerDocument,
    /// None.
    Off,
}

impl InlineLinks {
    /// The value as `site.toml` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            InlineLinks::FirstPerSection => "first-per-section",
            InlineLinks::FirstPerDocument => "first-per-document",
            InlineLinks::Off => "off",
        }
    }
}

/// `[related]`: what a section's list of related sections may hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelatedSettings {
    /// Links per section at most.
    pub max: usize,
    /// Links scoring less (scores lie between 0 and 1) are left out.
    pub min_score: f64,
    /// Whether sections of the same document may be listed.
    pub same_document: bool,
}

impl Default for RelatedSettings {
    fn default() -> RelatedSettings {
        RelatedSettings {
            max: 5,
            min_score: 0.05,
            same_document: false,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelated {
    max: Option<usize>,
    min_score: Option<f64>,
    same_document: Option<bool>,
}

impl SiteConfig {
    /// The settings of a site without `site.toml`: its folder name as title.
    pub fn defaults(site_name: &str) -> SiteConfig {
        resolve(RawConfig::default(), site_name)
    }

    /// Parses the text of `site.toml`; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path, site_name: &str) -> Result<SiteConfig, Diagnostic> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let mut d = Diagnostic::error(format!("site configuration: {}", e.message()))
                .at(path)
                .hint("see README.md for the keys site.toml accepts (title, description, author, language, pretty_urls, inline_links, [related] max, min_score, same_document, [search] enabled, [topics] page_size)");
            if let Some(span) = e.span() {
                d = d.line(line_of(text, span.start));
            }
            d
        })?;
        let config = resolve(raw, site_name);
        if let Some(code) = text_language(&config) {
            return Err(Diagnostic::error(format!(
                "site configuration: language {code:?} is not supported for text processing"
            ))
            .at(path)
            .hint("use \"fr\" or \"en\" (a region such as \"fr-CA\" is fine)"));
        }
        Ok(config)
    }
}

/// The language code when it is neither French nor English.
fn text_language(config: &SiteConfig) -> Option<&str> {
    Lang::from_code(&config.language)
        .is_none()
        .then_some(config.language.as_str())
}

fn resolve(raw: RawConfig, site_name: &str) -> SiteConfig {
    let language = raw.language.unwrap_or_else(|| "fr".to_string());
    let lang = Lang::from_code(&language).unwrap_or(Lang::Fr);
    SiteConfig {
        title: raw.title.unwrap_or_else(|| site_name.to_string()),
        description: raw.description,
        author: raw.author,
        language,
        lang,
        related: resolve_related(raw.related.unwrap_or_default()),
        inline_links: raw.inline_links.unwrap_or_default(),
        pretty_urls: raw.pretty_urls.unwrap_or(false),
        search: raw.search.and_then(|s| s.enabled).unwrap_or(true),
        topic_page_size: raw
            .topics
            .and_then(|t| t.page_size)
            .unwrap_or(DEFAULT_TOPIC_PAGE_SIZE)
            .max(1),
    }
}

fn resolve_related(raw: RawRelated) -> RelatedSettings {
    let d = RelatedSettings::default();
    RelatedSettings {
        max: raw.max.unwrap_or(d.max),
        min_score: raw.min_score.unwrap_or(d.min_score),
        same_document: raw.same_document.unwrap_or(d.same_document),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_to_missing_keys() {
        let c = SiteConfig::parse("title = \"T\"", Path::new("site.toml"), "x").unwrap();
        assert_eq!(c.title, "T");
        assert_eq!(c.language, "fr");
        assert_eq!(c.lang, Lang::Fr);
        assert_eq!(c.related, RelatedSettings::default());
        assert!(!c.pretty_urls);
        assert!(c.search);
    }

    #[test]
    fn search_can_be_turned_off() {
        let c =
            SiteConfig::parse("[search]\nenabled = false", Path::new("site.toml"), "x").unwrap();
        assert!(!c.search);
    }

    #[test]
    fn related_settings_are_read() {
        let text = "[related]\nmax = 3\nmin_score = 0.2\nsame_document = true\n";
        let c = SiteConfig::parse(text, Path::new("site.toml"), "x").unwrap();
        assert_eq!(
            c.related,
            RelatedSettings {
                max: 3,
                min_score: 0.2,
                same_document: true
            }
        );
    }

    #[test]
    fn inline_links_take_three_values() {
        for (text, want) in [
            ("", InlineLinks::FirstPerSection),
            (
                "inline_links = \"first-per-document\"",
                InlineLinks::FirstPerDocument,
            ),
            ("inline_links = \"off\"", InlineLinks::Off),
        ] {
            let c = SiteConfig::parse(text, Path::new("site.toml"), "x").unwrap();
            assert_eq!(c.inline_links, want);
            assert_eq!(text.contains(want.as_str()), !text.is_empty());
        }
        let e =
            SiteConfig::parse("inline_links = \"all\"", Path::new("site.toml"), "x").unwrap_err();
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let e = SiteConfig::parse(
            "title = \"T\"\ntitel = \"x\"\n",
            Path::new("site.toml"),
            "x",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("titel"), "{}", e.message);
    }

    #[test]
    fn unsupported_language_is_refused() {
        let e = SiteConfig::parse("language = \"de\"", Path::new("site.toml"), "x").unwrap_err();
        assert!(e.message.contains("\"de\""));
    }

    #[test]
    fn region_codes_are_accepted() {
        let c = SiteConfig::parse("language = \"en-GB\"", Path::new("site.toml"), "x").unwrap();
        assert_eq!(c.lang, Lang::En);
        assert_eq!(c.language, "en-GB");
    }
}
