//! `maillage topics`: the report on the catalog, and `--suggest`, the
//! proposal of new topics from the text.

mod common;

use common::*;

const CATALOG: &str = r#"
[[topic]]
slug = "compost"
name = "compost"
aliases = ["composteur", "lombricompost", "compsotage"]

[[topic]]
slug = "abeilles"
name = "abeilles"
"#;

/// Sentences about everything and nothing, each used once, so that no word
/// but the planted phrase repeats much.
const FILLER: &[&str] = &[
    "Le marché du samedi attire des familles venues de loin.",
    "Une pluie fine tombait sur la ville depuis le matin.",
    "Les enfants dessinent des cartes du quartier à l’école.",
    "La bibliothèque prête désormais des outils de bricolage.",
    "Un vieux tramway traverse encore le centre historique.",
    "Les boulangers se lèvent bien avant l’aube.",
    "Le conseil municipal a voté un budget modeste.",
    "Une chorale répète chaque jeudi dans la salle paroissiale.",
    "Les cyclistes réclament des pistes plus larges.",
    "La rivière a débordé deux fois cet hiver.",
    "Un musée consacré aux horloges a ouvert ses portes.",
    "Les voisins organisent une fête au printemps.",
];

/// The planted phrase in nine different sentences, in the singular six
/// times and the plural three; the catalog's topics in some of them.
const MENTIONS: &[&str] = &[
    "Le jardin partagé produit son compost.",
    "Deux jardins partagés accueillent des ruches d’abeilles.",
    "On arrose le jardin partagé quand il fait chaud, et le compost mûrit.",
    "Chaque jardin partagé a ses règles.",
    "Des abeilles butinent près des jardins partagés.",
    "Un jardin partagé rapproche les générations autour du compost.",
    "Au jardin partagé, le compost nourrit les tomates.",
    "Les jardins partagés vivent grâce aux abeilles.",
    "Le compost du jardin partagé sent la terre.",
];

fn planted() -> Fixture {
    let f = Fixture::new();
    f.file("site.toml", "title = \"Quartier\"\n")
        .file("content/topics.toml", CATALOG);
    let mut filler = FILLER.iter();
    let mut mentions = MENTIONS.iter();
    for d in 0..3 {
        let mut body = format!("# Document {d}\n\n");
        for s in 0..3 {
            let filler = filler.next().unwrap_or(&"Rien de plus.");
            let mention = mentions.next().unwrap_or(&"Rien de moins.");
            body.push_str(&format!("## Partie {s}\n\n{filler} {mention}\n\n"));
        }
        f.file(&format!("content/doc{d}.md"), body);
    }
    f.file(
        "content/seul.md",
        "# Seul\n\n## Sans sujet\n\nUne section qui ne parle de rien de connu.\n",
    );
    f
}

#[test]
fn suggest_returns_the_planted_phrase_first_as_a_toml_entry() {
    let f = planted();
    let out = maillage(&["topics", "--root", f.root().to_str().unwrap(), "--suggest"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // Ready to paste: the output is TOML, comments and all.
    let parsed: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let topics = parsed["topic"].as_array().unwrap();
    let first = topics[0].as_table().unwrap();
    // Inflections merged, shown in the most frequent form.
    assert_eq!(first["name"].as_str(), Some("jardin partagé"), "{text}");
    assert_eq!(first["slug"].as_str(), Some("jardin-partage"));
    assert!(
        text.contains("jardin partagé — 9 mentions, 9 sections, 3 documents"),
        "{text}"
    );
    // Two example contexts, with the phrase in brackets and where it is.
    let examples: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("# 1."))
        .skip(1)
        .take_while(|l| l.starts_with("#   «"))
        .collect();
    assert_eq!(examples.len(), 2, "{text}");
    assert!(examples[0].contains("[jardin partagé]"), "{}", examples[0]);
    assert!(examples[0].contains("doc0.md:"), "{}", examples[0]);
    assert!(examples[1].contains("doc1.md:"), "{}", examples[1]);
    // Nothing the catalog already covers.
    for t in topics {
        let name = t["name"].as_str().unwrap();
        assert!(
            !name.contains("compost") && !name.contains("abeille"),
            "{name}"
        );
    }
}

#[test]
fn report_counts_topics_and_finds_dead_aliases_and_untagged_sections() {
    let f = planted();
    let out = maillage(&["topics", "--root", f.root().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Topics (2)"), "{text}");
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{text}"))
            .to_string()
    };
    let compost = line("compost (compost)");
    assert!(
        compost.contains("5 sections") && compost.contains("3 documents"),
        "{compost}"
    );
    let bees = line("abeilles (abeilles)");
    assert!(
        bees.contains("3 sections") && bees.contains("3 documents"),
        "{bees}"
    );
    // The typo and the forms the texts never use.
    assert!(text.contains("compost: \"compsotage\""), "{text}");
    assert!(text.contains("compost: \"lombricompost\""), "{text}");
    assert!(!text.contains("compost: \"compost\""), "{text}");
    // The sections without a topic, with their file and line.
    assert!(text.contains("Sections with no topic: 2 of 10"), "{text}");
    assert!(text.contains("seul.md:3: Sans sujet"), "{text}");
}

#[test]
fn limit_needs_suggest() {
    let f = planted();
    let root = f.root().to_str().unwrap();
    let out = maillage(&["topics", "--root", root, "--limit", "3"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--suggest"), "{}", stderr(&out));
    let out = maillage(&["topics", "--root", root, "--suggest", "--limit", "1"]);
    assert_eq!(stdout(&out).matches("[[topic]]").count(), 1);
}
