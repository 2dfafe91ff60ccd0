//! Rules recreated around a change of what they read.

use std::collections::HashSet;

use schema_model::Realm;

use crate::Change;

/// A recreated rule is dropped explicitly (its table or view may stay) and created again
/// from the desired state, where it still exists; a modification of a recreated rule
/// becomes the same drop and create.
pub(crate) fn recreate_rules(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    recreated: &HashSet<(String, String, String)>,
) -> Vec<Change> {
    if recreated.is_empty() {
        return changes;
    }
    let mut done: HashSet<(String, String, String)> = HashSet::new();
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::ModifyRule { schema, from, to }
                if recreated.contains(&(schema.clone(), from.on.clone(), from.name.clone())) =>
            {
                done.insert((schema.clone(), from.on.clone(), from.name.clone()));
                out.push(Change::DropRule {
                    schema: schema.clone(),
                    rule: from,
                });
                out.push(Change::AddRule { schema, rule: to });
            }
            Change::DropRule { schema, rule } => {
                done.insert((schema.clone(), rule.on.clone(), rule.name.clone()));
                out.push(Change::DropRule { schema, rule });
            }
            other => out.push(other),
        }
    }
    // In the current realm's order, so the result does not depend on hashing.
    for schema in &from.schemas {
        for rule in &schema.rules {
            let id = (schema.name.clone(), rule.on.clone(), rule.name.clone());
            if !recreated.contains(&id) || done.contains(&id) {
                continue;
            }
            out.push(Change::DropRule {
                schema: schema.name.clone(),
                rule: rule.clone(),
            });
            if let Some(wanted) = to.schema(&schema.name).and_then(|s| {
                s.rules
                    .iter()
                    .find(|r| r.on == rule.on && r.name == rule.name)
            }) {
                out.push(Change::AddRule {
                    schema: schema.name.clone(),
                    rule: wanted.clone(),
                });
            }
        }
    }
    out
}
