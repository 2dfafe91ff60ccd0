//! The functions project, test and plan files may call, after Atlas's standard library
//! (`schemahcl` in Atlas): the ones a project file needs to build URLs and collections.
//! A call to any other function is a located "undefined function" error.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};

/// Looks up process environment variables for `getenv`; injectable so tests and embedders
/// need not touch the real environment.
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

thread_local! {
    // hcl-rs functions are plain `fn` pointers, so `getenv` reads its source from here; the
    // loader installs it for the duration of one evaluation (see `with_env`).
    static ENV: RefCell<Option<EnvLookup>> = const { RefCell::new(None) };
}

/// Runs `f` with `lookup` serving `getenv`, restoring the previous source afterwards.
pub(crate) fn with_env<T>(lookup: &EnvLookup, f: impl FnOnce() -> T) -> T {
    let previous = ENV.with(|e| e.replace(Some(lookup.clone())));
    let out = f();
    ENV.with(|e| *e.borrow_mut() = previous);
    out
}

/// Declares every supported function in `ctx`.
pub(crate) fn declare(ctx: &mut Context<'_>) {
    use ParamType::{Any, String as Str};
    let list = || ParamType::array_of(Any);
    let defs: Vec<(&str, FuncDef)> = vec![
        ("getenv", FuncDef::new(getenv, [Str])),
        ("toset", FuncDef::new(toset, [list()])),
        ("tolist", FuncDef::new(tolist, [list()])),
        ("tostring", FuncDef::new(tostring, [Any])),
        ("tonumber", FuncDef::new(tonumber, [Any])),
        ("tobool", FuncDef::new(tobool, [Any])),
        ("urlsetpath", FuncDef::new(urlsetpath, [Str, Str])),
        ("urlqueryset", FuncDef::new(urlqueryset, [Str, Str, Str])),
        ("urlescape", FuncDef::new(urlescape, [Str])),
        (
            "urluserinfo",
            FuncDef::builder()
                .params([Str, Str])
                .variadic_param(ParamType::nullable(Str))
                .build(urluserinfo),
        ),
        (
            "format",
            FuncDef::builder()
                .param(Str)
                .variadic_param(Any)
                .build(format),
        ),
        ("jsonencode", FuncDef::new(jsonencode, [Any])),
        ("jsondecode", FuncDef::new(jsondecode, [Str])),
        ("lower", FuncDef::new(lower, [Str])),
        ("upper", FuncDef::new(upper, [Str])),
        ("trimspace", FuncDef::new(trimspace, [Str])),
        ("join", FuncDef::new(join, [Str, ParamType::array_of(Str)])),
        ("split", FuncDef::new(split, [Str, Str])),
        ("replace", FuncDef::new(replace, [Str, Str, Str])),
        ("startswith", FuncDef::new(startswith, [Str, Str])),
        ("endswith", FuncDef::new(endswith, [Str, Str])),
        ("length", FuncDef::new(length, [Any])),
        ("contains", FuncDef::new(contains, [list(), Any])),
        (
            "concat",
            FuncDef::builder().variadic_param(list()).build(concat),
        ),
        ("keys", FuncDef::new(keys, [ParamType::object_of(Any)])),
        ("values", FuncDef::new(values, [ParamType::object_of(Any)])),
        (
            "merge",
            FuncDef::builder()
                .variadic_param(ParamType::object_of(Any))
                .build(merge),
        ),
    ];
    for (name, def) in defs {
        ctx.declare_func(name, def);
    }
}

fn str_arg(args: &FuncArgs, i: usize) -> Result<&str, String> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("argument {} must be a string", i + 1))
}

fn getenv(args: FuncArgs) -> Result<Value, String> {
    let name = str_arg(&args, 0)?;
    let value = ENV.with(|e| e.borrow().as_ref().and_then(|lookup| lookup(name)));
    // Atlas's getenv yields "" for an unset variable.
    Ok(Value::String(value.unwrap_or_default()))
}

fn toset(args: FuncArgs) -> Result<Value, String> {
    let items = args[0].as_array().cloned().unwrap_or_default();
    // A set of strings iterates in lexical order (as cty sets do); other elements keep the
    // order of first appearance.
    if items.iter().all(Value::is_string) {
        let set: BTreeSet<String> = items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        return Ok(Value::Array(set.into_iter().map(Value::String).collect()));
    }
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(Value::Array(out))
}

fn tolist(args: FuncArgs) -> Result<Value, String> {
    Ok(args[0].clone())
}

fn tostring(args: FuncArgs) -> Result<Value, String> {
    match &args[0] {
        Value::String(s) => Ok(Value::String(s.clone())),
        Value::Number(n) => Ok(Value::String(n.to_string())),
        Value::Bool(b) => Ok(Value::String(b.to_string())),
        Value::Null => Ok(Value::Null),
        other => Err(format!("cannot convert {} to string", kind(other))),
    }
}

fn tonumber(args: FuncArgs) -> Result<Value, String> {
    match &args[0] {
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::String(s) => parse_number(s)
            .map(Value::Number)
            .ok_or_else(|| format!("cannot convert {s:?} to number")),
        other => Err(format!("cannot convert {} to number", kind(other))),
    }
}

fn tobool(args: FuncArgs) -> Result<Value, String> {
    match &args[0] {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        other => Err(format!(
            "cannot convert {} to bool; only \"true\" or \"false\" are allowed",
            kind(other)
        )),
    }
}

