//! A query's rows printed the way `exec` compares them (`csv` or `table`), and the
//! comparison itself.
//!
//! Atlas's documentation writes the same CSV output both as `Ada,Lovelace` and as
//! `Ada, Lovelace`, and aligns `table` output loosely (`1  | user1` under ` id | email`), so
//! `output` is compared cell by cell with the blanks around each cell ignored: trailing
//! and leading blank lines, the padding of table cells and the spaces after commas do not
//! count; the cells' text, their order and the number of rows do.

use mercator_driver::Rows;
use mercator_project::OutputFormat;

/// Prints `rows` in `format`. NULL prints as an empty cell. A result without columns (a
/// statement that returns no rows) prints as the empty string.
pub fn render(rows: &Rows, format: OutputFormat) -> String {
    match format {
        OutputFormat::Csv => csv(rows),
        OutputFormat::Table => table(rows),
    }
}

fn cell(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

fn csv(rows: &Rows) -> String {
    rows.rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| csv_field(cell(v)))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// psql's aligned layout: a header, a `---+---` rule, one line per row.
fn table(rows: &Rows) -> String {
    if rows.columns.is_empty() {
        return String::new();
    }
    let mut widths: Vec<usize> = rows.columns.iter().map(|c| c.chars().count()).collect();
    for row in &rows.rows {
        for (i, v) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell(v).chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!(" {c:<w$} "))
            .collect::<Vec<_>>()
            .join("|")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(rows.columns.iter().map(String::as_str).collect())];
    out.push(
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+"),
    );
    for row in &rows.rows {
        out.push(line(row.iter().map(cell).collect()));
    }
    out.join("\n")
}

/// Whether `actual` (as printed by [`render`]) is the `expected` output, compared cell by
/// cell (see the module documentation).
pub fn same_output(expected: &str, actual: &str, format: OutputFormat) -> bool {
    normalize(expected, format) == normalize(actual, format)
}

fn normalize(text: &str, format: OutputFormat) -> Vec<Vec<String>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match format {
            OutputFormat::Csv => split_csv(line),
            OutputFormat::Table if line.chars().all(|c| c == '-' || c == '+') => {
                vec!["---".to_owned()]
            }
            OutputFormat::Table => line.split('|').map(|c| c.trim().to_owned()).collect(),
        })
        .collect()
}

/// One CSV line's fields, unquoted and trimmed.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_owned()),
            c => field.push(c),
        }
    }
    fields.push(field.trim().to_owned());
    fields
}

/// A unified diff of the expected output (`---`) against the actual one (`+++`).
pub fn diff(expected: &str, actual: &str) -> String {
    let expected = with_newline(expected);
    let actual = with_newline(actual);
    similar::TextDiff::from_lines(expected.as_str(), actual.as_str())
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

fn with_newline(text: &str) -> String {
    let trimmed = text.trim_matches('\n');
    format!("{trimmed}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(columns: &[&str], rows: &[&[Option<&str>]]) -> Rows {
        Rows {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|v| v.map(str::to_owned)).collect())
                .collect(),
        }
    }

    #[test]
    fn csv_quotes_what_needs_it_and_compares_by_cell() {
        let r = rows(
            &["a", "b"],
            &[&[Some("Ada"), Some("Lovelace")], &[Some("x,y"), None]],
        );
        let out = render(&r, OutputFormat::Csv);
        assert_eq!(out, "Ada,Lovelace\n\"x,y\",");
        assert!(same_output(
            "Ada, Lovelace\n\"x,y\", \n",
            &out,
            OutputFormat::Csv
        ));
        assert!(!same_output("Ada, Lovelace", &out, OutputFormat::Csv));
        assert!(!same_output(
            "Ada,Lovelac\n\"x,y\",",
            &out,
            OutputFormat::Csv
        ));
    }

    #[test]
    fn table_layout_and_loose_alignment() {
        let r = rows(
            &["a", "b"],
            &[&[Some("1"), Some("one")], &[Some("2"), Some("two")]],
        );
        let out = render(&r, OutputFormat::Table);
        assert_eq!(out, " a | b\n---+-----\n 1 | one\n 2 | two");
        // Atlas's documented expectation, padded differently.
        assert!(same_output(
            " a |  b\n---+-----\n 1 | one\n 2 | two\n",
            &out,
            OutputFormat::Table
        ));
        assert!(same_output(
            "a|b\n-+-\n1  | one\n2|two",
            &out,
            OutputFormat::Table
        ));
        assert!(!same_output(
            " a | b\n---+---\n 1 | one\n",
            &out,
            OutputFormat::Table
        ));
        assert_eq!(render(&Rows::default(), OutputFormat::Table), "");
    }

    #[test]
    fn diff_is_unified() {
        let d = diff("HELLO\n", "WORLD");
        assert!(d.contains("--- expected\n+++ actual\n"), "{d}");
        assert!(d.contains("-HELLO\n+WORLD\n"), "{d}");
    }
}
