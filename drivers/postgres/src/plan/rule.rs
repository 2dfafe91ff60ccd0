//! `CREATE RULE` and `DROP RULE`.

use schema_diff::Change;
use schema_model::Rule;

use super::Builder;
use crate::definition::unqualify;
use crate::quote::{ident, is_identifier};

/// The rule's definition on the target table: the inspector left the table unqualified,
/// spelled as the server spells it (quoted only when needed). `replace` turns
/// `CREATE RULE` into `CREATE OR REPLACE RULE`.
fn definition(rule: &Rule, target: &str, replace: bool) -> String {
    let quoted = ident(&rule.on);
    let mut text = rule.definition.trim_end().trim_end_matches(';').to_owned();
    for bare in [quoted.clone(), rule.on.clone()]
        .iter()
        .filter(|c| **c == quoted || is_identifier(c))
    {
        let rendered = unqualify(&text, &format!(" TO {bare}"), &format!(" TO {target}"), "");
        if rendered != text {
            text = rendered;
            break;
        }
    }
    if replace && let Some(rest) = text.strip_prefix("CREATE RULE") {
        text = format!("CREATE OR REPLACE RULE{rest}");
    }
    text
}

fn create(b: &mut Builder<'_>, schema: &str, rule: &Rule, replace: bool) {
    let on = b.name(schema, &rule.on);
    b.push(
        definition(rule, &on, replace),
        format!("Create rule {:?} on {:?}", rule.name, rule.on),
        Some(format!("DROP RULE {} ON {on}", ident(&rule.name))),
    );
}

fn comment(b: &mut Builder<'_>, schema: &str, rule: &Rule) {
    let on = b.name(schema, &rule.on);
    b.comment_on(
        format!("RULE {} ON {on}", ident(&rule.name)),
        rule.comment.as_deref(),
        format!("Set comment to rule: {:?}", rule.name),
    );
}

pub(super) fn rule(b: &mut Builder<'_>, change: &Change) {
    match change {
        Change::AddRule { schema, rule } => {
            create(b, schema, rule, false);
            if rule.comment.is_some() {
                comment(b, schema, rule);
            }
        }
        Change::DropRule { schema, rule } => b.push(
            format!(
                "DROP RULE {} ON {}",
                ident(&rule.name),
                b.name(schema, &rule.on)
            ),
            format!("Drop rule {:?} on {:?}", rule.name, rule.on),
            None,
        ),
        Change::ModifyRule { schema, from, to } => {
            if from.definition != to.definition {
                create(b, schema, to, true);
            }
            if from.comment != to.comment {
                comment(b, schema, to);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_rendered_on_the_target_table() {
        let rule = Rule {
            name: "r_del".into(),
            on: "r".into(),
            definition: "CREATE RULE r_del AS\n    ON DELETE TO r\n   WHERE (old.a > 10) DO INSTEAD NOTHING;"
                .into(),
            comment: None,
        };
        assert_eq!(
            definition(&rule, "\"app\".\"r\"", true),
            "CREATE OR REPLACE RULE r_del AS\n    ON DELETE TO \"app\".\"r\"\n   WHERE (old.a > 10) DO INSTEAD NOTHING"
        );
    }
}
