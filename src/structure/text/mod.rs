//! Plain-text structuring: infers headings, paragraphs and lists from `.txt`
//! files that carry no markup at all (scraped articles). See docs/plain-text.md.
//!
//! The work is a few linear passes: drop noise lines, group the remaining
//! lines into units (paragraph lines, list items, numbered lines), take the
//! title, decide which short lines are headings, turn image captions back
//! into paragraphs, give headings their levels, then emit blocks.

/// What a plain-text file reads as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOutline {
    /// The first line, when it reads as a title (then it is not among `blocks`).
    pub title: Option<TitleLine>,
    pub blocks: Vec<Block>,
}

/// The title taken from the first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleLine {
    pub text: String,
    /// 1-based line number.
    pub line: usize,
}

/// One structural element. Line numbers are 1-based and inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// An inferred heading; `level` is 2, 3 or 4 (1 is the document title).
    Heading {
        level: u8,
        text: String,
        line: usize,
    },
    Paragraph {
        text: String,
        first_line: usize,
        last_line: usize,
    },
    List {
        items: Vec<ListItem>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub text: String,
    pub first_line: usize,
    pub last_line: usize,
}

/// Headings in the seeds are at most 82 characters; the longer "short" lines
/// (109 to 125 characters) are pull quotes, which read better as paragraphs.
const MAX_HEADING_CHARS: usize = 100;

/// Endings that close a sentence or announce what follows (`:` introduces a
/// list or a quote), so the line is body text. `?` is absent on purpose:
/// question headings are common (`Pourquoi les gens se comparent-ils ?`).
const CLOSING: &[char] = &['.', '!', '…', ':', ';', ','];

/// Ends of sentences, for continuation lines and sentence breaks.
const SENTENCE_END: &[char] = &['.', '!', '?', '…', ':'];

/// Trailing quotes and brackets are looked through: `temps. »` ends a sentence.
const CLOSERS: &[char] = &['»', '"', '”', '’', '\'', ')', ']'];

/// List markers, written `- item` or alone on a line above the item text.
const MARKERS: &[char] = &['-', '•', '*', '–', '▪', '◦'];

/// Site navigation left over by scrapers; dropped only when trailing or
/// isolated between blank lines (elsewhere such a line may be real text).
const NAV_LINES: &[&str] = &[
    "plan du site",
    "mentions légales",
    "accueil",
    "partager",
    "partager cet article",
    "contact",
    "nous contacter",
    "politique de confidentialité",
    "cookies",
    "haut de page",
    "retour en haut",
    "menu",
    "newsletter",
    "imprimer",
    "tous droits réservés",
    "sitemap",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An ordinary line (or lines joined by continuation).
    Text,
    /// `1. …` or `1) …`: a heading when alone, list items when consecutive.
    Numbered,
    /// One list item: `- item`, `• item`, a lone marker and the next line,
    /// or one of several consecutive numbered lines.
    Item,
}

/// A run of source lines that becomes one block (or one list item).
#[derive(Debug)]
struct Unit {
    text: String,
    first: usize,
    last: usize,
    kind: Kind,
    /// A blank or dropped line separates it from the previous unit.
    gap_before: bool,
    /// Short, unpunctuated: could be a heading if body text follows.
    shaped: bool,
}

/// Infers the structure of a plain-text document. `text` has LF line endings.
pub fn outline(text: &str) -> TextOutline {
    let lines: Vec<&str> = text.split('\n').map(str::trim).collect();
    let dropped = noise_lines(&lines);
    let mut units = units(&lines, &dropped);
    numbered_lists(&mut units);
    for u in &mut units {
        u.shaped = match u.kind {
            Kind::Text => u.first == u.last && heading_shaped(&u.text),
            Kind::Numbered => heading_shaped(strip_number(&u.text).unwrap_or("")),
            Kind::Item => false,
        };
    }
    let title = take_title(&mut units);
    let mut heading = heading_flags(&units);
    drop_captions(&mut heading);
    let levels = levels(&units, &heading);
    TextOutline {
        title,
        blocks: blocks(units, &levels),
    }
}

// ---------------------------------------------------------------- noise

/// Marks the lines to ignore: punctuation-only lines (a lone `.`, `***`), a
/// lone list marker with no text under it, and navigation lines that are
/// trailing or isolated.
fn noise_lines(lines: &[&str]) -> Vec<bool> {
    let mut dropped: Vec<bool> = lines.iter().map(|l| !has_alnum(l)).collect();
    // Trailing navigation: from the end, through blank and noise lines.
    for i in (0..lines.len()).rev() {
        if dropped[i] || lines[i].is_empty() {
            continue;
        }
        if !is_nav(lines[i]) {
            break;
        }
        dropped[i] = true;
    }
    for i in 0..lines.len() {
        let quiet = |j: usize| lines.get(j).is_none_or(|l| l.is_empty() || dropped[j]);
        if !dropped[i] && is_nav(lines[i]) && (i == 0 || quiet(i - 1)) && quiet(i + 1) {
            dropped[i] = true;
        }
    }
    // A lone marker is kept when its item text is on the next line.
    for i in 0..lines.len().saturating_sub(1) {
        if is_lone_marker(lines[i]) && has_alnum(lines[i + 1]) && !dropped[i + 1] {
            dropped[i] = false;
        }
    }
    dropped
}