/// Parses an integer or float the way HCL numbers are written.
pub(crate) fn parse_number(s: &str) -> Option<hcl::Number> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Some(hcl::Number::from(i));
    }
    s.parse::<f64>().ok().and_then(hcl::Number::from_f64)
}

fn parse_url(s: &str) -> Result<url::Url, String> {
    url::Url::parse(s).map_err(|e| format!("invalid URL {s:?}: {e}"))
}

// Atlas: `u.Path = path` on the parsed URL, so the path component (the MySQL database, the
// PostgreSQL database name, the SQLite file for URLs without a host) is replaced and query
// parameters such as `search_path` are kept.
fn urlsetpath(args: FuncArgs) -> Result<Value, String> {
    let mut u = parse_url(str_arg(&args, 0)?)?;
    u.set_path(str_arg(&args, 1)?);
    Ok(Value::String(u.to_string()))
}

// Atlas: sets (replaces) one query parameter; Go re-encodes the query sorted by key.
fn urlqueryset(args: FuncArgs) -> Result<Value, String> {
    let mut u = parse_url(str_arg(&args, 0)?)?;
    let (key, value) = (str_arg(&args, 1)?, str_arg(&args, 2)?);
    let mut pairs: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| k != key)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.push((key.to_owned(), value.to_owned()));
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    u.query_pairs_mut().clear().extend_pairs(pairs);
    Ok(Value::String(u.to_string()))
}

/// Go's `url.QueryEscape`: unreserved characters stay, space becomes `+`, the rest `%XX`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn urlescape(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(query_escape(str_arg(&args, 0)?)))
}

fn urluserinfo(args: FuncArgs) -> Result<Value, String> {
    let mut u = parse_url(str_arg(&args, 0)?)?;
    u.set_username(str_arg(&args, 1)?)
        .map_err(|()| "URL cannot carry a user".to_owned())?;
    let password = args.get(2).and_then(Value::as_str);
    u.set_password(password)
        .map_err(|()| "URL cannot carry a password".to_owned())?;
    Ok(Value::String(u.to_string()))
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

// The verbs Atlas's examples use: %s, %d, %q (JSON-quoted), %v, %t and %%.
fn format(args: FuncArgs) -> Result<Value, String> {
    let spec = str_arg(&args, 0)?;
    let mut rest = args.iter().skip(1);
    let mut out = String::new();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars.next().ok_or("format string ends with %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = rest
            .next()
            .ok_or_else(|| format!("not enough arguments for %{verb}"))?;
        match verb {
            's' | 'v' | 'd' | 't' => out.push_str(&plain(arg)),
            'q' => out.push_str(&serde_json::to_string(&plain(arg)).unwrap_or_default()),
            other => return Err(format!("unsupported format verb %{other}")),
        }
    }
    Ok(Value::String(out))
}

fn jsonencode(args: FuncArgs) -> Result<Value, String> {
    serde_json::to_string(&args[0])
        .map(Value::String)
        .map_err(|e| e.to_string())
}

fn jsondecode(args: FuncArgs) -> Result<Value, String> {
    serde_json::from_str(str_arg(&args, 0)?).map_err(|e| format!("invalid JSON: {e}"))
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str_arg(&args, 0)?.to_lowercase()))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str_arg(&args, 0)?.to_uppercase()))
}

fn trimspace(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str_arg(&args, 0)?.trim().to_owned()))
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let sep = str_arg(&args, 0)?;
    let parts: Vec<String> = args[1]
        .as_array()
        .map(|a| a.iter().map(plain).collect())
        .unwrap_or_default();
    Ok(Value::String(parts.join(sep)))
}

fn split(args: FuncArgs) -> Result<Value, String> {
    let (sep, s) = (str_arg(&args, 0)?, str_arg(&args, 1)?);
    Ok(Value::Array(
        s.split(sep).map(|p| Value::String(p.to_owned())).collect(),
    ))
}

fn replace(args: FuncArgs) -> Result<Value, String> {
    let (s, from, to) = (str_arg(&args, 0)?, str_arg(&args, 1)?, str_arg(&args, 2)?);
    Ok(Value::String(s.replace(from, to)))
}

fn startswith(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(
        str_arg(&args, 0)?.starts_with(str_arg(&args, 1)?),
    ))
}

fn endswith(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(
        str_arg(&args, 0)?.ends_with(str_arg(&args, 1)?),
    ))
}

fn length(args: FuncArgs) -> Result<Value, String> {
    let n = match &args[0] {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        other => return Err(format!("cannot take the length of {}", kind(other))),
    };
    Ok(Value::Number(hcl::Number::from(n as u64)))
}

fn contains(args: FuncArgs) -> Result<Value, String> {
    let list = args[0].as_array().cloned().unwrap_or_default();
    Ok(Value::Bool(list.contains(&args[1])))
}

fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for list in args.iter() {
        out.extend(list.as_array().cloned().unwrap_or_default());
    }
    Ok(Value::Array(out))
}

fn keys(args: FuncArgs) -> Result<Value, String> {
    let mut keys: Vec<String> = args[0]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    Ok(Value::Array(keys.into_iter().map(Value::String).collect()))
}

fn values(args: FuncArgs) -> Result<Value, String> {
    let mut entries: Vec<(String, Value)> = args[0]
        .as_object()
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Value::Array(entries.into_iter().map(|(_, v)| v).collect()))
}

fn merge(args: FuncArgs) -> Result<Value, String> {
    let mut out = hcl::Map::new();
    for obj in args.iter() {
        if let Some(o) = obj.as_object() {
            for (k, v) in o {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(Value::Object(out))
}

/// A value's type, as HCL error messages name it.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}
