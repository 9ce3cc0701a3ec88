//! Index building end to end, on small sites built in memory.

use super::*;
use crate::build::build_pages;
use crate::load::SiteInput;
use crate::model::{SourceDoc, SourceKind};
use crate::search::query::{query_words, typo_candidate};
use serde_json::Value;

fn site(docs: &[(&str, &str)], catalog: Option<&str>) -> Site {
    let input = SiteInput {
        root: "/nonexistent".into(),
        config: Some("title = \"T\"\nlanguage = \"fr\"\n".into()),
        catalog: catalog.map(str::to_owned),
        sources: docs
            .iter()
            .map(|(path, text)| SourceDoc {
                rel_path: path.to_string(),
                kind: SourceKind::Markdown,
                text: text.to_string(),
            })
            .collect(),
        ..SiteInput::default()
    };
    build_pages(&input, false)
        .map(|b| b.site)
        .expect("site builds")
}

/// The data of an index file, its script wrapper removed.
fn data(page: &Page) -> (String, Value) {
    let text = std::str::from_utf8(&page.bytes).unwrap();
    let rest = text.strip_prefix("maillageSearch(").unwrap();
    let rest = rest.strip_suffix(");\n").unwrap();
    let (key, json) = rest.split_once(',').unwrap();
    (
        serde_json::from_str(key).unwrap(),
        serde_json::from_str(json).unwrap(),
    )
}

fn file(pages: &[Page], key: &str) -> Value {
    let page = pages
        .iter()
        .find(|p| p.path == format!("search/{key}.js"))
        .unwrap_or_else(|| panic!("no file {key}"));
    let (k, v) = data(page);
    assert_eq!(k, key);
    v
}

const TINY: Limits = Limits {
    vocab_bytes: 60,
    posting_bytes: 40,
    fragment_sections: 2,
    fragment_text: 30,
};

fn sample() -> Site {
    site(
        &[
            (
                "a.md",
                "# Les réseaux\n\nIntro.\n\n## L’homophilie\n\nCette « homophilie » a des effets.\n\n## Peur\n\nLa peur de manquer, l'influenceur.\n",
            ),
            (
                "b.md",
                "# Autre\n\nDes réseaux privés et des influenceurs.\n\n## Zèbres\n\nZébrures.\n",
            ),
        ],
        Some(
            "[[topic]]\nslug = \"fomo\"\nname = \"FOMO\"\naliases = [\"peur de manquer\"]\ndescription = \"x\"\n",
        ),
    )
}

/// Finds a word as the browser does: the last vocabulary file whose first
/// word is not after it.
fn lookup(pages: &[Page], word: &str) -> Option<Vec<(String, Value)>> {
    let manifest = file(pages, "index");
    let firsts: Vec<&str> = manifest["vocab"]
        .as_array()?
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let n = firsts.iter().rposition(|f| *f <= word).unwrap_or(0);
    let vocab = file(pages, &format!("w/{n}"));
    let entry = vocab["w"].as_array()?.iter().find(|e| e[0] == word)?;
    let stems = entry.as_array()?[1..]
        .iter()
        .map(|i| {
            let s = &vocab["s"][i.as_u64().unwrap() as usize];
            (s[0].as_str().unwrap().to_owned(), s.clone())
        })
        .collect();
    Some(stems)
}

#[test]
fn every_word_is_found_through_the_manifest_across_file_boundaries() {
    let site = sample();
    let pages = index_pages_with(&site, &TINY);
    let index = build_index(&site);
    let vocab_files = pages
        .iter()
        .filter(|p| p.path.starts_with("search/w/"))
        .count();
    assert!(
        vocab_files > 3,
        "tiny limits cut the vocabulary ({vocab_files} files)"
    );
    for (word, _) in &index.words {
        assert!(lookup(&pages, word).is_some(), "{word} not found");
    }
    assert!(lookup(&pages, "absent").is_none());
}

