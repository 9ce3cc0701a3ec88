//! `maillage topics --suggest`: proposes new topics from the text itself —
//! the key phrases of the corpus (one to three words) that no alias of the
//! catalog covers, printed as `[[topic]]` entries ready to paste.
//!
//! Candidates are the runs of one to three words inside a sentence, neither
//! starting nor ending with a stop word (« peur de manquer » is fine, « de
//! la » is not), without numbers. Words go through the topic normaliser, so
//! inflections merge (« influenceur » and « influenceurs » are one phrase,
//! shown in its most frequent form). A phrase found in fewer than two
//! sections is dropped: a topic links sections. Phrases are scored with the
//! C-value of Frantzi, Ananiadou and Mima (2000), which favours longer
//! phrases and discounts a phrase by the longer phrases it sits in (« peur
//! de » counts little when it mostly occurs as « peur de manquer »), times
//! the phrase's rarity across sections, `ln(1 + N / sf)`, so that words used
//! everywhere (« utilisateurs ») rank below the phrases that mark a subject.
//! Generic words (`stopwords::is_generic_word`: « exemple », « permettre »)
//! may sit inside a phrase but neither start nor end one.
//!
//! Two parallel passes: the first counts every candidate by hash, the second
//! gathers surface forms and example contexts for the best ones only.

use std::fmt::Write;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::catalog::Catalog;
use super::normalize::{for_each_token, normalize_phrase, word_hash};
use super::stopwords::is_generic_word;
use crate::model::{Document, Lang, Section};

/// One proposed topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The phrase in its most frequent written form.
    pub phrase: String,
    pub score: f64,
    pub mentions: usize,
    pub sections: usize,
    pub documents: usize,
    /// Two contexts, the phrase in brackets, each with where it comes from.
    pub examples: Vec<(String, String)>,
}

const MAX_WORDS: usize = 3;
const MIN_SECTIONS: u32 = 2;
/// Characters that may sit between two words of one phrase; anything else
/// (punctuation, a line break) ends the phrase.
fn joins_words(c: char) -> bool {
    (c.is_whitespace() && c != '\n') || matches!(c, '-' | '\'' | '’' | 'ʼ' | '‐' | '‑')
}

/// A word of a text, as candidates need it.
#[derive(Debug, Clone, Copy)]
struct Word {
    hash: u64,
    stop: bool,
    start: usize,
    end: usize,
}

/// Counts of one candidate phrase.
#[derive(Debug, Clone, Copy, Default)]
struct Stat {
    words: usize,
    parts: [u64; MAX_WORDS],
    mentions: u32,
    sections: u32,
    documents: u32,
}

/// The best `limit` suggestions for the site.
pub fn suggest(documents: &[Document], catalog: &Catalog, limit: usize) -> Vec<Suggestion> {
    let covered = Coverage::new(documents, catalog);
    let stats = count(documents, &covered);
    let total: usize = documents.iter().map(|d| d.sections.len()).sum();
    let mut ranked = score(&stats, total);
    ranked.truncate(limit.saturating_mul(4).max(limit + 20));
    let keys: HashSet<u64> = ranked.iter().map(|r| r.0).collect();
    let seen = gather(documents, &keys);
    let mut out: Vec<Suggestion> = Vec::new();
    let mut chosen: Vec<&Stat> = Vec::new();
    for (key, score) in ranked {
        if out.len() >= limit {
            break;
        }
        let (Some(stat), Some(found)) = (stats.get(&key), seen.get(&key)) else {
            continue;
        };
        // One phrase per subject: not a part of a phrase already proposed,
        // nor a phrase containing one.
        if chosen.iter().any(|c| nested(stat, c) || nested(c, stat)) {
            continue;
        }
        chosen.push(stat);
        out.push(Suggestion {
            phrase: found.surface(),
            score,
            mentions: stat.mentions as usize,
            sections: stat.sections as usize,
            documents: stat.documents as usize,
            examples: found.examples.clone(),
        });
    }
    out
}

/// The catalog's aliases, normalised: a candidate inside an alias, or
/// containing one, is already covered.
struct Coverage {
    aliases: HashSet<u64>,
    alias_parts: HashSet<u64>,
}

