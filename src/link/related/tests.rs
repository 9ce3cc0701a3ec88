//! Tests of the related-section ranking.

use super::*;
use crate::model::{Section, SectionRef, SectionTopic, TopicId};

fn doc(name: &str, texts: &[&str]) -> Document {
    let sections = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Section::for_tests(&format!("s{i}"), "", t));
    Document::for_tests(&format!("{name}.md"), sections.collect())
}

/// A topic index where `topics[doc][section]` lists topic ids.
fn index(docs: &[Document], topics: &[&[&[TopicId]]], topic_count: usize) -> TopicIndex {
    let sections: Vec<Vec<Vec<SectionTopic>>> = docs
        .iter()
        .enumerate()
        .map(|(d, doc)| {
            (0..doc.sections.len())
                .map(|s| {
                    let ts = topics.get(d).and_then(|x| x.get(s)).copied().unwrap_or(&[]);
                    ts.iter()
                        .map(|&topic| SectionTopic {
                            topic,
                            mention: None,
                            linkable: Default::default(),
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut postings = vec![Vec::new(); topic_count];
    for (doc, secs) in sections.iter().enumerate() {
        for (section, ts) in secs.iter().enumerate() {
            for t in ts {
                postings[t.topic].push(SectionRef { doc, section });
            }
        }
    }
    TopicIndex {
        sections,
        documents: vec![Vec::new(); docs.len()],
        postings,
        words: Default::default(),
    }
}

fn targets(r: &[Related]) -> Vec<(usize, usize)> {
    r.iter()
        .map(|x| (x.target().doc, x.target().section))
        .collect()
}

fn loose() -> RelatedSettings {
    RelatedSettings {
        min_score: 0.0,
        ..RelatedSettings::default()
    }
}

/// Three documents about cats, bees and markets: each section's best
/// match is the section of another document about the same animal or
/// trade, found by the words alone.
#[test]
fn sections_about_the_same_thing_rank_first_by_words() {
    let docs = [
        doc(
            "a",
            &[
                "Le chat ronronne et chasse la souris au grenier.",
                "Les abeilles butinent les fleurs et font du miel.",
            ],
        ),
        doc(
            "b",
            &[
                "La ruche des abeilles produit un miel de fleurs sauvages.",
                "Le marché du samedi vend des légumes et du fromage.",
            ],
        ),
        doc(
            "c",
            &[
                "Un chat qui ronronne chasse mieux la souris.",
                "Au marché, légumes et fromage se vendent le samedi.",
            ],
        ),
    ];
    let all = related_sections(&docs, &index(&docs, &[], 0), &loose());
    let r = &all.lists;
    assert_eq!(targets(&r[0][0])[0], (2, 0), "cats");
    assert_eq!(targets(&r[0][1])[0], (1, 0), "bees");
    assert_eq!(targets(&r[1][1])[0], (2, 1), "market");
    let cats = &r[0][0][0];
    assert!(!cats.has_shared());
    let words = cats.words(&all.reasons);
    assert!(words.contains(&"ronronne"), "{cats:?}");
    assert!(cats.score > 0.0 && cats.score <= 1.0);
}

#[test]
fn a_shared_rare_topic_outranks_a_shared_common_one() {
    // Topic 0 is on every section, topic 1 on two; the texts share nothing.
    let docs = [
        doc("a", &["alpha beta"]),
        doc("b", &["gamma delta"]),
        doc("c", &["epsilon zeta"]),
        doc("d", &["eta theta"]),
    ];
    let idx = index(&docs, &[&[&[0, 1]], &[&[0]], &[&[0, 1]], &[&[0]]], 2);
    let all = related_sections(&docs, &idx, &loose());
    let r = &all.lists;
    assert_eq!(targets(&r[0][0])[0], (2, 0));
    let shared: Vec<TopicId> = r[0][0][0].shared(&all.reasons).collect();
    assert_eq!(shared, vec![1, 0], "rarest first");
    assert!(r[0][0][0].words(&all.reasons).is_empty());
}

#[test]
fn same_document_links_are_off_unless_asked() {
    let docs = [
        doc("a", &["homophilie réseaux", "homophilie réseaux bulles"]),
        doc("b", &["homophilie bulles"]),
    ];
    let idx = index(&docs, &[], 0);
    let r = related_sections(&docs, &idx, &loose()).lists;
    assert_eq!(targets(&r[0][0]), vec![(1, 0)]);
    let with_same = RelatedSettings {
        same_document: true,
        ..loose()
    };
    let r = related_sections(&docs, &idx, &with_same).lists;
    assert_eq!(targets(&r[0][0])[0], (0, 1));
    assert!(!targets(&r[0][0]).contains(&(0, 0)), "never itself");
}

#[test]
fn lists_are_capped_overall_per_document_and_by_score() {
    let text = "homophilie bulles filtres";
    let docs: Vec<Document> = (0..8)
        .map(|i| doc(&format!("d{i}"), &[text, text, text]))
        .collect();
    let idx = index(&docs, &[], 0);
    let r = related_sections(&docs, &idx, &loose()).lists;
    assert_eq!(r[0][0].len(), 5);
    for d in 1..8 {
        assert!(r[0][0].iter().filter(|x| x.target().doc == d).count() <= 2);
    }
    let strict = RelatedSettings {
        min_score: 0.99,
        ..loose()
    };
    assert!(related_sections(&docs, &idx, &strict).lists[0][0].is_empty());
}

#[test]
fn sections_without_words_or_topics_have_no_links() {
    let docs = [doc("a", &["", "les de la"]), doc("b", &["homophilie"])];
    let r = related_sections(&docs, &index(&docs, &[], 0), &loose()).lists;
    assert!(r[0][0].is_empty() && r[0][1].is_empty() && r[1][0].is_empty());
}

/// With lists too short to hold every section, the sections sharing all of
/// a section's topics are still found: through the lists of its words
/// within its topic set.
#[test]
fn short_lists_still_find_the_sections_with_the_same_topics() {
    // « alpha » weighs more in the one-topic sections d0..d3, and the two
    // topics weigh more alone, so the site-wide lists of two hold only
    // one-topic sections; a and b share both topics and « alpha ».
    let mut docs = vec![doc("a", &["alpha beta"]), doc("b", &["alpha gamma"])];
    for i in 0..4 {
        docs.push(doc(&format!("d{i}"), &["alpha"]));
    }
    let topics: Vec<&[&[TopicId]]> =
        vec![&[&[0, 1]], &[&[0, 1]], &[&[0]], &[&[0]], &[&[1]], &[&[1]]];
    let idx = index(&docs, &topics, 2);
    let vectors = terms::section_vectors(&docs, &idx);
    let tuning = Tuning {
        champions: 2,
        query_terms: 3,
        rescored: 1,
    };
    let all = rank_sections_tuned(&docs, &idx, &vectors, &loose(), tuning);
    let r = &all.lists;
    assert_eq!(targets(&r[0][0])[0], (1, 0), "{:?}", r[0][0]);
    assert_eq!(r[0][0][0].shared(&all.reasons).len(), 2);
}
