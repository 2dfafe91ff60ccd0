//! `CREATE COLLATION` objects.

use schema_diff::{Change, PlanError};
use schema_model::{Collation, CollationProvider};

use super::Builder;
use crate::quote::literal;

/// The parenthesized options of `CREATE COLLATION name (…)`.
fn options(collation: &Collation) -> String {
    let mut out = vec![format!("PROVIDER = {}", collation.provider.sql())];
    if let Some(locale) = &collation.locale {
        out.push(format!("LOCALE = {}", literal(locale)));
    }
    if let Some(lc_collate) = &collation.lc_collate {
        out.push(format!("LC_COLLATE = {}", literal(lc_collate)));
    }
    if let Some(lc_ctype) = &collation.lc_ctype {
        out.push(format!("LC_CTYPE = {}", literal(lc_ctype)));
    }
    if let Some(rules) = &collation.rules
        && collation.provider == CollationProvider::Icu
    {
        out.push(format!("RULES = {}", literal(rules)));
    }
    if collation.nondeterministic {
        out.push("DETERMINISTIC = false".to_owned());
    }
    out.join(", ")
}

pub(super) fn collation(b: &mut Builder<'_>, change: &Change) -> Result<(), PlanError> {
    match change {
        Change::AddCollation { schema, collation } => {
            let name = b.name(schema, &collation.name);
            b.push(
                format!("CREATE COLLATION {name} ({})", options(collation)),
                format!("Create collation {:?}", collation.name),
                Some(format!("DROP COLLATION {name}")),
            );
            if collation.comment.is_some() {
                b.comment_on(
                    format!("COLLATION {name}"),
                    collation.comment.as_deref(),
                    format!("Set comment to collation: {:?}", collation.name),
                );
            }
        }
        Change::DropCollation { schema, collation } => b.push(
            format!("DROP COLLATION {}", b.name(schema, &collation.name)),
            format!("Drop collation {:?}", collation.name),
            None,
        ),
        Change::ModifyCollation { schema, from, to } => {
            let name = b.name(schema, &to.name);
            let settings = |c: &Collation| Collation {
                comment: None,
                ..c.clone()
            };
            if settings(from) != settings(to) {
                // Dropping and recreating would need every column, index and domain that
                // uses the collation to be rebuilt around it, with their data.
                return Err(PlanError::Unsupported {
                    change: format!("modify collation {name}"),
                    reason: "PostgreSQL cannot change a collation's provider or locale in \
                             place; create a collation under a new name and switch the \
                             columns to it"
                        .into(),
                });
            }
            b.comment_on(
                format!("COLLATION {name}"),
                to.comment.as_deref(),
                format!("Set comment to collation: {:?}", to.name),
            );
        }
        _ => {}
    }
    Ok(())
}
