//! Reading the blocks of `atlas.hcl` (`env`, `migration`, `diff`, `lint`, `format`, `test`)
//! into the typed configuration, warning about everything Mercator does not use.

use std::collections::BTreeSet;

use hcl::Value;
use hcl::edit::Span;
use hcl::edit::structure::{Attribute, Block, Body};

use crate::config::*;
use crate::hclx::{self, Item, Scope, Typed, Warnings};
use crate::location::SourceMap;
use crate::{ProjectError, Result};

/// What the readers share: the file, the names in scope and the warning sink.
pub(crate) struct Reader<'a> {
    pub(crate) map: &'a SourceMap,
    pub(crate) scope: &'a Scope,
    pub(crate) warnings: &'a mut Warnings,
}

impl Reader<'_> {
    /// An enum keyword, written bare as in Atlas's docs (`review = ERROR`,
    /// `exec_order = LINEAR_SKIP`) or as a string.
    fn keyword(&self, attr: &Attribute) -> Result<String> {
        if let hcl::edit::expr::Expression::Variable(name) = &attr.value {
            return Ok(name.as_str().to_owned());
        }
        let (value, typed) = self.eval(attr)?;
        typed.string(&value)
    }

    fn eval<'b>(&self, attr: &'b Attribute) -> Result<(Value, Typed<'b>)>
    where
        Self: 'b,
    {
        let value = self.scope.eval(self.map, &attr.value)?;
        Ok((
            value,
            Typed {
                map: self.map,
                attr,
            },
        ))
    }

    fn opt_string(&self, attr: &Attribute) -> Result<Option<String>> {
        let value = self.scope.eval(self.map, &attr.value)?;
        if value.is_null() {
            return Ok(None);
        }
        Typed {
            map: self.map,
            attr,
        }
        .string(&value)
        .map(Some)
    }

    fn strings(&self, attr: &Attribute) -> Result<Vec<String>> {
        let (value, typed) = self.eval(attr)?;
        if value.is_null() {
            return Ok(Vec::new());
        }
        typed.strings(&value)
    }

    fn bool(&self, attr: &Attribute) -> Result<bool> {
        let (value, typed) = self.eval(attr)?;
        typed.bool(&value)
    }

    fn invalid(&self, attr: &Attribute, message: String) -> ProjectError {
        ProjectError::Invalid {
            location: self.map.span(attr.span()),
            message,
        }
    }

    /// Reads one `env` block (already selected, with `each` in scope when it has
    /// `for_each`). The top-level policies are applied by the caller.
    pub(crate) fn env(&mut self, name: &str, block: &Block) -> Result<EnvConfig> {
        let within = format!("env \"{name}\"");
        hclx::check_unique_attributes(self.map, &block.body)?;
        let mut env = EnvConfig {
            name: name.to_owned(),
            instance: None,
            location: self.map.span(block.span()),
            url: None,
            dev: None,
            src: Vec::new(),
            schemas: Vec::new(),
            exclude: Vec::new(),
            migration: MigrationConfig::default(),
            diff: DiffPolicy::default(),
            lint: LintPolicy::default(),
            format: FormatConfig::default(),
            test: TestConfig::default(),
        };
        let mut schema_src = None;
        for item in hclx::items(&block.body) {
            match item {
                Item::Attr(a) => match a.key.as_str() {
                    // Already used by the caller to select and expand the block.
                    "name" | "for_each" => {}
                    "url" => env.url = self.opt_string(a)?,
                    "dev" => env.dev = self.opt_string(a)?,
                    "src" => {
                        let (value, typed) = self.eval(a)?;
                        env.src = typed.string_or_strings(&value)?;
                    }
                    "schemas" => env.schemas = self.strings(a)?,
                    "exclude" => env.exclude = self.strings(a)?,
                    key => self.warnings.push(
                        self.map.span(a.span()),
                        format!(
                            "attribute \"{key}\" in {within} is an input value for HCL schemas in \
                             Atlas; Mercator does not read HCL schemas and ignores it"
                        ),
                    ),
                },
                Item::Block(b) => match b.ident.as_str() {
                    "migration" => env.migration = self.migration(&b.body)?,
                    "diff" => env.diff = self.diff(&b.body)?,
                    "lint" => env.lint = self.lint(&b.body)?,
                    "format" | "log" => env.format = self.format(&b.body)?,
                    "test" => env.test = self.test(&b.body)?,
                    "schema" => schema_src = self.schema_block(&b.body)?,
                    _ => self.warnings.unknown_block(self.map, b, &within),
                },
            }
        }
        // Atlas: a `schema { src }` block takes precedence over the older `src` attribute only
        // when `src` is absent.
        if let (true, Some(src)) = (env.src.is_empty(), schema_src) {
            env.src = src;
        }
        Ok(env)
    }

    fn schema_block(&mut self, body: &Body) -> Result<Option<Vec<String>>> {
        hclx::check_unique_attributes(self.map, body)?;
        let mut src = None;
        for item in hclx::items(body) {
            match item {
                Item::Attr(a) if a.key.as_str() == "src" => {
                    let (value, typed) = self.eval(a)?;
                    src = Some(typed.string_or_strings(&value)?);
                }
                Item::Attr(a) => self.warnings.unknown_attr(self.map, a, "schema"),
                Item::Block(b) => self.warnings.unknown_block(self.map, b, "schema"),
            }
        }
        Ok(src)
    }

    pub(crate) fn migration(&mut self, body: &Body) -> Result<MigrationConfig> {
        hclx::check_unique_attributes(self.map, body)?;
        let mut m = MigrationConfig::default();
        for item in hclx::items(body) {
            match item {
                Item::Attr(a) => {
                    match a.key.as_str() {
                        "dir" => m.dir = self.opt_string(a)?,
                        "baseline" => m.baseline = self.opt_string(a)?,
                        "revisions_schema" => m.revisions_schema = self.opt_string(a)?,
                        "exclude" => m.exclude = self.strings(a)?,
                        "format" => {
                            m.format = self.opt_string(a)?;
                            if m.format.as_deref().is_some_and(|f| f != "atlas") {
                                self.warnings.push(
                                    self.map.span(a.span()),
                                    "Mercator reads migration directories in the atlas format only",
                                );
                            }
                        }
                        "exec_order" => {
                            let raw = self.keyword(a)?;
                            m.exec_order = ExecOrder::parse(&raw).ok_or_else(|| {
                            self.invalid(
                                a,
                                format!(
                                    "exec_order must be LINEAR, LINEAR_SKIP or NON_LINEAR, got {raw:?}"
                                ),
                            )
                        })?;
                        }
                        "lock_timeout" => {
                            let (value, typed) = self.eval(a)?;
                            let raw = typed.string(&value)?;
                            m.lock_timeout = Some(parse_go_duration(&raw).ok_or_else(|| {
                            self.invalid(
                                a,
                                format!("lock_timeout must be a duration such as \"10s\", got {raw:?}"),
                            )
                        })?);
                        }
                        _ => self.warnings.unknown_attr(self.map, a, "migration"),
                    }
                }
                Item::Block(b) => self.warnings.unknown_block(self.map, b, "migration"),
            }
        }
        Ok(m)
    }

    pub(crate) fn diff(&mut self, body: &Body) -> Result<DiffPolicy> {
        hclx::check_unique_attributes(self.map, body)?;
        let mut d = DiffPolicy::default();
        for item in hclx::items(body) {
            match item {
                Item::Block(b) if b.ident.as_str() == "skip" => {
                    hclx::check_unique_attributes(self.map, &b.body)?;
                    let mut skip = BTreeSet::new();
                    for inner in hclx::items(&b.body) {
                        match inner {
                            Item::Attr(a) => match SkipChange::from_name(a.key.as_str()) {
                                Some(kind) => {
                                    if self.bool(a)? {
                                        skip.insert(kind);
                                    }
                                }
                                None => self.warnings.unknown_attr(self.map, a, "diff.skip"),
                            },
                            Item::Block(x) => self.warnings.unknown_block(self.map, x, "diff.skip"),
                        }
                    }
                    d.skip = Some(skip);
                }
                Item::Block(b) if b.ident.as_str() == "concurrent_index" => {
                    hclx::check_unique_attributes(self.map, &b.body)?;
                    let mut ci = ConcurrentIndex::default();
                    for inner in hclx::items(&b.body) {
                        match inner {
                            // Atlas's docs spell it `create`, some examples `add`.
                            Item::Attr(a) if matches!(a.key.as_str(), "create" | "add") => {
                                ci.create = self.bool(a)?
                            }
                            Item::Attr(a) if a.key.as_str() == "drop" => ci.drop = self.bool(a)?,
                            Item::Attr(a) => {
                                self.warnings
                                    .unknown_attr(self.map, a, "diff.concurrent_index")
                            }
                            Item::Block(x) => {
                                self.warnings
                                    .unknown_block(self.map, x, "diff.concurrent_index")
                            }
                        }
                    }
                    d.concurrent_index = Some(ci);
                }
                Item::Attr(a) => self.warnings.unknown_attr(self.map, a, "diff"),
                Item::Block(b) => self.warnings.unknown_block(self.map, b, "diff"),
            }
        }
        Ok(d)
    }

    pub(crate) fn lint(&mut self, body: &Body) -> Result<LintPolicy> {
        hclx::check_unique_attributes(self.map, body)?;
        let mut l = LintPolicy::default();
        let mut format_attr: Option<&Attribute> = None;
        for item in hclx::items(body) {
            match item {
                Item::Attr(a) => match a.key.as_str() {
                    "format" | "log" => {
                        if format_attr.is_some() {
                            return Err(self.invalid(
                                a,
                                "cannot use both 'log' and 'format' in the same lint block"
                                    .to_owned(),
                            ));
                        }
                        format_attr = Some(a);
                        l.format = self.opt_string(a)?;
                        self.locate(&mut l, "format", a);
                    }
                    "latest" => {
                        let (value, typed) = self.eval(a)?;
                        l.latest = Some(typed.uint(&value)?);
                        self.locate(&mut l, "latest", a);
                    }
                    "review" => {
                        let raw = self.keyword(a)?;
                        l.review = Some(ReviewPolicy::parse(&raw).ok_or_else(|| {
                            self.invalid(
                                a,
                                format!("review must be ALWAYS, WARNING or ERROR, got {raw:?}"),
                            )
                        })?);
                        self.locate(&mut l, "review", a);
                    }
                    _ => self.warnings.unknown_attr(self.map, a, "lint"),
                },
                Item::Block(b) if b.ident.as_str() == "git" => {
                    hclx::check_unique_attributes(self.map, &b.body)?;
                    for inner in hclx::items(&b.body) {
                        match inner {
                            Item::Attr(a) if a.key.as_str() == "base" => {
                                l.git.base = self.opt_string(a)?;
                                self.locate(&mut l, "git.base", a);
                            }
                            Item::Attr(a) if a.key.as_str() == "dir" => {
                                l.git.dir = self.opt_string(a)?;
                                self.locate(&mut l, "git.dir", a);
                            }
                            Item::Attr(a) => self.warnings.unknown_attr(self.map, a, "lint.git"),
                            Item::Block(x) => self.warnings.unknown_block(self.map, x, "lint.git"),
                        }
                    }
                }
                Item::Block(b) if ANALYZERS.contains(&b.ident.as_str()) => {
                    let name = b.ident.as_str().to_owned();
                    let within = format!("lint.{name}");
                    hclx::check_unique_attributes(self.map, &b.body)?;
                    let mut config = AnalyzerConfig::default();
                    for inner in hclx::items(&b.body) {
                        match inner {
                            Item::Attr(a) if a.key.as_str() == "error" => {
                                config.error = Some(self.bool(a)?);
                                self.locate(&mut l, &format!("{name}.error"), a);
                            }
                            Item::Attr(a) => self.warnings.unknown_attr(self.map, a, &within),
                            Item::Block(x) => self.warnings.unknown_block(self.map, x, &within),
                        }
                    }
                    l.analyzers.insert(name, config);
                }
                Item::Block(b) if b.ident.as_str() == "concurrent_index" => {
                    hclx::check_unique_attributes(self.map, &b.body)?;
                    let mut config = ConcurrentIndexLint::default();
                    for inner in hclx::items(&b.body) {
                        match inner {
                            Item::Attr(a) => {
                                let key = a.key.as_str();
                                let slot = match key {
                                    "error" => &mut config.error,
                                    "check_create" => &mut config.check_create,
                                    "check_drop" => &mut config.check_drop,
                                    "check_txmode" => &mut config.check_txmode,
                                    _ => {
                                        self.warnings.unknown_attr(
                                            self.map,
                                            a,
                                            "lint.concurrent_index",
                                        );
                                        continue;
                                    }
                                };
                                *slot = Some(self.bool(a)?);
                                self.locate(&mut l, &format!("concurrent_index.{key}"), a);
                            }
                            Item::Block(x) => {
                                self.warnings
                                    .unknown_block(self.map, x, "lint.concurrent_index")
                            }
                        }
                    }
                    l.concurrent_index = Some(config);
                }
                Item::Block(b) if b.ident.as_str() == "naming" => {
                    let naming = self.naming(&b.body, &mut l)?;
                    l.naming = Some(naming);
                }
                Item::Block(b) => self.warnings.unknown_block(self.map, b, "lint"),
            }
        }
        Ok(l)
    }

    /// Records where a `lint` attribute is written.
    fn locate(&self, lint: &mut LintPolicy, path: &str, attr: &Attribute) {
        lint.locations
            .insert(path.to_owned(), self.map.span(attr.span()));
    }

    /// `naming { error, match, message, <kind> { match, message } }`; patterns must be
    /// regular expressions.
    fn naming(&mut self, body: &Body, lint: &mut LintPolicy) -> Result<NamingLint> {
        hclx::check_unique_attributes(self.map, body)?;
        let mut naming = NamingLint::default();
        for item in hclx::items(body) {
            match item {
                Item::Attr(a) if a.key.as_str() == "error" => {
                    naming.error = Some(self.bool(a)?);
                    self.locate(lint, "naming.error", a);
                }
                Item::Attr(a) if matches!(a.key.as_str(), "match" | "message") => {
                    self.naming_rule_attr(a, &mut naming.all, "naming", lint)?;
                }
                Item::Attr(a) => self.warnings.unknown_attr(self.map, a, "lint.naming"),
                Item::Block(b) if NAMING_KINDS.contains(&b.ident.as_str()) => {
                    let kind = b.ident.as_str();
                    let within = format!("lint.naming.{kind}");
                    hclx::check_unique_attributes(self.map, &b.body)?;
                    let mut rule = NamingRule::default();
                    for inner in hclx::items(&b.body) {
                        match inner {
                            Item::Attr(a) if matches!(a.key.as_str(), "match" | "message") => {
                                self.naming_rule_attr(
                                    a,
                                    &mut rule,
                                    &format!("naming.{kind}"),
                                    lint,
                                )?;
                            }
                            Item::Attr(a) => self.warnings.unknown_attr(self.map, a, &within),
                            Item::Block(x) => self.warnings.unknown_block(self.map, x, &within),
                        }
                    }
                    naming.kinds.insert(kind.to_owned(), rule);
                }
                Item::Block(b) => self.warnings.unknown_block(self.map, b, "lint.naming"),
            }
        }
        Ok(naming)
    }

    fn naming_rule_attr(
        &mut self,
        attr: &Attribute,
        rule: &mut NamingRule,
        path: &str,
        lint: &mut LintPolicy,
    ) -> Result<()> {
        let value = self.opt_string(attr)?;
        if attr.key.as_str() == "match" {
            if let Some(pattern) = &value
                && let Err(err) = regex::Regex::new(pattern)
            {
                return Err(
                    self.invalid(attr, format!("match must be a regular expression: {err}"))
                );
            }
            rule.pattern = value;
        } else {
            rule.message = value;
        }
        self.locate(lint, &format!("{path}.{}", attr.key.as_str()), attr);
        Ok(())
    }

    pub(crate) fn format(&mut self, body: &Body) -> Result<FormatConfig> {
        hclx::check_unique_attributes(self.map, body)?;
        let mut f = FormatConfig::default();
        for item in hclx::items(body) {
            match item {
                Item::Block(b) if b.ident.as_str() == "migrate" => {
                    hclx::check_unique_attributes(self.map, &b.body)?;
                    for inner in hclx::items(&b.body) {
                        match inner {
                            Item::Attr(a) => {
                                let slot = match a.key.as_str() {
                                    "apply" => &mut f.migrate.apply,
                                    "down" => &mut f.migrate.down,
                                    "diff" => &mut f.migrate.diff,
                                    "lint" => &mut f.migrate.lint,
                                    "status" => &mut f.migrate.status,
                                    _ => {
                                        self.warnings.unknown_attr(self.map, a, "format.migrate");
                                        continue;
                                    }
                                };
                                *slot = self.opt_string(a)?;
                            }
                            Item::Block(x) => {
                                self.warnings.unknown_block(self.map, x, "format.migrate")
                            }
                        }
                    }
                }
                Item::Block(b) if b.ident.as_str() == "schema" => {
                    hclx::check_unique_attributes(self.map, &b.body)?;
                    for inner in hclx::items(&b.body) {
                        match inner {
                            Item::Attr(a) => {
                                let slot = match a.key.as_str() {
                                    "apply" => &mut f.schema.apply,
                                    "diff" => &mut f.schema.diff,
                                    "inspect" => &mut f.schema.inspect,
                                    "clean" => &mut f.schema.clean,
                                    "push" => &mut f.schema.push,
                                    _ => {
                                        self.warnings.unknown_attr(self.map, a, "format.schema");
                                        continue;
                                    }
                                };
                                *slot = self.opt_string(a)?;
                            }
                            Item::Block(x) => {
                                self.warnings.unknown_block(self.map, x, "format.schema")
                            }
                        }
                    }
                }
                Item::Attr(a) => self.warnings.unknown_attr(self.map, a, "format"),
                Item::Block(b) => self.warnings.unknown_block(self.map, b, "format"),
            }
        }
        Ok(f)
    }

    pub(crate) fn test(&mut self, body: &Body) -> Result<TestConfig> {
        hclx::check_unique_attributes(self.map, body)?;
        let mut t = TestConfig::default();
        for item in hclx::items(body) {
            match item {
                Item::Block(b) if matches!(b.ident.as_str(), "schema" | "migrate") => {
                    let within = format!("test.{}", b.ident.as_str());
                    hclx::check_unique_attributes(self.map, &b.body)?;
                    let mut suite = TestSuiteConfig::default();
                    for inner in hclx::items(&b.body) {
                        match inner {
                            Item::Attr(a) if a.key.as_str() == "src" => {
                                let (value, typed) = self.eval(a)?;
                                suite.src = typed.string_or_strings(&value)?;
                            }
                            Item::Attr(a) if a.key.as_str() == "vars" => {
                                let (value, _) = self.eval(a)?;
                                let Value::Object(vars) = value else {
                                    return Err(self.invalid(a, "vars must be an object".into()));
                                };
                                suite.vars = vars.into_iter().collect();
                            }
                            Item::Attr(a) => self.warnings.unknown_attr(self.map, a, &within),
                            Item::Block(x) => self.warnings.unknown_block(self.map, x, &within),
                        }
                    }
                    if b.ident.as_str() == "schema" {
                        t.schema = Some(suite);
                    } else {
                        t.migrate = Some(suite);
                    }
                }
                Item::Attr(a) => self.warnings.unknown_attr(self.map, a, "test"),
                Item::Block(b) => self.warnings.unknown_block(self.map, b, "test"),
            }
        }
        Ok(t)
    }
}
