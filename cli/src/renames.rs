//! Renames, not data loss: drop-and-add pairs of the same shape are asked about on a
//! terminal (as Atlas does) or answered with `--rename OLD=NEW`; confirmed ones are planned
//! as renames, the rest stay a drop and an add, which the lint analysis then reports.

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use mercator_migrate::{PlannedMigration, RenameHint};

use crate::Failure;
use crate::output::print;

/// `--rename OLD=NEW`, repeatable.
#[derive(Debug, Args)]
pub struct RenameArgs {
    /// Plan a dropped and an added object of the same shape as a rename, without asking:
    /// `users.mail=email` for a column, `old_logs=logs` for a table.
    #[arg(long = "rename", value_name = "OLD=NEW", value_parser = parse_rename)]
    renames: Vec<Rename>,
}

/// One `--rename`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The table of a column rename.
    table: Option<String>,
    from: String,
    to: String,
}

fn parse_rename(text: &str) -> Result<Rename, String> {
    let usage = || format!("{text:?}: expected TABLE.OLD=NEW (a column) or OLD=NEW (a table)");
    let (old, to) = text.split_once('=').ok_or_else(usage)?;
    let (table, from) = match old.rsplit_once('.') {
        Some((table, from)) => (Some(table.to_owned()), from.to_owned()),
        None => (None, old.to_owned()),
    };
    if from.is_empty() || to.is_empty() || table.as_deref() == Some("") {
        return Err(usage());
    }
    Ok(Rename {
        table,
        from,
        to: to.to_owned(),
    })
}

impl RenameArgs {
    /// The renames to plan for `planned`'s candidates: those named by `--rename`, and
    /// those confirmed on the terminal when `ask` (the others are warned about).
    pub fn choose(
        &self,
        planned: &PlannedMigration,
        ask: bool,
    ) -> Result<Vec<RenameHint>, Failure> {
        let interactive = ask && std::io::stdin().is_terminal();
        let mut chosen = Vec::new();
        for hint in planned.rename_candidates() {
            if self.renames.iter().any(|r| r.names(&hint)) {
                chosen.push(hint);
                continue;
            }
            let question = question(&hint);
            if interactive {
                print(&format!("{question}? [y/N] "));
                let _ = std::io::stdout().flush();
                let mut answer = String::new();
                std::io::stdin().lock().read_line(&mut answer)?;
                if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
                    chosen.push(hint);
                }
            } else {
                eprintln!(
                    "Warning: {question}? It is planned as a drop and an add, which loses its data; answer on a terminal or pass --rename {}",
                    flag_value(&hint)
                );
            }
        }
        Ok(chosen)
    }
}

impl Rename {
    fn names(&self, hint: &RenameHint) -> bool {
        match hint {
            RenameHint::Table { from, to, .. } => {
                self.table.is_none() && self.from == *from && self.to == *to
            }
            RenameHint::Column {
                table, from, to, ..
            } => self.table.as_deref() == Some(table) && self.from == *from && self.to == *to,
        }
    }
}

fn question(hint: &RenameHint) -> String {
    match hint {
        RenameHint::Table { schema, from, to } => {
            format!("Did you rename table \"{schema}\".\"{from}\" to \"{to}\"")
        }
        RenameHint::Column {
            schema,
            table,
            from,
            to,
        } => format!("Did you rename column \"{schema}\".\"{table}\".\"{from}\" to \"{to}\""),
    }
}

fn flag_value(hint: &RenameHint) -> String {
    match hint {
        RenameHint::Table { from, to, .. } => format!("{from}={to}"),
        RenameHint::Column {
            table, from, to, ..
        } => format!("{table}.{from}={to}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_renames() {
        assert_eq!(
            parse_rename("users.mail=email"),
            Ok(Rename {
                table: Some("users".into()),
                from: "mail".into(),
                to: "email".into()
            })
        );
        assert_eq!(parse_rename("old=new").map(|r| r.table), Ok(None));
        assert!(parse_rename("users.mail").is_err());
        assert!(parse_rename("=x").is_err());
        assert!(parse_rename(".a=b").is_err());
    }
}