#[test]
fn posting_files_hold_whole_stems_that_decode_to_their_sections() {
    let site = sample();
    let pages = index_pages_with(&site, &TINY);
    let index = build_index(&site);
    for (word, stems) in &index.words {
        let found = lookup(&pages, word).unwrap();
        for (&stem, (text, entry)) in stems.iter().zip(&found) {
            assert_eq!(text, &index.stems[stem as usize].text);
            let (file_no, pos) = (entry[1].as_i64().unwrap(), entry[2].as_u64().unwrap());
            if index.df(stem) == 0 {
                assert_eq!(file_no, -1, "{word}");
                continue;
            }
            let posting = file(&pages, &format!("p/{file_no}"));
            let b64 = posting[pos as usize].as_str().unwrap();
            let bytes = base64_decode(b64);
            let decoded = encode::decode_postings(&bytes).unwrap();
            assert_eq!(decoded, index.postings(stem), "{word}");
            assert_eq!(entry[3].as_u64().unwrap() as usize, decoded.len());
        }
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digits: Vec<u32> = text
        .bytes()
        .filter(|&b| b != b'=')
        .map(|b| ALPHABET.iter().position(|&a| a == b).unwrap() as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0, |n, (i, d)| n | d << (18 - 6 * i));
        for k in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * k)) as u8);
        }
    }
    out
}

#[test]
fn fragments_hold_fixed_runs_of_sections_in_site_order() {
    let site = sample();
    let pages = index_pages_with(&site, &TINY);
    let all: Vec<(&str, &str)> = site
        .documents
        .iter()
        .flat_map(|d| {
            d.sections
                .iter()
                .map(move |s| (d.title.as_str(), s.id.as_str()))
        })
        .collect();
    for (n, (doc_title, id)) in all.iter().enumerate() {
        let f = file(&pages, &format!("f/{}", n / TINY.fragment_sections));
        let s = &f["s"][n % TINY.fragment_sections];
        assert_eq!(s[1], *id);
        assert_eq!(f["d"][s[0].as_u64().unwrap() as usize][0], *doc_title);
        assert!(s[3].as_str().unwrap().len() <= TINY.fragment_text + '…'.len_utf8());
    }
    let manifest = file(&pages, "index");
    assert_eq!(manifest["sections"], all.len());
    assert_eq!(manifest["fragmentSections"], TINY.fragment_sections);
}

#[test]
fn folded_words_and_stems_agree_with_topic_matching() {
    let site = sample();
    let index = build_index(&site);
    // What the browser folds from a query is what the index knows.
    for (query, stem) in [
        ("Réseaux", "reseau"),
        ("l’homophilie", "homophil"),
        ("HOMOPHILIE", "homophil"),
        ("influenceurs", "influenceur"),
        ("privés", "priv"),
    ] {
        let words = query_words(query);
        let stems = index.stems_of(&words[0]);
        let expected = crate::topics::normalize::normalize_phrase(query, Lang::Fr);
        assert_eq!(expected, [stem], "{query}");
        assert!(
            stems.iter().any(|&s| index.stems[s as usize].text == stem),
            "{query} → {words:?} → {stems:?}"
        );
    }
}

#[test]
fn a_typo_reaches_the_intended_word() {
    let index = build_index(&sample());
    let corrections: Vec<&str> = index
        .words
        .iter()
        .map(|(w, _)| w.as_str())
        .filter(|w| typo_candidate("homophilei", w))
        .collect();
    assert_eq!(corrections, ["homophilie"]);
    assert!(index.stems_of("homophilei").is_empty());
}

#[test]
fn topic_words_are_searchable_and_listed() {
    let site = sample();
    let index = build_index(&site);
    assert!(
        !index.stems_of("fomo").is_empty(),
        "the topic name is a word"
    );
    let pages = index_pages(&site);
    let manifest = file(&pages, "index");
    let fomo = &manifest["topics"][0];
    assert_eq!(fomo[0], "FOMO");
    assert_eq!(fomo[1], "topics/fomo/index.html");
    assert_eq!(fomo[2][1][2], serde_json::json!(["manquer", "manqu"]));
    assert_eq!(manifest["elisions"][0], "l");
}

