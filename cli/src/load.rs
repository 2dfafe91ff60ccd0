//! How SQL sources are read: flags shared by every command that takes `file://` sources.

use clap::Args;
use mercator_migrate::{LoadOptions, Source};

/// `--allow-outside-root` and `--max-file-size`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Let `atlas:import` directives reach files outside the loaded directory (through `../`,
    /// absolute paths or symlinks). Refused by default.
    #[arg(long)]
    allow_outside_root: bool,
    /// The largest SQL file read, in bytes or with a K, M or G suffix (default 64M).
    #[arg(long, value_parser = parse_size)]
    max_file_size: Option<u64>,
}

impl LoadArgs {
    /// `source` with these reading rules (a database source is unchanged).
    pub fn apply(&self, source: Source) -> Source {
        let mut options = LoadOptions::default().allow_outside_root(self.allow_outside_root);
        if let Some(bytes) = self.max_file_size {
            options = options.max_file_size(bytes);
        }
        source.with_load_options(options)
    }

    /// Parses a source URL and applies these reading rules.
    pub fn source(&self, url: &str) -> Result<Source, mercator_migrate::MigrateError> {
        Source::parse(url).map(|source| self.apply(source))
    }
}

/// `1048576`, `512K`, `64M`, `1G` (binary multiples).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((at, 'k' | 'K')) => (&text[..at], 10),
        Some((at, 'm' | 'M')) => (&text[..at], 20),
        Some((at, 'g' | 'G')) => (&text[..at], 30),
        _ => (text, 0),
    };
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 1048576, 512K, 64M, 1G)"))?;
    value
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("64m"), Ok(64 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("M").is_err());
        assert!(parse_size("12X").is_err());
        assert!(parse_size("99999999999G").is_err());
    }
}
