//! Loading `atlas.hcl`: variables, locals, data sources, and the selection of an env.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::structure::{Attribute, Block, Body};
use hcl::edit::visit::{Visit, visit_traversal};

use crate::config::{DiffPolicy, EnvConfig, EnvInstance, LintPolicy, TestConfig};
use crate::envread::Reader;
use crate::error::QueryError;
use crate::funcs::EnvLookup;
use crate::hclx::{self, Item, Scope, Typed, Warnings};
use crate::location::SourceMap;
use crate::vars::{self, Inputs};
use crate::{ProjectError, Result, Warning};

/// Runs the query of a `data "sql"` block. This crate does no database I/O: the caller
/// connects to `url`, runs `query` with `args` bound to its placeholders and returns the
/// first column of every row as text.
///
/// Closures `Fn(&str, &str, &[String]) -> Result<Vec<String>, QueryError>` implement it.
pub trait SqlDataSource: Send + Sync {
    /// Runs one query.
    fn query(&self, url: &str, query: &str, args: &[String]) -> Result<Vec<String>, QueryError>;
}

impl<F> SqlDataSource for F
where
    F: Fn(&str, &str, &[String]) -> Result<Vec<String>, QueryError> + Send + Sync,
{
    fn query(&self, url: &str, query: &str, args: &[String]) -> Result<Vec<String>, QueryError> {
        self(url, query, args)
    }
}

/// How to evaluate a project file: `--var` values, where `getenv` reads from, and who runs
/// `data "sql"` queries.
#[derive(Clone)]
pub struct LoadOptions {
    inputs: Inputs,
    getenv: EnvLookup,
    sql: Option<Arc<dyn SqlDataSource>>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            inputs: Inputs::new(),
            getenv: Arc::new(|name| std::env::var(name).ok()),
            sql: None,
        }
    }
}

impl LoadOptions {
    /// No inputs, `getenv` reading the process environment, no SQL data sources.
    pub fn new() -> Self {
        LoadOptions::default()
    }

    /// Values for `variable` blocks.
    pub fn inputs(mut self, inputs: Inputs) -> Self {
        self.inputs = inputs;
        self
    }

    /// Where `getenv("NAME")` reads from (the process environment by default).
    pub fn getenv(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.getenv = Arc::new(lookup);
        self
    }

    /// Runs the queries of `data "sql"` blocks the selected env needs. Without one, such an
    /// env is an error.
    pub fn sql(mut self, runner: impl SqlDataSource + 'static) -> Self {
        self.sql = Some(Arc::new(runner));
        self
    }
}

/// The top-level `lint`, `diff` and `test` blocks, which apply to every env (and to commands
/// run with `-c atlas.hcl` but no `--env`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Globals {
    /// Top-level `lint`.
    pub lint: LintPolicy,
    /// Top-level `diff`.
    pub diff: DiffPolicy,
    /// Top-level `test`.
    pub test: TestConfig,
}

/// The result of selecting an env.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// One config per matching `env` block and `for_each` item, in file order (items of a set
    /// in lexical order). Atlas allows several blocks with one name; commands run once per
    /// config.
    pub envs: Vec<EnvConfig>,
    /// The top-level policies (already applied to each env).
    pub globals: Globals,
    /// Everything in the file Mercator ignored, with its location.
    pub warnings: Vec<Warning>,
}

/// A parsed `atlas.hcl`. Parsing checks syntax only; [`ProjectFile::select`] evaluates.
#[derive(Debug, Clone)]
pub struct ProjectFile {
    map: SourceMap,
    body: Body,
}

/// The top-level items of a project file, sorted by kind.
#[derive(Default)]
struct TopLevel<'a> {
    variables: Vec<&'a Block>,
    locals: Vec<&'a Attribute>,
    data: Vec<&'a Block>,
    envs: Vec<&'a Block>,
    lint: Option<&'a Block>,
    diff: Option<&'a Block>,
    test: Option<&'a Block>,
}

/// Collects the `data.TYPE.NAME` references of expressions.
#[derive(Default)]
struct DataRefs(BTreeSet<(String, String)>);

