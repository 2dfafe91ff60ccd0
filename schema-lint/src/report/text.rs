//! Atlas's `migrate lint` text layout.

use std::fmt::Write;
use std::time::Duration;

use super::Report;
use crate::Severity;

impl Report {
    /// The report in Atlas's `migrate lint` layout:
    ///
    /// ```text
    /// Analyzing changes from version 1 to 2 (1 migration in total):
    ///
    ///   -- analyzing version 2
    ///     -- destructive changes detected:
    ///       -- L1: Dropping table "t" https://atlasgo.io/lint/analyzers#DS102
    ///     -- suggested fix:
    ///       -> Add a pre-migration check to ensure table "t" is empty before dropping it
    ///   -- ok (1.2ms)
    ///
    ///   -------------------------
    ///   -- 1.2ms
    ///   -- 1 version with errors
    ///   -- 1 schema change
    ///   -- 1 diagnostic
    /// ```
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let count = self.files.len();
        let migrations = plural(count, "migration", "migrations");
        let last = self.files.last().map(|f| f.version.as_str()).unwrap_or("");
        let _ = match (&self.base_version, last) {
            (_, "") => writeln!(out, "Analyzing changes ({migrations} in total):"),
            (Some(base), last) => writeln!(
                out,
                "Analyzing changes from version {base} to {last} ({migrations} in total):"
            ),
            (None, last) => writeln!(
                out,
                "Analyzing changes until version {last} ({migrations} in total):"
            ),
        };
        let (mut ok, mut warned, mut failed) = (0, 0, 0);
        let mut total = Duration::ZERO;
        // Bucket findings by file once: reports can hold thousands of files.
        let mut by_file: Vec<Vec<&crate::Diagnostic>> = vec![Vec::new(); self.files.len()];
        for d in &self.diagnostics {
            if let Some(bucket) = by_file.get_mut(d.position.file) {
                bucket.push(d);
            }
        }
        for (file, diagnostics) in self.files.iter().zip(by_file) {
            out.push('\n');
            if file.version.is_empty() {
                out.push_str("  -- analyzing planned changes\n");
            } else {
                let _ = writeln!(out, "  -- analyzing version {}", file.version);
            }
            if diagnostics.is_empty() {
                out.push_str("    -- no diagnostics found\n");
            }
            // Group by analyzer, in order of first appearance.
            let mut analyzers: Vec<&str> = Vec::new();
            for d in &diagnostics {
                if !analyzers.contains(&d.analyzer.as_str()) {
                    analyzers.push(&d.analyzer);
                }
            }
            for analyzer in analyzers {
                let title = self
                    .titles
                    .get(analyzer)
                    .cloned()
                    .unwrap_or_else(|| format!("{analyzer} issues detected"));
                let _ = writeln!(out, "    -- {title}:");
                let group: Vec<_> = diagnostics
                    .iter()
                    .filter(|d| d.analyzer == analyzer)
                    .collect();
                for d in &group {
                    let at = d.line.map(|l| format!("L{l}: ")).unwrap_or_default();
                    let link = d.docs_url().map(|u| format!(" {u}")).unwrap_or_default();
                    let _ = writeln!(out, "      -- {at}{}{link}", d.message);
                }
                let fixes: Vec<_> = group.iter().filter_map(|d| d.fix.as_deref()).collect();
                if !fixes.is_empty() {
                    out.push_str("    -- suggested fix:\n");
                    for fix in fixes {
                        let _ = writeln!(out, "      -> {fix}");
                    }
                }
            }
            let duration = file.duration.unwrap_or_default();
            total += duration;
            let _ = writeln!(out, "  -- ok ({})", format_duration(duration));
            if diagnostics.iter().any(|d| d.severity == Severity::Error) {
                failed += 1;
            } else if diagnostics.is_empty() {
                ok += 1;
            } else {
                warned += 1;
            }
        }
        out.push_str("\n  -------------------------\n");
        let _ = writeln!(out, "  -- {}", format_duration(total));
        for (n, what) in [
            (ok, "ok"),
            (warned, "with warnings"),
            (failed, "with errors"),
        ] {
            if n > 0 {
                let _ = writeln!(out, "  -- {} {what}", plural(n, "version", "versions"));
            }
        }
        let changes: usize = self.files.iter().map(|f| f.changes).sum();
        let _ = writeln!(
            out,
            "  -- {}",
            plural(changes, "schema change", "schema changes")
        );
        if !self.diagnostics.is_empty() {
            let _ = writeln!(
                out,
                "  -- {}",
                plural(self.diagnostics.len(), "diagnostic", "diagnostics")
            );
        }
        out
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A duration the way Atlas (Go's `time.Duration`) prints it: `0s`, `850ns`, `12.5µs`,
/// `1.234ms`, `2.5s`, `1m2.5s`.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    let trim = |value: f64, unit: &str| {
        let text = format!("{value:.9}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        format!("{text}{unit}")
    };
    match nanos {
        0 => "0s".into(),
        1..=999 => format!("{nanos}ns"),
        1_000..=999_999 => trim(nanos as f64 / 1e3, "µs"),
        1_000_000..=999_999_999 => trim(nanos as f64 / 1e6, "ms"),
        _ => {
            let secs = d.as_secs();
            let (h, m) = (secs / 3600, (secs % 3600) / 60);
            let s = (secs % 60) as f64 + f64::from(d.subsec_nanos()) / 1e9;
            let mut out = String::new();
            if h > 0 {
                let _ = write!(out, "{h}h");
            }
            if h > 0 || m > 0 {
                let _ = write!(out, "{m}m");
            }
            out + &trim(s, "s")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_go() {
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_nanos(850)), "850ns");
        assert_eq!(format_duration(Duration::from_nanos(12_500)), "12.5µs");
        assert_eq!(format_duration(Duration::from_micros(1_234)), "1.234ms");
        assert_eq!(format_duration(Duration::from_millis(2_500)), "2.5s");
        assert_eq!(format_duration(Duration::from_millis(62_500)), "1m2.5s");
        assert_eq!(format_duration(Duration::from_secs(3_600)), "1h0m0s");
    }
}
