//! Schema qualifiers in definitions kept as text (routines, triggers).
//!
//! The server prints a routine's own name and a trigger's table schema-qualified. The
//! inspector drops that one qualifier so definitions compare equal across schemas, and the
//! planner puts the target's qualifier back when rendering.

/// Replaces the first `qualified` followed by `next` with `bare`.
pub(crate) fn unqualify(definition: &str, qualified: &str, bare: &str, next: &str) -> String {
    let needle = format!("{qualified}{next}");
    match definition.find(&needle) {
        Some(at) => format!(
            "{}{bare}{next}{}",
            &definition[..at],
            &definition[at + needle.len()..]
        ),
        None => definition.to_owned(),
    }
}

/// Where the routine's name ends in a `CREATE … FUNCTION|PROCEDURE name(` header: the
/// byte offset of the name and of the `(` after it.
fn routine_name_span(definition: &str) -> Option<(usize, usize)> {
    let keyword = ["FUNCTION ", "PROCEDURE "]
        .iter()
        .filter_map(|k| definition.find(k).map(|at| at + k.len()))
        .min()?;
    let rest = &definition[keyword..];
    let mut quoted = false;
    for (i, c) in rest.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => return Some((keyword, keyword + i)),
            _ => {}
        }
    }
    None
}

/// The definition with the routine's name in its header replaced by `name`.
pub(crate) fn with_routine_name(definition: &str, name: &str) -> String {
    match routine_name_span(definition) {
        Some((start, end)) => format!("{}{name}{}", &definition[..start], &definition[end..]),
        None => definition.to_owned(),
    }
}

/// The definition with the trigger's table (after ` ON `) replaced by `table`.
pub(crate) fn with_trigger_table(definition: &str, bare: &str, table: &str) -> String {
    unqualify(
        definition,
        &format!(" ON {bare}"),
        &format!(" ON {table}"),
        " ",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers() {
        let def = "CREATE OR REPLACE FUNCTION public.f(a integer)\n RETURNS integer";
        let bare = unqualify(def, "public.f", "f", "(");
        assert_eq!(
            bare,
            "CREATE OR REPLACE FUNCTION f(a integer)\n RETURNS integer"
        );
        assert_eq!(
            with_routine_name(&bare, "\"app\".\"f\""),
            "CREATE OR REPLACE FUNCTION \"app\".\"f\"(a integer)\n RETURNS integer"
        );
        let trg = "CREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f()";
        let bare = unqualify(trg, " ON public.t", " ON t", " ");
        assert_eq!(
            bare,
            "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"
        );
        assert_eq!(
            with_trigger_table(&bare, "t", "\"s\".\"t\""),
            "CREATE TRIGGER tr BEFORE INSERT ON \"s\".\"t\" FOR EACH ROW EXECUTE FUNCTION f()"
        );
    }
}