impl Visit for DataRefs {
    fn visit_traversal(&mut self, node: &hcl::edit::expr::Traversal) {
        let is_data = matches!(&node.expr, Expression::Variable(root) if root.as_str() == "data");
        if is_data {
            let names: Vec<&str> = node
                .operators
                .iter()
                .take(2)
                .filter_map(|op| match op.value() {
                    TraversalOperator::GetAttr(id) => Some(id.as_str()),
                    _ => None,
                })
                .collect();
            if let [kind, name] = names[..] {
                self.0.insert((kind.to_owned(), name.to_owned()));
            }
        }
        visit_traversal(self, node);
    }
}

fn data_key(block: &Block) -> Option<(String, String)> {
    Some((
        hclx::label(block, 0)?.to_owned(),
        hclx::label(block, 1)?.to_owned(),
    ))
}

impl ProjectFile {
    /// Reads and parses a project file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ProjectError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        ProjectFile::parse(path, text)
    }

    /// Parses project file text; `file` is used in locations.
    pub fn parse(file: impl Into<PathBuf>, text: impl Into<String>) -> Result<Self> {
        let map = SourceMap::new(file, text);
        let body = hclx::parse(&map)?;
        Ok(ProjectFile { map, body })
    }

    /// The file, as given.
    pub fn path(&self) -> &Path {
        self.map.file()
    }

    /// The names of labeled `env` blocks, sorted, without repeats.
    pub fn env_names(&self) -> Vec<String> {
        let names: BTreeSet<String> = hclx::items(&self.body)
            .filter_map(|item| match item {
                Item::Block(b) if b.ident.as_str() == "env" => hclx::label(b, 0).map(str::to_owned),
                _ => None,
            })
            .collect();
        names.into_iter().collect()
    }

    fn classify(&self, warnings: &mut Warnings) -> Result<TopLevel<'_>> {
        let mut top = TopLevel::default();
        for item in hclx::items(&self.body) {
            match item {
                Item::Attr(a) => warnings.unknown_attr(&self.map, a, "the project file"),
                Item::Block(b) => {
                    let slot = match b.ident.as_str() {
                        "variable" => {
                            top.variables.push(b);
                            continue;
                        }
                        "locals" => {
                            hclx::check_unique_attributes(&self.map, &b.body)?;
                            for inner in hclx::items(&b.body) {
                                match inner {
                                    Item::Attr(a) => top.locals.push(a),
                                    Item::Block(x) => {
                                        warnings.unknown_block(&self.map, x, "locals")
                                    }
                                }
                            }
                            continue;
                        }
                        "data" => {
                            if data_key(b).is_none() {
                                return Err(
                                    self.invalid(b, "data block needs a type and a name label")
                                );
                            }
                            top.data.push(b);
                            continue;
                        }
                        "env" => {
                            top.envs.push(b);
                            continue;
                        }
                        "lint" => &mut top.lint,
                        "diff" => &mut top.diff,
                        "test" => &mut top.test,
                        _ => {
                            warnings.unknown_block(&self.map, b, "the project file");
                            continue;
                        }
                    };
                    if slot.replace(b).is_some() {
                        return Err(self.invalid(
                            b,
                            &format!("top-level \"{}\" block is defined twice", b.ident.as_str()),
                        ));
                    }
                }
            }
        }
        let mut seen = BTreeSet::new();
        for local in &top.locals {
            if !seen.insert(local.key.as_str()) {
                return Err(ProjectError::Invalid {
                    location: self.map.span(local.span()),
                    message: format!("local \"{}\" is defined twice", local.key.as_str()),
                });
            }
        }
        Ok(top)
    }

    fn invalid(&self, block: &Block, message: &str) -> ProjectError {
        ProjectError::Invalid {
            location: self.map.span(block.span()),
            message: message.to_owned(),
        }
    }

    /// Reads only the top-level `lint`, `diff` and `test` blocks (for commands run without
    /// `--env`).
    pub fn globals(&self, options: &LoadOptions) -> Result<(Globals, Vec<Warning>)> {
        let mut warnings = Warnings::default();
        let top = self.classify(&mut warnings)?;
        let scope = self.base_scope(&top, "", options, &mut warnings)?;
        let mut used = BTreeSet::new();
        for block in [top.lint, top.diff, top.test].into_iter().flatten() {
            collect_refs(&block.body, &mut used);
        }
        let scope = self.resolve_locals_and_data(&top, used, scope, options, &mut warnings)?;
        let globals = self.read_globals(&top, &scope, &mut warnings)?;
        Ok((globals, warnings.0))
    }

    fn base_scope(
        &self,
        top: &TopLevel<'_>,
        env: &str,
        options: &LoadOptions,
        warnings: &mut Warnings,
    ) -> Result<Scope> {
        let scope = Scope::new(options.getenv.clone());
        let mut atlas = hcl::Map::new();
        atlas.insert("env".to_owned(), Value::String(env.to_owned()));
        let scope = scope.with("atlas", Value::Object(atlas));
        // Defaults may call functions (getenv) but not read other variables.
        let var = vars::resolve(&self.map, &top.variables, &options.inputs, &scope, warnings)?;
        Ok(scope.with("var", var))
    }

    fn read_globals(
        &self,
        top: &TopLevel<'_>,
        scope: &Scope,
        warnings: &mut Warnings,
    ) -> Result<Globals> {
        let mut reader = Reader {
            map: &self.map,
            scope,
            warnings,
        };
        Ok(Globals {
            lint: top
                .lint
                .map(|b| reader.lint(&b.body))
                .transpose()?
                .unwrap_or_default(),
            diff: top
                .diff
                .map(|b| reader.diff(&b.body))
                .transpose()?
                .unwrap_or_default(),
            test: top
                .test
                .map(|b| reader.test(&b.body))
                .transpose()?
                .unwrap_or_default(),
        })
    }

    /// Evaluates the file for `--env NAME`: variables from `options`, locals, the data
    /// sources the env (or a local) references, and every matching `env` block, expanded by
    /// `for_each`. The top-level `lint`/`diff`/`test` blocks are applied to each env.
    pub fn select(&self, env: &str, options: &LoadOptions) -> Result<Selection> {
        let mut warnings = Warnings::default();
        let top = self.classify(&mut warnings)?;
        let not_found = || ProjectError::EnvNotFound {
            file: self.map.file().to_path_buf(),
            name: env.to_owned(),
            available: self.env_names(),
        };
        // Report an unknown env before asking for variables it would not need.
        let could_match = top
            .envs
            .iter()
            .any(|b| hclx::label(b, 0).is_none_or(|label| label == env));
        if !could_match {
            return Err(not_found());
        }
        let base = self.base_scope(&top, env, options, &mut warnings)?;

        let mut selected: Vec<&Block> = Vec::new();
        for block in &top.envs {
            let name = match hclx::label(block, 0) {
                Some(label) => label.to_owned(),
                None => self.dynamic_env_name(block, &base)?,
            };
            if name == env {
                selected.push(block);
            }
        }
        if selected.is_empty() {
            return Err(not_found());
        }

        let mut used = BTreeSet::new();
        for block in selected
            .iter()
            .chain(&top.lint)
            .chain(&top.diff)
            .chain(&top.test)
        {
            collect_refs(&block.body, &mut used);
        }
        let scope = self.resolve_locals_and_data(&top, used, base, options, &mut warnings)?;
        let globals = self.read_globals(&top, &scope, &mut warnings)?;

        let mut envs = Vec::new();
        for block in selected {
            for (instance, scope) in self.instances(block, &scope)? {
                let mut reader = Reader {
                    map: &self.map,
                    scope: &scope,
                    warnings: &mut warnings,
                };
                let mut config = reader.env(env, block)?;
                config.instance = instance;
                config.lint = config.lint.extend(&globals.lint);
                config.diff = config.diff.extend(&globals.diff);
                config.test = config.test.extend(&globals.test);
                envs.push(config);
            }
        }
        Ok(Selection {
            envs,
            globals,
            warnings: warnings.0,
        })
    }

    fn dynamic_env_name(&self, block: &Block, scope: &Scope) -> Result<String> {
        let attr = block.body.get_attribute("name").ok_or_else(|| {
            self.invalid(
                block,
                "an env block needs a label or a name attribute (name = atlas.env)",
            )
        })?;
        let value = scope.eval(&self.map, &attr.value)?;
        Typed {
            map: &self.map,
            attr,
        }
        .string(&value)
    }

    /// The (instance, scope) pairs of an env: one without `for_each`, one per item with it.
    fn instances(&self, block: &Block, scope: &Scope) -> Result<Vec<(Option<EnvInstance>, Scope)>> {
        let Some(attr) = block.body.get_attribute("for_each") else {
            return Ok(vec![(None, scope.clone())]);
        };
        let value = scope.eval(&self.map, &attr.value)?;
        let items = for_each_items(&value).ok_or_else(|| ProjectError::Invalid {
            location: self.map.span(attr.span()),
            message: "for_each must be a set of strings or a map".to_owned(),
        })?;
        Ok(items
            .into_iter()
            .map(|(key, value)| {
                let each = each_value(&key, &value);
                (Some(EnvInstance { key, value }), scope.with("each", each))
            })
            .collect())
    }

    /// Evaluates all locals and the needed data sources, in whatever order their references
    /// allow.
    fn resolve_locals_and_data(
        &self,
        top: &TopLevel<'_>,
        mut needed: BTreeSet<(String, String)>,
        base: Scope,
        options: &LoadOptions,
        warnings: &mut Warnings,
    ) -> Result<Scope> {
        for local in &top.locals {
            collect_expr_refs(&local.value, &mut needed);
        }
        // Data sources may read other data sources.
        loop {
            let before = needed.len();
            for block in &top.data {
                if data_key(block).is_some_and(|k| needed.contains(&k)) {
                    collect_refs(&block.body, &mut needed);
                }
            }
            if needed.len() == before {
                break;
            }
        }
        let mut pending_data: Vec<&Block> = Vec::new();
        for block in &top.data {
            let Some(key) = data_key(block) else { continue };
            let is_needed = needed.contains(&key);
            match (key.0.as_str(), is_needed) {
                ("sql", true) => pending_data.push(block),
                ("sql", false) => {}
                (kind, true) => {
                    return Err(ProjectError::Unsupported {
                        location: self.map.span(block.span()),
                        message: format!(
                            "data source type \"{kind}\" is not supported by Mercator"
                        ),
                    });
                }
                (kind, false) => warnings.push(
                    self.map.span(block.span()),
                    format!(
                        "data source type \"{kind}\" is not supported by Mercator and is ignored"
                    ),
                ),
            }
        }

        let mut locals: hcl::Map<String, Value> = hcl::Map::new();
        let mut data: BTreeMap<String, hcl::Map<String, Value>> = BTreeMap::new();
        let mut pending_locals: Vec<&Attribute> = top.locals.clone();
        loop {
            let scope = scope_with(&base, &locals, &data);
            if pending_locals.is_empty() && pending_data.is_empty() {
                return Ok(scope);
            }
            let mut progress = false;
            let mut first_error = None;
            let mut still_locals = Vec::new();
            for local in pending_locals {
                match scope.eval(&self.map, &local.value) {
                    Ok(value) => {
                        locals.insert(local.key.as_str().to_owned(), value);
                        progress = true;
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                        still_locals.push(local);
                    }
                }
            }
            pending_locals = still_locals;
            let mut still_data = Vec::new();
            for block in pending_data {
                match self.eval_sql_data(block, &scope, options, warnings) {
                    Ok(value) => {
                        let (kind, name) = data_key(block).unwrap_or_default();
                        data.entry(kind).or_default().insert(name, value);
                        progress = true;
                    }
                    Err(e @ ProjectError::Eval { .. }) => {
                        first_error.get_or_insert(e);
                        still_data.push(block);
                    }
                    Err(e) => return Err(e),
                }
            }
            pending_data = still_data;
            // Each pending item either progressed or left an error, so this cannot spin.
            if let (false, Some(e)) = (progress, first_error) {
                return Err(e);
            }
        }
    }

    fn eval_sql_data(
        &self,
        block: &Block,
        scope: &Scope,
        options: &LoadOptions,
        warnings: &mut Warnings,
    ) -> Result<Value> {
        let name = hclx::label(block, 1).unwrap_or_default();
        let within = format!("data \"sql\" \"{name}\"");
        hclx::check_unique_attributes(&self.map, &block.body)?;
        let (mut url, mut query, mut args) = (None, None, Vec::new());
        for item in hclx::items(&block.body) {
            match item {
                Item::Attr(a) => {
                    let key = a.key.as_str();
                    if !matches!(key, "url" | "query" | "args") {
                        warnings.unknown_attr(&self.map, a, &within);
                        continue;
                    }
                    let value = scope.eval(&self.map, &a.value)?;
                    let typed = Typed {
                        map: &self.map,
                        attr: a,
                    };
                    match key {
                        "url" => url = Some(typed.string(&value)?),
                        "query" => query = Some(typed.string(&value)?),
                        _ => args = typed.strings(&value)?,
                    }
                }
                Item::Block(b) => warnings.unknown_block(&self.map, b, &within),
            }
        }
        let location = self.map.span(block.span());
        let missing = |what: &str| ProjectError::Invalid {
            location: location.clone(),
            message: format!("{within} needs a \"{what}\" attribute"),
        };
        let url = url.ok_or_else(|| missing("url"))?;
        let query = query.ok_or_else(|| missing("query"))?;
        let runner = options
            .sql
            .as_ref()
            .ok_or_else(|| ProjectError::Unsupported {
                location: location.clone(),
                message: format!(
                    "{within} needs a database connection, and none was given to the loader"
                ),
            })?;
        let values =
            runner
                .query(&url, &query, &args)
                .map_err(|source| ProjectError::DataSource {
                    location: location.clone(),
                    name: format!("sql.{name}"),
                    source,
                })?;
        let mut object = hcl::Map::new();
        object.insert("count".to_owned(), Value::from(values.len() as u64));
        object.insert(
            "value".to_owned(),
            values.first().cloned().map_or(Value::Null, Value::String),
        );
        object.insert(
            "values".to_owned(),
            Value::Array(values.into_iter().map(Value::String).collect()),
        );
        Ok(Value::Object(object))
    }
}

