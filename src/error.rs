//! Diagnostics that say where: every error and warning carries the file and,
//! where it has one, the line, plus a hint saying what to do. Only `main`
//! turns them into text for the terminal.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the site's input or while writing the output.
/// Serializable so that a skipped rebuild can repeat the warnings of the
/// build it skips (see `write::state`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: Option<PathBuf>,
    pub line: Option<usize>,
    pub message: String,
    /// What the user can do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            path: None,
            line: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, path: impl AsRef<Path>) -> Diagnostic {
        self.path = Some(path.as_ref().to_path_buf());
        self
    }

    pub fn line(mut self, line: usize) -> Diagnostic {
        self.line = Some(line);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: ")?;
        if let Some(path) = &self.path {
            write!(f, "{}", path.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A build that failed: every error found, not only the first, so that one run
/// shows the user everything to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    pub diagnostics: Vec<Diagnostic>,
}

impl BuildError {
    pub fn one(diagnostic: Diagnostic) -> BuildError {
        BuildError {
            diagnostics: vec![diagnostic],
        }
    }
}

impl From<Diagnostic> for BuildError {
    fn from(diagnostic: Diagnostic) -> BuildError {
        BuildError::one(diagnostic)
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

/// 1-based line of byte `offset` in `text`. Counts from the start: for one
/// diagnostic; a caller asking for many offsets of one text uses `LineIndex`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Line numbers of many byte offsets in one text, each a binary search over
/// the line starts found in one pass. Calling `line_of` per Markdown event
/// made structuring quadratic in a document's length (the profile's top entry).
pub struct LineIndex {
    /// Byte offset where each line starts; `starts[0] == 0`.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        // memchr finds the newlines many bytes at a time; filtering every
        // byte was 1.6 % of a build's instructions.
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based line of byte `offset`; the same answer as `line_of`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_and_hint() {
        let d = Diagnostic::error("front matter: expected `=`")
            .at("content/a.md")
            .line(3)
            .hint("fix the TOML between the `+++` lines");
        assert_eq!(
            d.to_string(),
            "error: content/a.md:3: front matter: expected `=`\n  hint: fix the TOML between the `+++` lines"
        );
    }

    #[test]
    fn line_index_agrees_with_line_of() {
        for text in ["", "a", "a\nb\nc", "\n\nx\n", "é\nà\n\n"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    index.line(offset),
                    line_of(text, offset),
                    "{text:?} @ {offset}"
                );
            }
        }
    }

    #[test]
    fn line_of_counts_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
