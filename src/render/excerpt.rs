//! Excerpts for topic pages: the words around a mention, the mention itself in
//! `<mark>`, cut at word boundaries and escaped.

use super::fragments::push_escaped;
use crate::model::Mention;

/// Bytes of context kept on each side of the mention: about a line of text
/// either side (110 made a 100-section topic page 75 KB, mostly excerpts).
const CONTEXT: usize = 80;

/// An HTML excerpt of `text` around `mention` (a byte range in `text`); the
/// opening of the text when the mention is in the title or absent.
pub fn excerpt_html(text: &str, mention: Option<&Mention>) -> String {
    let (start, end) = match mention {
        Some(m) if !m.in_title && m.end <= text.len() && m.start < m.end => (m.start, m.end),
        _ => return opening(text),
    };
    let from = word_start(text, start.saturating_sub(CONTEXT));
    let to = word_end(text, (end + CONTEXT).min(text.len()));
    let mut out = String::with_capacity(to - from + 32);
    if from > 0 {
        out.push('…');
    }
    push_escaped(&mut out, &flatten(&text[from..start]));
    out.push_str("<mark>");
    push_escaped(&mut out, &text[start..end]);
    out.push_str("</mark>");
    push_escaped(&mut out, &flatten(&text[end..to]));
    if to < text.len() {
        out.push('…');
    }
    out
}

fn opening(text: &str) -> String {
    let to = word_end(text, (2 * CONTEXT).min(text.len()));
    let mut out = String::new();
    push_escaped(&mut out, &flatten(&text[..to]));
    if to < text.len() {
        out.push('…');
    }
    out
}

/// Line breaks read as spaces in an excerpt (`Cow`: most runs have none).
fn flatten(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\n') {
        s.replace('\n', " ").into()
    } else {
        s.into()
    }
}

/// The start of the word containing byte `at` (moving right to a char boundary first).
fn word_start(text: &str, at: usize) -> usize {
    if at == 0 {
        return 0;
    }
    let mut i = at;
    while !text.is_char_boundary(i) {
        i += 1;
    }
    match text[i..].find(char::is_whitespace) {
        Some(ws) if ws < 30 => i + ws + 1,
        _ => i,
    }
}

/// The end of the word containing byte `at` (moving left to a char boundary first).
fn word_end(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let mut i = at;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    match text[..i].rfind(char::is_whitespace) {
        Some(ws) if i - ws < 30 => ws,
        _ => i,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(start: usize, end: usize) -> Mention {
        Mention {
            in_title: false,
            start,
            end,
        }
    }

    #[test]
    fn marks_the_mention_and_escapes() {
        let text = "Avant <b> la peur de manquer & après.";
        let start = text.find("peur").unwrap();
        let e = excerpt_html(text, Some(&m(start, start + "peur de manquer".len())));
        assert_eq!(
            e,
            "Avant &lt;b&gt; la <mark>peur de manquer</mark> &amp; après."
        );
    }

    #[test]
    fn long_text_is_cut_at_words_with_ellipses() {
        let text = format!("{} homophilie {}", "mot ".repeat(100), "élan ".repeat(100));
        let start = text.find("homophilie").unwrap();
        let e = excerpt_html(&text, Some(&m(start, start + 10)));
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert!(e.contains("<mark>homophilie</mark>"));
        assert!(!e.contains(" mo…") && !e.contains("…ot"), "{e}");
    }

    #[test]
    fn title_mentions_show_the_opening() {
        let e = excerpt_html(
            "Début du texte.",
            Some(&Mention {
                in_title: true,
                start: 0,
                end: 3,
            }),
        );
        assert_eq!(e, "Début du texte.");
        assert_eq!(excerpt_html("", None), "");
    }
}
