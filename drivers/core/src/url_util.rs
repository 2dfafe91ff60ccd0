//! URL helpers shared by drivers.

/// Query (or connection-string) parameters whose values are secrets.
const SECRET_PARAMS: &[&str] = &["password", "pass", "sslpassword"];

/// What a secret is replaced with.
const MASK: &str = "xxxxx";

/// Masks every secret in a URL so it can appear in messages and logs: the password of the
/// user info (`postgres://app:secret@host`) and the value of any `password=`, `pass=` or
/// `sslpassword=` parameter (`?password=secret`, also in libpq's `key=value` form). Text
/// that does not parse as a URL is masked the same way, as a precaution.
///
/// ```
/// use mercator_driver::redact_url;
/// assert_eq!(
///     redact_url("postgres://app:s3cret@db:5432/app?sslmode=require&password=s3cret"),
///     "postgres://app:xxxxx@db:5432/app?sslmode=require&password=xxxxx"
/// );
/// ```
pub fn redact_url(raw: &str) -> String {
    let without_userinfo = match url::Url::parse(raw) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                // Setting a password only fails for URLs that cannot have one, which we
                // just saw has one.
                let _ = parsed.set_password(Some(MASK));
            }
            parsed.to_string()
        }
        Err(_) => mask_userinfo(raw),
    };
    mask_params(&without_userinfo)
}

/// Masks what lies between the first `:` of the user info and its last `@`.
fn mask_userinfo(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://") else {
        return raw.to_owned();
    };
    let rest = &raw[scheme_end + 3..];
    let Some(first_at) = rest.find('@') else {
        return raw.to_owned();
    };
    // A password may hold an unencoded `@`: the user info ends at the last `@` before the
    // path or query that follows the first one.
    let authority_end = rest[first_at..]
        .find(['/', '?'])
        .map_or(rest.len(), |i| first_at + i);
    let at = rest[..authority_end].rfind('@').unwrap_or(first_at);
    let userinfo = &rest[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:{MASK}{}",
            &raw[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => raw.to_owned(),
    }
}

/// Masks the values of secret parameters, wherever a parameter can start: after `?`, `&`,
/// `;` or white space (libpq's `key=value` strings), or at the start of the text.
fn mask_params(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut at_boundary = true;
    while let Some(c) = rest.chars().next() {
        if at_boundary && let Some(value_start) = secret_value_start(rest) {
            out.push_str(&rest[..value_start]);
            let value = &rest[value_start..];
            let value_len = secret_value_len(value);
            if value_len > 0 {
                out.push_str(MASK);
            }
            rest = &value[value_len..];
            at_boundary = false;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
        at_boundary = matches!(c, '?' | '&' | ';') || c.is_whitespace();
    }
    out
}

/// The offset of the value when `text` starts with a secret parameter's name and `=`
/// (names compared without case and after percent-decoding, white space allowed around `=`).
fn secret_value_start(text: &str) -> Option<usize> {
    let eq = text.find('=')?;
    let name = &text[..eq];
    if name.contains(['&', '?', ';']) || name.trim().contains(char::is_whitespace) {
        return None;
    }
    let decoded: String = url::form_urlencoded::parse(name.trim().as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default();
    if !SECRET_PARAMS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(&decoded))
    {
        return None;
    }
    let after = &text[eq + 1..];
    Some(eq + 1 + (after.len() - after.trim_start_matches([' ', '\t']).len()))
}

/// The length of a parameter value: a single-quoted libpq value up to its closing quote,
/// otherwise up to the next `&`, `;` or white space.
fn secret_value_len(value: &str) -> usize {
    if let Some(quoted) = value.strip_prefix('\'') {
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '\'' if !escaped => return i + 2,
                _ => escaped = false,
            }
        }
        return value.len();
    }
    value
        .find(|c: char| matches!(c, '&' | ';' | '#') || c.is_whitespace())
        .unwrap_or(value.len())
}

/// The query parameters a driver accepts, sorted and comma-separated, for "unknown
/// parameter" errors: its own and those of the client library it passes through.
///
/// ```
/// assert_eq!(mercator_driver::accepted_params(&["b", "a"], &["c"]), "a, b, c");
/// ```
pub fn accepted_params(own: &[&str], client: &[&str]) -> String {
    let mut all: Vec<&str> = own.iter().chain(client).copied().collect();
    all.sort_unstable();
    all.join(", ")
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn masks_userinfo_passwords() {
        assert_eq!(
            redact_url("mysql://root:pw@localhost:3306/db"),
            "mysql://root:xxxxx@localhost:3306/db"
        );
        assert_eq!(redact_url("sqlite://file.db"), "sqlite://file.db");
        assert_eq!(redact_url("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(redact_url("bogus://a:b c@d"), "bogus://a:xxxxx@d");
    }

    #[test]
    fn masks_userinfo_of_unparsable_urls() {
        // Host lists are libpq's, not the URL standard's.
        assert_eq!(
            redact_url("postgres://u:hunter2@h1:5432,h2:5433/db?sslmode=require"),
            "postgres://u:xxxxx@h1:5432,h2:5433/db?sslmode=require"
        );
        // An unencoded `@` in the password.
        assert_eq!(
            redact_url("postgres://u:hun@ter2@h1:5432,h2/db"),
            "postgres://u:xxxxx@h1:5432,h2/db"
        );
        // An `@` in the query does not stretch the user info.
        assert_eq!(
            redact_url("postgres://u:pw@h1,h2/db?application_name=a@b"),
            "postgres://u:xxxxx@h1,h2/db?application_name=a@b"
        );
    }

    #[test]
    fn masks_password_parameters() {
        assert_eq!(
            redact_url("postgres://h/db?user=u&password=hunter2&sslmode=require"),
            "postgres://h/db?user=u&password=xxxxx&sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://u:one@h/db?password=two"),
            "postgres://u:xxxxx@h/db?password=xxxxx"
        );
        assert_eq!(
            redact_url("mysql://h/db?pass=hunter2"),
            "mysql://h/db?pass=xxxxx"
        );
        assert_eq!(
            redact_url("postgres://h/db?sslpassword=k3y&PASSWORD=x"),
            "postgres://h/db?sslpassword=xxxxx&PASSWORD=xxxxx"
        );
        assert_eq!(
            redact_url("postgres://h/db?pass%77ord=hunter2"),
            "postgres://h/db?pass%77ord=xxxxx"
        );
        // Names that merely end in "password" are not secrets' names.
        assert_eq!(
            redact_url("postgres://h/db?application_name=nopassword"),
            "postgres://h/db?application_name=nopassword"
        );
        assert_eq!(
            redact_url("postgres://h/db?mypassword=visible"),
            "postgres://h/db?mypassword=visible"
        );
    }

    #[test]
    fn masks_parameters_outside_urls() {
        assert_eq!(
            redact_url("host=h1,h2 port=5432 password=hunter2 dbname=x"),
            "host=h1,h2 port=5432 password=xxxxx dbname=x"
        );
        assert_eq!(
            redact_url("host=h password = 'hun ter\\'2' user=u"),
            "host=h password = xxxxx user=u"
        );
        assert_eq!(
            redact_url("postgres://h1:1,h2:2/db?password=hunter2"),
            "postgres://h1:1,h2:2/db?password=xxxxx"
        );
        assert_eq!(redact_url("password="), "password=");
    }
}
