//! Domain checks and defaults recreated around a change of the routines they call.

use std::collections::HashSet;

use schema_model::{Domain, Realm};

use crate::Change;

/// The domain without its checks and default: what stays while a routine they call is
/// dropped or replaced.
fn bare(domain: &Domain) -> Domain {
    Domain {
        checks: Vec::new(),
        default: None,
        ..domain.clone()
    }
}

/// For each recreated domain: a modification that drops its checks and default before
/// everything else, and one that adds the desired ones back after (which revalidates the
/// stored values against the routine's new body). The domain's own modification keeps only
/// what else changes. Returns the changes, the early and the late modifications.
pub(crate) fn recreate_domain_checks(
    changes: Vec<Change>,
    from: &Realm,
    to: &Realm,
    recreated: &HashSet<(String, String)>,
) -> (Vec<Change>, Vec<Change>, Vec<Change>) {
    let mut early = Vec::new();
    let mut late = Vec::new();
    if recreated.is_empty() {
        return (changes, early, late);
    }
    // A domain created again as a whole (new base type) is left to that recreation.
    let retyped: HashSet<(String, String)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::ModifyDomain { schema, from, to }
                if from.ty != to.ty || from.collation != to.collation =>
            {
                Some((schema.clone(), from.name.clone()))
            }
            _ => None,
        })
        .collect();
    let mut handled: HashSet<(String, String)> = HashSet::new();
    for schema in &from.schemas {
        for domain in &schema.domains {
            let id = (schema.name.clone(), domain.name.clone());
            if !recreated.contains(&id) || retyped.contains(&id) {
                continue;
            }
            let Some(target) = to
                .schema(&schema.name)
                .and_then(|s| s.domains.iter().find(|d| d.name == domain.name))
            else {
                continue;
            };
            handled.insert(id);
            if bare(domain) != *domain {
                early.push(Change::ModifyDomain {
                    schema: schema.name.clone(),
                    from: domain.clone(),
                    to: bare(domain),
                });
            }
            if bare(target) != *target {
                late.push(Change::ModifyDomain {
                    schema: schema.name.clone(),
                    from: bare(target),
                    to: target.clone(),
                });
            }
        }
    }
    let changes = changes
        .into_iter()
        .filter_map(|change| match change {
            Change::ModifyDomain { schema, from, to }
                if handled.contains(&(schema.clone(), from.name.clone())) =>
            {
                let (from, to) = (bare(&from), bare(&to));
                (from != to).then_some(Change::ModifyDomain { schema, from, to })
            }
            other => Some(other),
        })
        .collect();
    (changes, early, late)
}
