//! GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`).

use super::Report;
use crate::Severity;

impl Report {
    /// One workflow command per finding, so GitHub annotates the migration files:
    /// `::error file=migrations/2.sql,line=1,title=DS102::Dropping table "t"`.
    pub fn to_github(&self) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut props = Vec::new();
            if let Some(file) = &d.file {
                props.push(format!("file={}", escape_property(file)));
            }
            if let Some(line) = d.line {
                props.push(format!("line={line}"));
            }
            props.push(format!("title={}", escape_property(&d.code)));
            let mut message = d.message.clone();
            if let Some(fix) = &d.fix {
                message.push_str("\nSuggested fix: ");
                message.push_str(fix);
            }
            out.push_str(&format!(
                "::{level} {}::{}\n",
                props.join(","),
                escape_data(&message)
            ));
        }
        out
    }
}

/// Escapes a command's message (GitHub's toolkit rules).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
