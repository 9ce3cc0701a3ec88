//! Counts as people write them in the CLI's messages: « 1 document »,
//! « 2 documents », « 0 topics ».

/// `n` followed by `one` when `n` is 1, else by `many`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The documents, sections, topics and pages of a build, as its summary
/// line starts: "1 document, 3 sections, 0 topics → 12 pages".
pub fn site_counts(documents: usize, sections: usize, topics: usize, pages: usize) -> String {
    format!(
        "{}, {}, {} → {}",
        count(documents, "document", "documents"),
        count(sections, "section", "sections"),
        count(topics, "topic", "topics"),
        count(pages, "page", "pages"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_zero_plural() {
        assert_eq!(count(1, "document", "documents"), "1 document");
        assert_eq!(count(0, "topic", "topics"), "0 topics");
        assert_eq!(
            site_counts(1, 1, 0, 11),
            "1 document, 1 section, 0 topics → 11 pages"
        );
    }
}