fn scope_with(
    base: &Scope,
    locals: &hcl::Map<String, Value>,
    data: &BTreeMap<String, hcl::Map<String, Value>>,
) -> Scope {
    let data: hcl::Map<String, Value> = data
        .iter()
        .map(|(k, v)| (k.clone(), Value::Object(v.clone())))
        .collect();
    base.with("local", Value::Object(locals.clone()))
        .with("data", Value::Object(data))
}

fn collect_refs(body: &Body, out: &mut BTreeSet<(String, String)>) {
    let mut refs = DataRefs::default();
    refs.visit_body(body);
    out.extend(refs.0);
}

fn collect_expr_refs(expr: &Expression, out: &mut BTreeSet<(String, String)>) {
    let mut refs = DataRefs::default();
    refs.visit_expr(expr);
    out.extend(refs.0);
}

/// The items of a `for_each` value: a list or set (Atlas's `toset(…)`) gives (element,
/// element) pairs for strings; a map gives (key, value) pairs.
pub(crate) fn for_each_items(value: &Value) -> Option<Vec<(String, Value)>> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(|s| (s.to_owned(), v.clone())))
            .collect(),
        Value::Object(map) => Some(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        _ => None,
    }
}

/// The `each` object.
pub(crate) fn each_value(key: &str, value: &Value) -> Value {
    let mut each = hcl::Map::new();
    each.insert("key".to_owned(), Value::String(key.to_owned()));
    each.insert("value".to_owned(), value.clone());
    Value::Object(each)
}
