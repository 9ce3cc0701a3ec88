//! `maillage topics`: how the catalog fares on the content — how many
//! sections and documents carry each topic, which aliases never match (often
//! a typo, or a form the texts never use), and which sections carry no topic
//! at all (where a topic may be missing).

use std::fmt;
use std::path::PathBuf;

use super::TopicIndex;
use super::catalog::Catalog;
use super::matcher::Matcher;
use crate::model::Document;

/// What `maillage topics` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicReport {
    /// Every topic, most sections first (then catalog order).
    pub topics: Vec<TopicCount>,
    /// Aliases found in no section, in catalog order.
    pub dead_aliases: Vec<DeadAlias>,
    /// Sections carrying no topic, in site order.
    pub untagged: Vec<Untagged>,
    pub total_sections: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicCount {
    pub slug: String,
    pub name: String,
    pub sections: usize,
    pub documents: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeadAlias {
    pub slug: String,
    pub alias: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Untagged {
    /// The document's file.
    pub path: PathBuf,
    /// The section's first line.
    pub line: usize,
    pub title: String,
}

/// Builds the report of a site's topics. `content_dir` prefixes file names.
pub fn report(
    documents: &[Document],
    catalog: &Catalog,
    index: &TopicIndex,
    content_dir: &std::path::Path,
) -> TopicReport {
    let mut topics: Vec<TopicCount> = catalog
        .topics
        .iter()
        .enumerate()
        .map(|(t, topic)| TopicCount {
            slug: topic.slug.clone(),
            name: topic.name.clone(),
            sections: index.postings.get(t).map_or(0, Vec::len),
            documents: if t < index.postings.len() {
                index.doc_count(t)
            } else {
                0
            },
        })
        .collect();
    // A stable sort keeps catalog order among equals.
    topics.sort_by_key(|t| std::cmp::Reverse(t.sections));
    let mut untagged = Vec::new();
    let mut total_sections = 0;
    for (d, doc) in documents.iter().enumerate() {
        for (s, section) in doc.sections.iter().enumerate() {
            total_sections += 1;
            let carries = index
                .sections
                .get(d)
                .and_then(|x| x.get(s))
                .is_some_and(|t| !t.is_empty());
            if !carries {
                untagged.push(Untagged {
                    path: content_dir.join(&doc.source),
                    line: section.lines.0,
                    title: section.title.clone(),
                });
            }
        }
    }
    TopicReport {
        topics,
        dead_aliases: dead_aliases(documents, catalog),
        untagged,
        total_sections,
    }
}

/// Aliases that match no section title or text, in any language in use.
fn dead_aliases(documents: &[Document], catalog: &Catalog) -> Vec<DeadAlias> {
    let aliases: Vec<(&str, &str)> = catalog
        .topics
        .iter()
        .flat_map(|t| t.aliases.iter().map(move |a| (t.slug.as_str(), a.as_str())))
        .collect();
    let mut hit = vec![false; aliases.len()];
    for lang in super::languages(documents) {
        // One pattern per alias: the "topic" of a hit is the alias's index.
        let matcher = Matcher::new(aliases.iter().enumerate().map(|(i, (_, a))| (i, *a)), lang);
        for doc in documents.iter().filter(|d| d.lang == lang) {
            for section in &doc.sections {
                let title = section.title_in_text.then_some(section.title.as_str());
                for text in title.into_iter().chain([section.text.as_str()]) {
                    for h in matcher.find(text) {
                        if let Some(x) = hit.get_mut(h.topic) {
                            *x = true;
                        }
                    }
                }
            }
        }
    }
    aliases
        .into_iter()
        .zip(hit)
        .filter(|(_, h)| !h)
        .map(|((slug, alias), _)| DeadAlias {
            slug: slug.to_string(),
            alias: alias.to_string(),
        })
        .collect()
}

impl fmt::Display for TopicReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .topics
            .iter()
            .map(|t| t.name.chars().count() + t.slug.len() + 3)
            .max()
            .unwrap_or(0);
        writeln!(
            f,
            "Topics ({}): sections and documents carrying each",
            self.topics.len()
        )?;
        for t in &self.topics {
            let label = format!("{} ({})", t.name, t.slug);
            writeln!(
                f,
                "  {label:<width$}  {:>5} section{}  {:>4} document{}",
                t.sections,
                if t.sections == 1 { " " } else { "s" },
                t.documents,
                if t.documents == 1 { "" } else { "s" },
            )?;
        }
        writeln!(f)?;
        if self.dead_aliases.is_empty() {
            writeln!(f, "Aliases that never match: none")?;
        } else {
            writeln!(
                f,
                "Aliases that never match ({}): a typo, or a form the texts do not use",
                self.dead_aliases.len()
            )?;
            for a in &self.dead_aliases {
                writeln!(f, "  {}: \"{}\"", a.slug, a.alias)?;
            }
        }
        writeln!(f)?;
        writeln!(
            f,
            "Sections with no topic: {} of {}",
            self.untagged.len(),
            self.total_sections
        )?;
        for u in &self.untagged {
            writeln!(f, "  {}:{}: {}", u.path.display(), u.line, u.title)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Section;
    use std::path::Path;

    #[test]
    fn counts_dead_aliases_and_untagged_sections() {
        let catalog = Catalog::parse(
            "[[topic]]\nslug = \"fomo\"\nname = \"FOMO\"\naliases = [\"peur de manquer\", \"peur de manqer\"]\n\
             [[topic]]\nslug = \"vide\"\nname = \"jamais vu\"\n",
            Path::new("topics.toml"),
        )
        .unwrap();
        let section = |title: &str, text: &str, line| Section {
            lines: (line, line),
            ..Section::for_tests("s", title, text)
        };
        let doc = Document::for_tests(
            "a.md",
            vec![
                section("Un", "la peur de manquer", 1),
                section("Deux", "rien ici", 5),
                section("La FOMO", "", 9),
            ],
        );
        let docs = [doc];
        let index = crate::topics::assign(&docs, &catalog, Path::new("content")).unwrap();
        let r = report(&docs, &catalog, &index, Path::new("content"));
        assert_eq!(r.topics[0].slug, "fomo");
        assert_eq!((r.topics[0].sections, r.topics[0].documents), (2, 1));
        assert_eq!((r.topics[1].sections, r.topics[1].documents), (0, 0));
        let dead: Vec<&str> = r.dead_aliases.iter().map(|a| a.alias.as_str()).collect();
        assert_eq!(dead, ["peur de manqer", "jamais vu"]);
        assert_eq!(r.untagged.len(), 1);
        assert_eq!(r.untagged[0].line, 5);
        let shown = r.to_string();
        assert!(shown.contains("fomo: \"peur de manqer\""), "{shown}");
        assert!(shown.contains("Sections with no topic: 1 of 3"), "{shown}");
        assert!(shown.contains("content/a.md:5: Deux"), "{shown}");
    }
}
