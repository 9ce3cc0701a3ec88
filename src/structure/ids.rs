//! Section anchors: the slug of the heading, made unique within the document.
//!
//! An anchor depends only on its heading and on the earlier headings with the
//! same slug, so editing one section never renames the anchors of others.

use std::collections::HashSet;

/// Hands out unique anchors for one document.
#[derive(Debug, Default)]
pub struct AnchorSet {
    taken: HashSet<String>,
}

impl AnchorSet {
    /// An anchor for `wanted` (a heading or an explicit `{#id}`): its slug, or
    /// `section` when the slug is empty, suffixed `-2`, `-3`… when taken.
    pub fn unique(&mut self, wanted: &str) -> String {
        let mut base = slug::slugify(wanted);
        if base.is_empty() {
            base = "section".to_string();
        }
        truncate_slug(&mut base, 80);
        let mut candidate = base.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

/// Shortens a slug to at most `max` bytes, at a hyphen when there is one, so
/// that long sentence-like headings still give readable anchors.
pub fn truncate_slug(slug: &mut String, max: usize) {
    if slug.len() <= max {
        return;
    }
    // Slugs are ASCII, so any byte index is a char boundary.
    let cut = slug[..max]
        .rfind('-')
        .filter(|&i| i > max / 2)
        .unwrap_or(max);
    slug.truncate(cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_slugs_made_unique() {
        let mut a = AnchorSet::default();
        assert_eq!(a.unique("La validation sociale"), "la-validation-sociale");
        assert_eq!(a.unique("La validation sociale"), "la-validation-sociale-2");
        assert_eq!(a.unique("La validation sociale"), "la-validation-sociale-3");
        assert_eq!(a.unique("«  »"), "section");
        assert_eq!(a.unique(""), "section-2");
    }

    #[test]
    fn accents_and_apostrophes_fold() {
        let mut a = AnchorSet::default();
        assert_eq!(
            a.unique("Qu’est-ce qui nous rend si dépendants ?"),
            "qu-est-ce-qui-nous-rend-si-dependants"
        );
    }

    #[test]
    fn long_headings_are_cut_at_a_hyphen() {
        let mut s = "a".repeat(50) + "-" + &"b".repeat(50);
        truncate_slug(&mut s, 80);
        assert_eq!(s, "a".repeat(50));
    }
}
