//! Plan files (`*.plan.hcl`): a reviewed declarative migration, pinned to the fingerprints
//! of the state it starts from and the state it produces.
//!
//! ```hcl
//! plan "add_users" {
//!   from      = "<fingerprint of the current state>"
//!   to        = "<fingerprint of the desired state>"
//!   migration = <<-SQL
//! CREATE TABLE users (id int);
//! SQL
//! }
//! ```
//!
//! How the fingerprints are computed is Mercator's design (`schema_model::fingerprint`);
//! this module only stores them.

use std::path::{Path, PathBuf};

use hcl::edit::Span;
use hcl::expr::{Expression, Heredoc, HeredocStripMode, TemplateExpr};
use hcl::{Block, Body, Identifier};

use crate::hclx::{self, Item, Scope, Typed, Warnings};
use crate::location::SourceMap;
use crate::{Location, ProjectError, Result, Warning};

/// One `plan` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    /// The block's label.
    pub name: String,
    /// Fingerprint of the state the plan applies to.
    pub from: String,
    /// Fingerprint of the state the plan produces.
    pub to: String,
    /// The SQL to run, statements separated as in a migration file.
    pub migration: String,
}

/// A plan file read from disk, with where its block is and what was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedPlan {
    /// The plan.
    pub plan: PlanFile,
    /// The `plan` block.
    pub location: Location,
    /// Ignored attributes and blocks.
    pub warnings: Vec<Warning>,
}

impl PlanFile {
    /// Reads a plan file.
    pub fn load(path: impl AsRef<Path>) -> Result<LoadedPlan> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ProjectError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        PlanFile::parse(path, text)
    }

    /// Parses plan file text; `file` is used in locations. The file must hold exactly one
    /// `plan` block with `from`, `to` and `migration`.
    pub fn parse(file: impl Into<PathBuf>, text: impl Into<String>) -> Result<LoadedPlan> {
        let map = SourceMap::new(file, text);
        let body = hclx::parse(&map)?;
        let mut warnings = Warnings::default();
        let mut found = None;
        for item in hclx::items(&body) {
            match item {
                Item::Block(b) if b.ident.as_str() == "plan" => {
                    if found.is_some() {
                        return Err(ProjectError::Invalid {
                            location: map.span(b.span()),
                            message: "a plan file holds one plan block".to_owned(),
                        });
                    }
                    found = Some(b);
                }
                Item::Block(b) => warnings.unknown_block(&map, b, "the plan file"),
                Item::Attr(a) => warnings.unknown_attr(&map, a, "the plan file"),
            }
        }
        let block = found.ok_or_else(|| ProjectError::Invalid {
            location: map.at(0),
            message: "no plan block".to_owned(),
        })?;
        let location = map.span(block.span());
        let name = hclx::label(block, 0)
            .ok_or_else(|| ProjectError::Invalid {
                location: location.clone(),
                message: "the plan block needs a name label".to_owned(),
            })?
            .to_owned();
        hclx::check_unique_attributes(&map, &block.body)?;
        // Plans are data: no variables or functions.
        let scope = Scope::new(std::sync::Arc::new(|_: &str| None));
        let (mut from, mut to, mut migration) = (None, None, None);
        for item in hclx::items(&block.body) {
            match item {
                Item::Attr(a) => {
                    let slot = match a.key.as_str() {
                        "from" => &mut from,
                        "to" => &mut to,
                        "migration" => &mut migration,
                        _ => {
                            warnings.unknown_attr(&map, a, "plan");
                            continue;
                        }
                    };
                    *slot = Some(match hclx::literal_string(&a.value) {
                        Some(text) => text,
                        None => {
                            // Not a literal: evaluate it, which reports what it references.
                            let value = scope.eval(&map, &a.value)?;
                            Typed { map: &map, attr: a }.string(&value)?
                        }
                    });
                }
                Item::Block(b) => warnings.unknown_block(&map, b, "plan"),
            }
        }
        let missing = |what: &str| ProjectError::Invalid {
            location: location.clone(),
            message: format!("plan \"{name}\" needs a \"{what}\" attribute"),
        };
        let plan = PlanFile {
            from: from.ok_or_else(|| missing("from"))?,
            to: to.ok_or_else(|| missing("to"))?,
            migration: migration.ok_or_else(|| missing("migration"))?,
            name,
        };
        Ok(LoadedPlan {
            plan,
            location,
            warnings: warnings.0,
        })
    }

    /// Renders the plan as HCL that [`PlanFile::parse`] reads back unchanged. The SQL is a
    /// `<<-SQL` heredoc with its lines as written (template markers `${`/`%{` escaped), so
    /// the file reads like the migration; SQL a heredoc cannot hold exactly (no final
    /// newline, carriage returns) is written as a quoted string instead.
    pub fn to_hcl(&self) -> String {
        let migration = heredoc(&self.migration).unwrap_or_else(|| quoted(&self.migration));
        let body = Body::builder()
            .add_block(
                Block::builder("plan")
                    .add_label(self.name.as_str())
                    .add_attribute(("from", self.from.as_str()))
                    .add_attribute(("to", self.to.as_str()))
                    .add_attribute(("migration", migration))
                    .build(),
            )
            .build();
        // Formatting a body built from plain strings cannot fail.
        hcl::format::to_string(&body).unwrap_or_default()
    }

    /// Writes the plan to `path`.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_hcl()).map_err(|source| ProjectError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// A quoted string with HCL's escapes. Written by hand because hcl-rs leaves an already