fn has_alnum(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

fn is_nav(line: &str) -> bool {
    // Nav lines are short: skip lowercasing long lines.
    line.len() <= 40 && NAV_LINES.contains(&line.to_lowercase().as_str())
}

// ---------------------------------------------------------------- units

/// Groups lines into units: list items (with a lone marker's text), numbered
/// lines, and text lines, joining a line into the previous one when it
/// continues it (`…comme #edchat` / `et #edtech`).
fn units(lines: &[&str], dropped: &[bool]) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut gap = false;
    let mut i = 0;
    while i < lines.len() {
        let (line, skip, no) = (lines[i], dropped[i], i + 1);
        i += 1;
        if line.is_empty() || skip {
            gap = true;
            continue;
        }
        let (kind, text, last) = if is_lone_marker(line) {
            // Kept by `noise_lines` only when the next line has text.
            i += 1;
            (Kind::Item, lines.get(no).copied().unwrap_or(""), no + 1)
        } else if let Some(item) = item_text(line) {
            (Kind::Item, item, no)
        } else if strip_number(line).is_some() {
            (Kind::Numbered, line, no)
        } else {
            match out.last_mut() {
                Some(prev) if !gap && continues(prev, line) => {
                    prev.text.push(' ');
                    prev.text.push_str(line);
                    prev.last = no;
                    continue;
                }
                _ => (Kind::Text, line, no),
            }
        };
        out.push(Unit {
            text: text.to_string(),
            first: no,
            last,
            kind,
            gap_before: gap,
            shaped: false,
        });
        gap = false;
    }
    out
}

fn is_lone_marker(line: &str) -> bool {
    let mut chars = line.chars();
    chars.next().is_some_and(|c| MARKERS.contains(&c)) && chars.next().is_none()
}

/// `- item` / `• item` → `item`. The space is required: `-5 %` is not an item.
fn item_text(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(MARKERS)?;
    let text = rest.trim_start();
    (rest.starts_with(char::is_whitespace) && !text.is_empty()).then_some(text)
}

/// `12. Title` or `3) Title` → `Title` (one to three digits).
fn strip_number(line: &str) -> Option<&str> {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if !(1..=3).contains(&digits) {
        return None;
    }
    let rest = line[digits..].strip_prefix(['.', ')'])?;
    let text = rest.trim_start();
    (rest.starts_with(char::is_whitespace) && !text.is_empty()).then_some(text)
}

/// A line continues the previous text line when that one stopped mid-sentence
/// and this one starts in lowercase (scrapers break lines at inline links).
fn continues(prev: &Unit, line: &str) -> bool {
    prev.kind == Kind::Text
        && !ends_with_any(&prev.text, SENTENCE_END)
        && line.chars().next().is_some_and(char::is_lowercase)
}

/// Consecutive numbered lines are an ordered list, not a run of headings.
fn numbered_lists(units: &mut [Unit]) {
    let mut i = 0;
    while i < units.len() {
        let mut j = i;
        while j < units.len() && units[j].kind == Kind::Numbered {
            j += 1;
        }
        if j - i >= 2 {
            units[i..j].iter_mut().for_each(|u| u.kind = Kind::Item);
        }
        i = j.max(i + 1);
    }
}

/// Whether the last meaningful character, past closing quotes and brackets,
/// is one of `ends`.
fn ends_with_any(s: &str, ends: &[char]) -> bool {
    let core = s.trim_end_matches(|c: char| CLOSERS.contains(&c) || c.is_whitespace());
    core.chars().next_back().is_some_and(|c| ends.contains(&c))
}

/// Short, starting with a capital (or a digit, a quote…), not closed by
/// punctuation, and a single sentence.
fn heading_shaped(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    !first.is_lowercase()
        && s.chars().nth(MAX_HEADING_CHARS).is_none()
        && !ends_with_any(s, CLOSING)
        && !has_sentence_break(s)
}

