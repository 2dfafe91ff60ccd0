//! Table options: persistence, partitioning, inheritance, row security, storage.

use schema_diff::PlanError;
use schema_model::Table;

use super::Builder;
use super::index;

/// Carries out `TableChange::ModifyOptions` by comparing the PostgreSQL options.
pub(super) fn options(
    b: &mut Builder<'_>,
    schema: &str,
    name: &str,
    from: &Table,
    to: &Table,
) -> Result<(), PlanError> {
    let (old, new) = (&from.postgres, &to.postgres);
    let comment = format!("Modify {:?} table", to.name);
    if old.partition_key != new.partition_key {
        return Err(PlanError::Unsupported {
            change: format!("modify table {name}"),
            reason: "PostgreSQL cannot change the partition key of an existing table; \
                     recreate the table"
                .into(),
        });
    }
    if old.unlogged != new.unlogged {
        let clause = if new.unlogged {
            "SET UNLOGGED"
        } else {
            "SET LOGGED"
        };
        b.push(
            format!("ALTER TABLE {name} {clause}"),
            comment.clone(),
            None,
        );
    }
    if old.partition_of != new.partition_of {
        if let Some((parent, _)) = &old.partition_of {
            let parent = b.name(parent.schema.as_deref().unwrap_or(schema), &parent.name);
            b.push(
                format!("ALTER TABLE {parent} DETACH PARTITION {name}"),
                comment.clone(),
                None,
            );
        }
        if let Some((parent, bound)) = &new.partition_of {
            let parent = b.name(parent.schema.as_deref().unwrap_or(schema), &parent.name);
            b.push(
                format!("ALTER TABLE {parent} ATTACH PARTITION {name} {bound}"),
                comment.clone(),
                None,
            );
        }
    }
    for parent in old.inherits.iter().filter(|p| !new.inherits.contains(p)) {
        let parent = b.name(parent.schema.as_deref().unwrap_or(schema), &parent.name);
        b.push(
            format!("ALTER TABLE {name} NO INHERIT {parent}"),
            comment.clone(),
            None,
        );
    }
    for parent in new.inherits.iter().filter(|p| !old.inherits.contains(p)) {
        let parent = b.name(parent.schema.as_deref().unwrap_or(schema), &parent.name);
        b.push(
            format!("ALTER TABLE {name} INHERIT {parent}"),
            comment.clone(),
            None,
        );
    }
    if old.rls_enabled != new.rls_enabled {
        let clause = if new.rls_enabled { "ENABLE" } else { "DISABLE" };
        b.push(
            format!("ALTER TABLE {name} {clause} ROW LEVEL SECURITY"),
            comment.clone(),
            None,
        );
    }
    if old.rls_forced != new.rls_forced {
        let clause = if new.rls_forced { "FORCE" } else { "NO FORCE" };
        b.push(
            format!("ALTER TABLE {name} {clause} ROW LEVEL SECURITY"),
            comment.clone(),
            None,
        );
    }
    if old.storage_params != new.storage_params {
        let removed: Vec<String> = old
            .storage_params
            .iter()
            .filter(|(k, _)| !new.storage_params.iter().any(|(n, _)| n == k))
            .map(|(k, _)| k.clone())
            .collect();
        if !removed.is_empty() {
            b.push(
                format!("ALTER TABLE {name} RESET ({})", removed.join(", ")),
                comment.clone(),
                None,
            );
        }
        if !new.storage_params.is_empty() {
            b.push(
                format!(
                    "ALTER TABLE {name} SET ({})",
                    index::params(&new.storage_params)
                ),
                comment.clone(),
                None,
            );
        }
    }
    Ok(())
}