impl Coverage {
    fn new(documents: &[Document], catalog: &Catalog) -> Coverage {
        let mut c = Coverage {
            aliases: HashSet::default(),
            alias_parts: HashSet::default(),
        };
        for lang in super::languages(documents) {
            for alias in catalog.topics.iter().flat_map(|t| &t.aliases) {
                let hashes: Vec<u64> = normalize_phrase(alias, lang)
                    .iter()
                    .map(|w| word_hash(w))
                    .collect();
                if hashes.is_empty() {
                    continue;
                }
                c.aliases.insert(phrase_key(&hashes));
                for i in 0..hashes.len() {
                    for j in i + 1..=hashes.len() {
                        c.alias_parts.insert(phrase_key(&hashes[i..j]));
                    }
                }
            }
        }
        c
    }

    fn covers(&self, parts: &[u64]) -> bool {
        if self.alias_parts.contains(&phrase_key(parts)) {
            return true;
        }
        (0..parts.len()).any(|i| {
            (i + 1..=parts.len()).any(|j| self.aliases.contains(&phrase_key(&parts[i..j])))
        })
    }
}

/// The key of a phrase: its words' hashes, in order.
fn phrase_key(parts: &[u64]) -> u64 {
    parts.iter().fold(0x84222325cbf29ce4, |h, &p| {
        (h ^ p).wrapping_mul(0x0100_0000_01b3).rotate_left(17)
    })
}

/// Whether `small`'s words appear in a row in `big` (and `small` is shorter).
fn nested(small: &Stat, big: &Stat) -> bool {
    let (s, b) = (&small.parts[..small.words], &big.parts[..big.words]);
    s.len() < b.len() && b.windows(s.len()).any(|w| w == s)
}

/// The words of a section's title (when written in it) and text, cut into
/// runs that a phrase may not cross. Each run is `(text, words)`.
fn runs(section: &Section, lang: Lang) -> Vec<(&str, Vec<Word>)> {
    let title = section.title_in_text.then_some(section.title.as_str());
    let mut out = Vec::new();
    for text in title.into_iter().chain([section.text.as_str()]) {
        let mut run: Vec<Word> = Vec::new();
        let mut prev_end = 0;
        for_each_token(text, lang, |norm, start, end| {
            let gap = text.get(prev_end..start).unwrap_or("");
            if !gap.chars().all(joins_words) && !run.is_empty() {
                out.push((text, std::mem::take(&mut run)));
            }
            prev_end = end;
            let number = norm.bytes().all(|b| b.is_ascii_digit());
            if number || norm.len() < 2 {
                // Numbers and single letters end a phrase too.
                if !run.is_empty() {
                    out.push((text, std::mem::take(&mut run)));
                }
                return;
            }
            run.push(Word {
                hash: word_hash(norm),
                stop: is_generic_word(norm, lang),
                start,
                end,
            });
        });
        if !run.is_empty() {
            out.push((text, run));
        }
    }
    out
}

/// Every candidate of a run: `(first word, word count, parts)`.
fn candidates(run: &[Word], mut each: impl FnMut(usize, usize, &[u64])) {
    let mut parts = [0u64; MAX_WORDS];
    for i in 0..run.len() {
        for n in 1..=MAX_WORDS.min(run.len() - i) {
            let (first, last) = (&run[i], &run[i + n - 1]);
            if first.stop || last.stop {
                continue;
            }
            for (k, w) in run[i..i + n].iter().enumerate() {
                parts[k] = w.hash;
            }
            each(i, n, &parts[..n]);
        }
    }
}

/// Mentions, sections and documents of every candidate not covered.
fn count(documents: &[Document], covered: &Coverage) -> HashMap<u64, Stat> {
    documents
        .par_iter()
        .fold(HashMap::default, |mut acc: HashMap<u64, Stat>, doc| {
            let mut in_doc: HashSet<u64> = HashSet::default();
            for section in &doc.sections {
                let mut in_section: HashSet<u64> = HashSet::default();
                for (_, run) in runs(section, doc.lang) {
                    candidates(&run, |_, n, parts| {
                        if covered.covers(parts) {
                            return;
                        }
                        let key = phrase_key(parts);
                        let stat = acc.entry(key).or_insert_with(|| {
                            let mut s = Stat {
                                words: n,
                                ..Stat::default()
                            };
                            s.parts[..n].copy_from_slice(parts);
                            s
                        });
                        stat.mentions += 1;
                        if in_section.insert(key) {
                            stat.sections += 1;
                            if in_doc.insert(key) {
                                stat.documents += 1;
                            }
                        }
                    });
                }
            }
            acc
        })
        .reduce(HashMap::default, |a, b| {
            let (small, mut big) = if a.len() < b.len() { (a, b) } else { (b, a) };
            for (k, s) in small {
                let e = big.entry(k).or_insert(Stat {
                    mentions: 0,
                    sections: 0,
                    documents: 0,
                    ..s
                });
                e.mentions += s.mentions;
                e.sections += s.sections;
                e.documents += s.documents;
            }
            big
        })
}