/// `… support ? Notre…`: a sentence end followed by a new sentence, which
/// headings never contain (this rejects short two-sentence paragraphs that
/// end with `?`).
fn has_sentence_break(s: &str) -> bool {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if SENTENCE_END.contains(&c) && c != ':' && chars.peek().is_some_and(|n| n.is_whitespace())
        {
            let mut rest = chars.clone().skip_while(|n| n.is_whitespace());
            if rest.next().is_some_and(|n| !n.is_lowercase()) {
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------- title

/// Takes the first unit as the title when it is heading-shaped and followed
/// by a blank line or by body text (not by another heading-shaped line, which
/// would make it the first heading of a run).
fn take_title(units: &mut Vec<Unit>) -> Option<TitleLine> {
    let (first, next) = (units.first()?, units.get(1)?);
    // Directly followed by another heading-shaped line, it opens a run.
    let opens_run = !next.gap_before && next.shaped;
    if first.kind != Kind::Text || !first.shaped || opens_run {
        return None;
    }
    let first = units.remove(0);
    Some(TitleLine {
        text: first.text,
        line: first.first,
    })
}

// ---------------------------------------------------------------- headings

/// A heading-shaped unit is a heading when body text follows it, directly or
/// after other headings. A backward pass makes this linear.
fn heading_flags(units: &[Unit]) -> Vec<bool> {
    let mut heading = vec![false; units.len()];
    for i in (0..units.len()).rev() {
        heading[i] = units[i].shaped
            && units
                .get(i + 1)
                .is_some_and(|n| !n.shaped || heading[i + 1]);
    }
    heading
}

/// Runs of consecutive headings, as `(start, len)`.
fn runs(heading: &[bool]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < heading.len() {
        if heading[i] {
            let start = i;
            while i < heading.len() && heading[i] {
                i += 1;
            }
            out.push((start, i - start));
        } else {
            i += 1;
        }
    }
    out
}

/// Image captions sit just above a section's headings, making the run one
/// line longer than the document's usual run (000: pairs everywhere, but
/// `Popularité des réseaux sociaux en janvier 2020` before a pair). The extra
/// leading lines of such runs become paragraphs. Ties favour the longer run,
/// so that nothing is dropped when the document has no clear habit.
fn drop_captions(heading: &mut [bool]) {
    let runs = runs(heading);
    let mut counts = vec![0usize; runs.iter().map(|r| r.1).max().unwrap_or(0) + 1];
    for &(_, len) in &runs {
        counts[len] += 1;
    }
    // `max_by_key` keeps the last of equal maxima: the longest run length.
    let usual = (2..counts.len()).max_by_key(|&len| counts[len]);
    let Some(usual) = usual.filter(|&len| counts[len] > 0) else {
        return;
    };
    for (start, len) in runs {
        if len > usual && start > 0 {
            heading[start..start + len - usual]
                .iter_mut()
                .for_each(|h| *h = false);
        }
    }
}

/// Levels: a run of headings counts down from 2 (2, 3, 4); a lone heading
/// takes the level of the previous plain heading that had body text (so after
/// a pair 2/3, the following lone headings are 3); a lone numbered heading is
/// one below the plain heading above it. A lone heading whose body is a single
/// paragraph followed by a lone heading is an introduced section: it goes one
/// level up and the next lone heading becomes its child.
fn levels(units: &[Unit], heading: &[bool]) -> Vec<u8> {
    let mut levels = vec![0u8; units.len()];
    let mut base: u8 = 2;
    let mut last_plain: Option<u8> = None;
    for (start, len) in runs(heading) {
        if len >= 2 {
            for (k, i) in (start..start + len).enumerate() {
                levels[i] = (2 + k).min(4) as u8;
                if units[i].kind != Kind::Numbered {
                    last_plain = Some(levels[i]);
                }
            }
            base = levels[start + len - 1];
            continue;
        }
        let level = if units[start].kind == Kind::Numbered {
            last_plain.map_or(2, |l| (l + 1).min(4))
        } else if base > 2 && introduces(units, heading, start) {
            base - 1
        } else {
            base
        };
        levels[start] = level;
        if units[start].kind != Kind::Numbered {
            last_plain = Some(level);
        }
    }
    levels
}

/// Heading `i` is followed by exactly one paragraph, then a lone plain
/// heading (002: `Médias sociaux pour la croissance personnelle`, its short
/// introduction, then `Auto-expression et créativité`).
fn introduces(units: &[Unit], heading: &[bool], i: usize) -> bool {
    let is_heading = |j: usize| heading.get(j).copied().unwrap_or(false);
    units.get(i + 1).is_some_and(|u| u.kind != Kind::Item)
        && !is_heading(i + 1)
        && is_heading(i + 2)
        && !is_heading(i + 3)
        && units.get(i + 2).is_some_and(|u| u.kind != Kind::Numbered)
}

// ---------------------------------------------------------------- blocks

/// Emits the blocks; consecutive items form one list.
fn blocks(units: Vec<Unit>, levels: &[u8]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for (unit, &level) in units.into_iter().zip(levels) {
        let block = if level > 0 {
            Block::Heading {
                level,
                text: unit.text,
                line: unit.first,
            }
        } else if unit.kind == Kind::Item {
            let item = ListItem {
                text: unit.text,
                first_line: unit.first,
                last_line: unit.last,
            };
            if let Some(Block::List { items }) = out.last_mut() {
                items.push(item);
                continue;
            }
            Block::List { items: vec![item] }
        } else {
            Block::Paragraph {
                text: unit.text,
                first_line: unit.first,
                last_line: unit.last,
            }
        };
        out.push(block);
    }
    out
}

#[cfg(test)]
mod tests;
