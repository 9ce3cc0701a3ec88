//! Linkable runs (`model::Linkable`): where running text lies in a section's
//! HTML, and where the same words lie in the section's text. The topics
//! stage matches aliases over the text once; a mention it finds inside a
//! run's words is at the same offsets in the run, so inline links need not
//! match the HTML again.

use crate::model::Linkable;
use crate::topics::normalize::cuts_between_words;

/// A run of `html` bytes `start..end` whose text was written at byte
/// `text` of the section's text (not yet checked: see [`settle`]). `None`
/// past 4 GiB, where a section gets no inline links rather than wrong ones.
pub fn run(start: usize, end: usize, text: Option<usize>) -> Option<Linkable> {
    let text = match text {
        Some(t) => u32::try_from(t).ok().filter(|&t| t != Linkable::NO_TEXT),
        None => None,
    };
    Some(Linkable {
        start: u32::try_from(start).ok()?,
        end: u32::try_from(end).ok()?,
        text: text.unwrap_or(Linkable::NO_TEXT),
    })
}

/// Keeps the text offset of each run only where it holds: the run's bytes
/// are the text's there, and it begins and ends between words. Checked
/// rather than assumed from how the HTML was made, so that an escaped
/// character, a change in the renderer or a word glued to markup (`un
/// *mot*if`) makes the run be read again instead of linked wrongly.
pub fn settle(html: &str, text: &str, runs: &mut [Linkable]) {
    for run in runs {
        if run.text != Linkable::NO_TEXT && !same_words(html, text, run) {
            run.text = Linkable::NO_TEXT;
        }
    }
}

fn same_words(html: &str, text: &str, run: &Linkable) -> bool {
    let Some(escaped) = html.get(run.range()) else {
        return false;
    };
    let at = run.text as usize;
    let Some(written) = text.get(at..at + escaped.len()) else {
        return false;
    };
    // A character reference would read as other words; a line break of the
    // HTML is a space of the text (a soft break), which reads alike.
    !escaped.contains('&')
        && (escaped == written
            || escaped
                .bytes()
                .zip(written.bytes())
                .all(|(h, t)| h == t || (h == b'\n' && t == b' ')))
        && cuts_between_words(text, at)
        && cuts_between_words(text, at + escaped.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settled(html: &str, text: &str, start: usize, end: usize, at: usize) -> u32 {
        let mut runs = [run(start, end, Some(at)).unwrap()];
        settle(html, text, &mut runs);
        runs[0].text
    }

    #[test]
    fn a_run_keeps_its_text_offset_only_where_it_reads_alike() {
        let text = "Un mot, la vie\nprivée et Tom & Jerry.";
        let html = "<p>Un <em>mot</em>, la vie\nprivée et Tom &amp; Jerry.</p>";
        let la = html.find(", la").unwrap();
        let tom = html.find(" et Tom").unwrap();
        // ", la vie\nprivée" against ", la vie privée" at 6.
        assert_eq!(settled(html, &text.replace('\n', " "), la, tom, 6), 6);
        // An offset that does not hold.
        assert_eq!(settled(html, text, la, tom, 7), Linkable::NO_TEXT);
        // A character reference.
        let end = html.find("</p>").unwrap();
        assert_eq!(settled(html, text, tom, end, 20), Linkable::NO_TEXT);
        // « Un » glued to the next word in the text: « Unmot ».
        assert_eq!(settled("<p>Un</p>", "Unmot", 3, 5, 0), Linkable::NO_TEXT);
        assert_eq!(settled("<p>Un</p>", "Un mot", 3, 5, 0), 0);
        // Out of the text, or not on a character boundary.
        assert_eq!(settled("<p>été</p>", "été", 3, 8, 1), Linkable::NO_TEXT);
        assert_eq!(settled("<p>x</p>", "", 3, 4, 0), Linkable::NO_TEXT);
        assert_eq!(run(0, 1, None).unwrap().text, Linkable::NO_TEXT);
    }
}