/// Candidates found in two sections or more, best first: C-value times
/// rarity. C-value weighs a phrase by `log2(words)`, which would give single
/// words nothing; `words` itself keeps them in, at half a two-word phrase.
fn score(stats: &HashMap<u64, Stat>, total_sections: usize) -> Vec<(u64, f64)> {
    let kept: Vec<(&u64, &Stat)> = stats
        .iter()
        .filter(|(_, s)| s.sections >= MIN_SECTIONS && s.mentions > 0)
        .collect();
    // For each phrase, the mentions of the longer kept phrases holding it.
    let mut nesting: HashMap<u64, (f64, f64)> = HashMap::default();
    for (_, s) in &kept {
        let parts = &s.parts[..s.words];
        for i in 0..parts.len() {
            for j in i + 1..=parts.len() {
                if j - i < parts.len() {
                    let e = nesting
                        .entry(phrase_key(&parts[i..j]))
                        .or_insert((0.0, 0.0));
                    e.0 += f64::from(s.mentions);
                    e.1 += 1.0;
                }
            }
        }
    }
    let mut ranked: Vec<(u64, f64)> = kept
        .iter()
        .map(|&(&k, s)| {
            let f = f64::from(s.mentions);
            let own = match nesting.get(&k) {
                Some(&(sum, n)) => f - sum / n,
                None => f,
            };
            let c_value = s.words as f64 * own;
            let rarity = (1.0 + total_sections as f64 / f64::from(s.sections)).ln();
            (k, c_value * rarity)
        })
        .filter(|(_, sc)| *sc > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

/// What the second pass finds of a phrase: its written forms and examples.
#[derive(Debug, Clone, Default)]
struct Seen {
    forms: Vec<(String, usize)>,
    examples: Vec<(String, String)>,
    example_docs: Vec<usize>,
}

impl Seen {
    /// The most frequent written form (the first one among equals).
    fn surface(&self) -> String {
        let mut best: Option<&(String, usize)> = None;
        for f in &self.forms {
            if best.is_none_or(|b| f.1 > b.1) {
                best = Some(f);
            }
        }
        best.map(|b| b.0.clone()).unwrap_or_default()
    }

    fn merge(&mut self, other: Seen) {
        for (form, n) in other.forms {
            match self.forms.iter_mut().find(|f| f.0 == form) {
                Some(f) => f.1 += n,
                None => self.forms.push((form, n)),
            }
        }
        for (ex, doc) in other.examples.into_iter().zip(other.example_docs) {
            self.add_example(ex, doc);
        }
    }

    /// Keeps two examples, from two documents when the phrase is in two.
    fn add_example(&mut self, example: (String, String), doc: usize) {
        if self.examples.len() < 2 && !self.example_docs.contains(&doc) {
            self.examples.push(example);
            self.example_docs.push(doc);
        }
    }
}

/// Written forms and examples of the phrases in `keys`, in site order.
fn gather(documents: &[Document], keys: &HashSet<u64>) -> HashMap<u64, Seen> {
    let per_doc: Vec<HashMap<u64, Seen>> = documents
        .par_iter()
        .enumerate()
        .map(|(d, doc)| {
            let mut found: HashMap<u64, Seen> = HashMap::default();
            for section in &doc.sections {
                for (text, run) in runs(section, doc.lang) {
                    candidates(&run, |i, n, parts| {
                        let key = phrase_key(parts);
                        if !keys.contains(&key) {
                            return;
                        }
                        let (start, end) = (run[i].start, run[i + n - 1].end);
                        let seen = found.entry(key).or_default();
                        let form = written_form(&text[start..end]);
                        match seen.forms.iter_mut().find(|f| f.0 == form) {
                            Some(f) => f.1 += 1,
                            None => seen.forms.push((form, 1)),
                        }
                        if seen.examples.is_empty() {
                            let at = format!("{}:{}", doc.source, section.lines.0);
                            seen.add_example((context(text, start, end), at), d);
                        }
                    });
                }
            }
            found
        })
        .collect();
    let mut all: HashMap<u64, Seen> = HashMap::default();
    for found in per_doc {
        for (k, seen) in found {
            all.entry(k).or_default().merge(seen);
        }
    }
    all
}

/// A phrase as written, lower-cased but for acronyms (« FOMO », « IA »),
/// spaces collapsed.
fn written_form(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
            if letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Up to 60 bytes on each side of `text[start..end]`, cut at spaces, on one
/// line, the phrase in brackets.
fn context(text: &str, start: usize, end: usize) -> String {
    const SIDE: usize = 60;
    let mut from = start.saturating_sub(SIDE);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    if from > 0
        && let Some(space) = text[from..start].find(char::is_whitespace)
    {
        from += space + 1;
    }
    let mut to = (end + SIDE).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    if to < text.len()
        && let Some(space) = text[end..to].rfind(char::is_whitespace)
    {
        to = end + space;
    }
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (before, after) = (&text[from..start], &text[end..to]);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&flat(before));
    if before.ends_with(char::is_whitespace) && !flat(before).is_empty() {
        out.push(' ');
    }
    let _ = write!(out, "[{}]", flat(&text[start..end]));
    if after.starts_with(char::is_whitespace) && !flat(after).is_empty() {
        out.push(' ');
    }
    out.push_str(&flat(after));
    if to < text.len() {
        out.push('…');
    }
    out
}

/// The suggestions as `[[topic]]` entries ready to paste into the catalog,
/// each after comments giving its counts and examples. `content_dir`
/// prefixes the examples' file names.
pub fn to_toml(suggestions: &[Suggestion], catalog: &Catalog, content_dir: &Path) -> String {
    let mut out = String::from(
        "# Suggested topics: key phrases of the content that no alias of the catalog covers,\n\
         # best first. Paste the ones you want into content/topics.toml, then add\n\
         # aliases, a description and related topics.\n",
    );
    if suggestions.is_empty() {
        out.push_str("#\n# (none: every frequent phrase is already covered)\n");
    }
    let mut slugs: HashSet<String> = catalog.topics.iter().map(|t| t.slug.clone()).collect();
    for (i, s) in suggestions.iter().enumerate() {
        let base = slug::slugify(&s.phrase);
        let mut slug = base.clone();
        let mut n = 2;
        while slugs.contains(&slug) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        slugs.insert(slug.clone());
        let _ = write!(
            out,
            "\n# {}. {} — {} mention{}, {} sections, {} document{} (score {:.1})\n",
            i + 1,
            s.phrase,
            s.mentions,
            if s.mentions == 1 { "" } else { "s" },
            s.sections,
            s.documents,
            if s.documents == 1 { "" } else { "s" },
            s.score
        );
        for (example, at) in &s.examples {
            let _ = writeln!(
                out,
                "#   « {example} » ({})",
                content_dir.join(at).display()
            );
        }
        let _ = write!(
            out,
            "[[topic]]\nslug = {}\nname = {}\naliases = []\ndescription = \"\"\n",
            toml_string(&slug),
            toml_string(&s.phrase)
        );
    }
    out
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_keep_to_a_sentence_and_skip_stop_word_edges() {
        let section = Section::for_tests("s", "", "La peur de manquer, encore. Vie privée");
        let mut found = Vec::new();
        for (text, run) in runs(&section, Lang::Fr) {
            candidates(&run, |i, n, _| {
                found.push(text[run[i].start..run[i + n - 1].end].to_string());
            });
        }
        for want in ["peur de manquer", "peur", "manquer", "Vie privée"] {
            assert!(found.contains(&want.to_string()), "{want} in {found:?}");
        }
        for never in [
            "La peur",
            "peur de",
            "manquer, encore",
            "encore",
            "encore. Vie",
        ] {
            assert!(!found.contains(&never.to_string()), "{never} in {found:?}");
        }
    }

    #[test]
    fn contexts_cut_at_words_and_bracket_the_phrase() {
        let text = format!(
            "{} la peur de manquer nous {}",
            "mot ".repeat(30),
            "fin ".repeat(30)
        );
        let start = text.find("peur").unwrap();
        let c = context(&text, start, start + "peur de manquer".len());
        assert!(c.starts_with('…') && c.ends_with('…'), "{c}");
        assert!(c.contains(" la [peur de manquer] nous "), "{c}");
        assert!(!c.contains("mo…") && !c.contains("…ot"), "{c}");
        assert_eq!(written_form("Réseaux  Sociaux"), "réseaux sociaux");
        assert_eq!(written_form("la FOMO"), "la FOMO");
    }
}
