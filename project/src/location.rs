//! Where something is in a file: `file:line:col`, and the warnings that carry it.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// A position in a project, test or plan file. Lines and columns count from 1; the column
/// counts characters, not bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The file, as it was given to the loader.
    pub file: PathBuf,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Something the loader accepted but Mercator does not act on (an unsupported attribute or
/// block), reported instead of silently ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Where the ignored item starts.
    pub location: Location,
    /// What was ignored and why.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.location, self.message)
    }
}

/// A file's text together with the table that turns byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub(crate) struct SourceMap {
    file: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceMap {
    pub(crate) fn new(file: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceMap {
            file: file.into(),
            text,
            line_starts,
        }
    }

    pub(crate) fn file(&self) -> &Path {
        &self.file
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The location of a byte offset (clamped to the text).
    pub(crate) fn at(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }

    /// The location where a span starts; the file's start when the node has no span.
    pub(crate) fn span(&self, span: Option<Range<usize>>) -> Location {
        self.at(span.map_or(0, |r| r.start))
    }

    /// A location from a 1-based line and column (as parse errors report them).
    pub(crate) fn line_col(&self, line: usize, column: usize) -> Location {
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_character_columns() {
        let map = SourceMap::new("a.hcl", "ab\nçd\n\nx");
        assert_eq!(map.at(0).to_string(), "a.hcl:1:1");
        assert_eq!(map.at(3).to_string(), "a.hcl:2:1");
        // `ç` is two bytes but one column.
        assert_eq!(map.at(5).to_string(), "a.hcl:2:2");
        assert_eq!(map.at(8).to_string(), "a.hcl:4:1");
        assert_eq!(map.at(999).to_string(), "a.hcl:4:2");
    }
}
