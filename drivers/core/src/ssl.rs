//! `sslmode`: how a server driver uses TLS, with libpq's names and meanings, shared by
//! every driver that speaks TLS so a URL means the same thing whatever the database.

/// libpq's `sslmode`, with libpq's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain text only.
    Disable,
    /// libpq tries plain text first; Mercator treats it like `Prefer`.
    Allow,
    /// TLS when the server offers it, plain text otherwise.
    Prefer,
    /// TLS; the certificate is checked only when a CA file is named.
    Require,
    /// TLS; the certificate chain must lead to the CA (not checking the host name).
    VerifyCa,
    /// TLS; the chain and the host name are checked.
    VerifyFull,
}

impl SslMode {
    /// Every mode with its name in URLs.
    pub const ALL: &'static [(&'static str, SslMode)] = &[
        ("disable", SslMode::Disable),
        ("allow", SslMode::Allow),
        ("prefer", SslMode::Prefer),
        ("require", SslMode::Require),
        ("verify-ca", SslMode::VerifyCa),
        ("verify-full", SslMode::VerifyFull),
    ];

    /// The mode a URL names (`sslmode=…`), if it is one of [`SslMode::ALL`].
    ///
    /// ```
    /// use mercator_driver::SslMode;
    /// assert_eq!(SslMode::parse("verify-full"), Some(SslMode::VerifyFull));
    /// assert_eq!(SslMode::VerifyCa.name(), "verify-ca");
    /// assert!(SslMode::parse("sure").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<SslMode> {
        SslMode::ALL
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, mode)| *mode)
    }

    /// The mode's name in URLs.
    pub fn name(self) -> &'static str {
        SslMode::ALL
            .iter()
            .find(|(_, mode)| *mode == self)
            .map_or("?", |(name, _)| name)
    }

    /// Whether the connection must not fall back to plain text.
    pub fn requires_tls(self) -> bool {
        matches!(
            self,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
        )
    }
}
