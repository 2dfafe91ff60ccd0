//! Clean-up of definitions the server keeps as text.

/// Removes `` `schema`. `` and bare `schema.` qualifiers (outside string literals) so a
/// definition inspected in a scratch database reads the same as in the target one: MariaDB
/// and MySQL print view bodies fully qualified, and users may qualify names in trigger and
/// routine bodies.
pub fn strip_schema(text: &str, schema: &str) -> String {
    let needle = format!("`{}`.", schema.replace('`', "``"));
    let bare = format!("{schema}.");
    let bare_ok = schema
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut quote: Option<char> = None;
    let mut previous: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        if quote.is_none() && rest.starts_with(&needle) {
            rest = &rest[needle.len()..];
            continue;
        }
        let at_word_start = previous
            .is_none_or(|p| !(p.is_ascii_alphanumeric() || p == '_' || p == '$' || p == '.'));
        if quote.is_none() && bare_ok && at_word_start && rest.starts_with(&bare) {
            rest = &rest[bare.len()..];
            continue;
        }
        previous = Some(c);
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (Some(_), '\\') => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
                if let Some(next) = rest.chars().next() {
                    out.push(next);
                    rest = &rest[next.len_utf8()..];
                }
                continue;
            }
            (None, '`') => {
                // Copy a whole quoted identifier so a name merely ending like the schema
                // is left alone.
                let end = rest[1..].find('`').map(|p| p + 2).unwrap_or(rest.len());
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::strip_schema;

    #[test]
    fn strips_own_schema_only() {
        assert_eq!(
            strip_schema(
                "select `db`.`t`.`a` AS `a`,'`db`.x' AS `b` from `db`.`t` join `other`.`u`",
                "db"
            ),
            "select `t`.`a` AS `a`,'`db`.x' AS `b` from `t` join `other`.`u`"
        );
        assert_eq!(
            strip_schema("select `xdb`.`t`.`a`", "db"),
            "select `xdb`.`t`.`a`"
        );
        assert_eq!(
            strip_schema("delete from db.t where x.db = 'db.' and xdb.t = 1", "db"),
            "delete from t where x.db = 'db.' and xdb.t = 1"
        );
    }
}