#[test]
fn sections_carry_title_levels_and_postings_are_sorted() {
    let index = build_index(&sample());
    for stem in 0..index.stems.len() as u32 {
        let p = index.postings(stem);
        assert_eq!(p.len(), index.df(stem));
        assert!(p.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            p.iter()
                .all(|&(s, l)| s < index.sections && (1..=3).contains(&l))
        );
    }
    let zebre = index.stems_of("zebres")[0];
    assert_eq!(index.postings(zebre), [(4, terms::LEVEL_TITLE)]);
}

#[test]
fn an_empty_site_has_an_index_too() {
    let site = site(&[], None);
    let pages = index_pages(&site);
    let manifest = file(&pages, "index");
    assert_eq!(manifest["sections"], 0);
    assert_eq!(pages.len(), 1);
}

#[test]
fn unknown_inflections_reach_the_stem_of_the_known_ones() {
    use query::{Reach, resolve};
    let index = build_index(&sample());
    let stems = |word: &str, last: bool| -> Vec<(String, Reach)> {
        resolve(&index, word, last)
            .into_iter()
            .map(|(s, r)| (index.stems[s as usize].text.clone(), r))
            .collect()
    };
    // Only « réseaux » is written; « réseau » is not, yet finds its stem.
    assert_eq!(
        stems("reseau", false),
        [("reseau".to_owned(), Reach::Inflection)]
    );
    assert_eq!(
        stems("reseaux", false),
        [("reseau".to_owned(), Reach::Exact)]
    );
    assert_eq!(
        stems("prive", false),
        [("priv".to_owned(), Reach::Inflection)]
    );
    // « de » is too short a stem to stand for « demain ».
    assert!(stems("demain", false).is_empty());
    // While typing, the last word also finds the words it begins.
    assert!(stems("homoph", true).contains(&("homophil".to_owned(), Reach::Prefix)));
    assert!(stems("homoph", false).is_empty());
    // A typo, when nothing else is found.
    assert_eq!(stems("zerbes", false), [("zebr".to_owned(), Reach::Typo)]);
}

#[test]
fn posting_and_vocabulary_files_respect_their_limits() {
    let site = sample();
    let index = build_index(&site);
    let (postings, locations) = files::posting_files(&index, &TINY);
    for (n, json) in postings.iter().enumerate() {
        let stems = locations
            .iter()
            .filter(|l| matches!(l, Some((f, _)) if *f as usize == n))
            .count();
        assert!(
            json.len() <= TINY.posting_bytes + 2 || stems == 1,
            "posting file {n}: {} bytes for {stems} stems",
            json.len()
        );
    }
    let (vocab, firsts) = files::vocab_files(&index, &locations, &TINY);
    assert_eq!(vocab.len(), firsts.len());
    // Files follow each other in word order.
    assert!(
        firsts
            .windows(2)
            .all(|w| index::js_order(&w[0], &w[1]).is_lt())
    );
}

#[test]
fn words_in_most_sections_do_not_narrow_a_query() {
    use query::{is_common, resolve};
    let site = site(
        &[
            (
                "a.md",
                "# A\n\nLa peur de manquer.\n\n## B\n\nUn jour de pluie.\n",
            ),
            ("b.md", "# C\n\nLe bruit de fond.\n\n## D\n\nRien.\n"),
        ],
        None,
    );
    let index = build_index(&site);
    let common = |word: &str| is_common(&index, &resolve(&index, word, false));
    // « de » is in three sections of four: more than half.
    assert!(common("de"));
    // « peur » is in one; an unknown word reaches nothing and still narrows.
    assert!(!common("peur"));
    assert!(!common("zzzz"));
}