/// escaped marker (`%%{`) as is, which then reads back as `%{`.
fn quoted(text: &str) -> Expression {
    let mut raw = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '\\' => raw.push_str("\\\\"),
            '"' => raw.push_str("\\\""),
            '\n' => raw.push_str("\\n"),
            '\r' => raw.push_str("\\r"),
            '\t' => raw.push_str("\\t"),
            c if c.is_control() => raw.push_str(&format!("\\u{:04X}", c as u32)),
            c => raw.push(c),
        }
    }
    let raw = raw.replace("${", "$${").replace("%{", "%%{");
    Expression::TemplateExpr(Box::new(TemplateExpr::QuotedString(raw)))
}

fn heredoc(sql: &str) -> Option<Expression> {
    let representable = sql.ends_with('\n')
        && !sql.contains('\r')
        && !sql
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t');
    if !representable {
        return None;
    }
    // The closing delimiter must not appear alone on a line of the SQL.
    let lines: Vec<&str> = sql.lines().map(str::trim).collect();
    let delimiter = std::iter::once("SQL".to_owned())
        .chain((1..).map(|n| format!("SQL_{n}")))
        .find(|d| !lines.contains(&d.as_str()))?;
    // `<<-` strips the indentation common to all lines; when every line of the SQL is
    // indented that would change it, so the plain form keeps it.
    let has_unindented_line = sql
        .lines()
        .any(|l| !l.trim().is_empty() && !l.starts_with([' ', '\t']));
    let strip = if has_unindented_line {
        HeredocStripMode::Indent
    } else {
        HeredocStripMode::None
    };
    let template = sql.replace("${", "$${").replace("%{", "%%{");
    let heredoc = Heredoc::new(Identifier::sanitized(delimiter), template).with_strip_mode(strip);
    Some(Expression::TemplateExpr(Box::new(TemplateExpr::Heredoc(
        heredoc,
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(sql: &str) -> PlanFile {
        PlanFile {
            name: "add \"users\"".into(),
            from: "h1:abc+/=".into(),
            to: "h1:def".into(),
            migration: sql.into(),
        }
    }

    #[test]
    fn round_trips_and_reads_like_sql() {
        let sql = "-- Create \"users\" table\nCREATE TABLE users (\n  id int,\n  note text DEFAULT '${x} %{y} \\n'\n);\nSQL\n";
        let p = plan(sql);
        let text = p.to_hcl();
        assert!(
            text.contains("migration = <<-SQL_1\nCREATE TABLE")
                || text.contains("<<-SQL_1\n-- Create"),
            "{text}"
        );
        assert!(
            text.contains("\n  id int,\n"),
            "SQL lines stay readable: {text}"
        );
        let back = PlanFile::parse("p.plan.hcl", text).unwrap();
        assert_eq!(back.plan, p);
        assert!(back.warnings.is_empty());
    }

    #[test]
    fn awkward_sql_still_round_trips() {
        for sql in [
            "SELECT 1;",
            "  SELECT 1;\n  SELECT 2;\n",
            "SELECT 1;\r\nSELECT 2;\r\n",
            "SELECT '$${a}' || '%%{b}';\n",
            "SELECT '%%%{a}', '$$${b}';\n",
            "SELECT '%%{a}', '$${b}', '${c}', \"\\\u{1}\t\"",
            "SELECT \"q\" \\ x;\n",
            "",
        ] {
            let p = plan(sql);
            let back = PlanFile::parse("p.plan.hcl", p.to_hcl()).unwrap();
            assert_eq!(back.plan, p, "{sql:?}\n{}", p.to_hcl());
        }
    }

    #[test]
    fn missing_attributes_and_extras_are_reported() {
        let err = PlanFile::parse("p.plan.hcl", "plan \"x\" {\n  from = \"a\"\n}\n").unwrap_err();
        assert!(err.to_string().starts_with("p.plan.hcl:1:1"), "{err}");
        assert!(err.to_string().contains("\"to\""));
        let loaded = PlanFile::parse(
            "p.plan.hcl",
            "plan \"x\" {\n  from = \"a\"\n  to = \"b\"\n  migration = \"\"\n  extra = 1\n}\n",
        )
        .unwrap();
        assert_eq!(loaded.warnings.len(), 1);
        assert_eq!(loaded.warnings[0].location.line, 5);
        let err = PlanFile::parse("p.plan.hcl", "plan \"x\" {\n  from = var.x\n}\n").unwrap_err();
        assert!(err.to_string().starts_with("p.plan.hcl:2:10"), "{err}");
    }
}
