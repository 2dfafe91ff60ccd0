//! URL helpers shared by drivers.

/// Replaces the password of a URL with `xxxxx`, so it can appear in messages and logs.
/// Text that does not parse as a URL is returned with anything between `:` and `@` after
/// the scheme masked, as a precaution.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                // Setting a password only fails for URLs that cannot have one, which we
                // just saw has one.
                let _ = parsed.set_password(Some("xxxxx"));
            }
            parsed.to_string()
        }
        Err(_) => mask_userinfo(raw),
    }
}

fn mask_userinfo(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://") else {
        return raw.to_owned();
    };
    let rest = &raw[scheme_end + 3..];
    let Some(at) = rest.rfind('@') else {
        return raw.to_owned();
    };
    let userinfo = &rest[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:xxxxx{}",
            &raw[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn masks_passwords_only() {
        assert_eq!(
            redact_url("mysql://root:pw@localhost:3306/db"),
            "mysql://root:xxxxx@localhost:3306/db"
        );
        assert_eq!(redact_url("sqlite://file.db"), "sqlite://file.db");
        assert_eq!(redact_url("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(redact_url("bogus://a:b c@d"), "bogus://a:xxxxx@d");
    }
}
