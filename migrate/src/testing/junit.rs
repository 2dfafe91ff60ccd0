//! JUnit XML, the report CI systems read: one `<testsuite>` per test file, one
//! `<testcase>` per case, with `<failure>` (message, location and diff) or `<skipped/>`,
//! and `log` lines in `<system-out>`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::report::{CaseReport, CaseStatus, TestReport, short};

impl TestReport {
    /// The report as JUnit XML.
    pub fn to_junit(&self) -> String {
        let mut files: BTreeMap<&PathBuf, Vec<&CaseReport>> = BTreeMap::new();
        let mut order = Vec::new();
        for case in &self.cases {
            if !files.contains_key(&case.file) {
                order.push(&case.file);
            }
            files.entry(&case.file).or_default().push(case);
        }
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"mercator\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            self.cases.len(),
            self.count(CaseStatus::Fail),
            self.count(CaseStatus::Skip),
            self.duration.as_secs_f64()
        );
        for file in order {
            let cases = &files[file];
            let count = |s| cases.iter().filter(|c| c.status == s).count();
            let time: f64 = cases.iter().map(|c| c.duration.as_secs_f64()).sum();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{time:.3}\">",
                escape(&file.display().to_string()),
                cases.len(),
                count(CaseStatus::Fail),
                count(CaseStatus::Skip),
            );
            for case in cases {
                write_case(&mut out, case);
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

fn write_case(out: &mut String, case: &CaseReport) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"{:.3}\"",
        escape(&case.name),
        escape(&format!("{:?}", case.kind).to_lowercase()),
        escape(&case.file.display().to_string()),
        case.line,
        case.duration.as_secs_f64()
    );
    let body = case.status != CaseStatus::Pass || !case.logs.is_empty();
    if !body {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if case.status == CaseStatus::Skip {
        out.push_str("      <skipped/>\n");
    }
    if let Some(failure) = &case.failure {
        let mut text = format!("{}: {}", short(&failure.location), failure.message);
        if let Some(diff) = &failure.diff {
            text.push('\n');
            text.push_str(diff);
        }
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            escape(failure.message.lines().next().unwrap_or_default()),
            failure.kind.name(),
            escape(&text)
        );
    }
    if !case.logs.is_empty() {
        let lines: Vec<String> = case
            .logs
            .iter()
            .map(|l| format!("{}: {}", short(&l.location), l.message))
            .collect();
        let _ = writeln!(
            out,
            "      <system-out>{}</system-out>",
            escape(&lines.join("\n"))
        );
    }
    out.push_str("    </testcase>\n");
}

/// Escapes text for XML attributes and content. Characters XML 1.0 cannot hold at all
/// (control characters other than tab, newline, carriage return) become `\u{…}` text, so a
/// database message carrying them still yields a well-formed document.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;\\u{1}"
        );
        assert_eq!(escape("plain ü"), "plain ü");
    }

    #[test]
    fn one_suite_per_file_with_failures_and_skips() {
        let mut report = super::super::report::tests::sample();
        report.cases[0].name = "a<&>\"b\"".into();
        let xml = report.to_junit();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mercator\" tests=\"3\" failures=\"1\" skipped=\"1\""), "{xml}");
        assert_eq!(xml.matches("<testsuite ").count(), 1);
        assert!(
            xml.contains("<testcase name=\"a&lt;&amp;&gt;&quot;b&quot;\""),
            "{xml}"
        );
        assert!(xml.contains("<failure message=\"exec: output is not the expected one\" type=\"output\">s.test.hcl:9: exec: output is not the expected one&#10;--- expected"), "{xml}");
        assert!(xml.contains("<skipped/>"));
        assert!(xml.contains("<system-out>s.test.hcl:6: Testing hello</system-out>"));
        assert_eq!(xml.matches("<testcase ").count(), 3);
        assert_eq!(xml.matches("</testcase>").count(), 3, "{xml}");
        assert!(xml.ends_with("  </testsuite>\n</testsuites>\n"), "{xml}");
    }
}
