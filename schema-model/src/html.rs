//! One self-contained HTML page documenting a realm: a diagram drawn as inline SVG (no
//! scripts, stylesheets, fonts or images from anywhere), then every table with its columns,
//! keys, indexes, checks, comments and foreign keys linked to the tables they reference.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::erd::{key_markers, target_schema, type_display};
use crate::{Index, IndexTarget, Realm, Schema, Table, fingerprint};

/// Escapes text for HTML element content and quoted attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The element id of a table: `t-SCHEMA-TABLE`, with every byte outside `[A-Za-z0-9_]`
/// (the `-` separator included) written as `.XX`, so distinct tables never share an id and
/// the id needs no escaping in a URL fragment.
fn anchor(schema: &str, table: &str) -> String {
    fn part(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b == b'_' {
                out.push(b as char);
            } else {
                let _ = write!(out, ".{b:02X}");
            }
        }
        out
    }
    format!("t-{}-{}", part(schema), part(table))
}

type Key = (String, String);

fn key(schema: &str, table: &str) -> Key {
    (schema.to_owned(), table.to_owned())
}

/// Renders the realm as one HTML document. The output depends only on the realm, so equal
/// realms give byte-identical pages.
pub fn to_html(realm: &Realm) -> String {
    let tables: BTreeMap<Key, (&Schema, &Table)> = realm
        .schemas
        .iter()
        .flat_map(|s| {
            s.tables
                .iter()
                .map(move |t| (key(&s.name, &t.name), (s, t)))
        })
        .collect();
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>Schema documentation</title>\n<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1>Schema documentation</h1>\n");
    // A realm that cannot be fingerprinted still gets its page, only without the line.
    let print = match fingerprint(realm) {
        Ok(print) => format!(" Fingerprint <code>{}</code>.", esc(&print)),
        Err(_) => String::new(),
    };
    let _ = writeln!(
        out,
        "<p class=\"summary\">{} schema(s), {} table(s).{print}</p>",
        realm.schemas.len(),
        realm.table_count(),
    );
    contents(&mut out, realm);
    out.push_str("<h2 id=\"diagram\">Diagram</h2>\n<div class=\"diagram\">\n");
    out.push_str(&diagram(realm, &tables));
    out.push_str("</div>\n");
    for schema in &realm.schemas {
        for table in &schema.tables {
            table_section(&mut out, realm, schema, table, &tables);
        }
        for view in &schema.views {
            let _ = writeln!(
                out,
                "<section class=\"view\">\n<h2><span class=\"schema\">{}.</span>{}{}</h2>",
                esc(&schema.name),
                esc(&view.name),
                if view.materialized {
                    " <small>materialized view</small>"
                } else {
                    " <small>view</small>"
                }
            );
            if let Some(c) = &view.comment {
                let _ = writeln!(out, "<p class=\"comment\">{}</p>", esc(c));
            }
            let _ = writeln!(out, "<pre>{}</pre>\n</section>", esc(&view.definition));
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn contents(out: &mut String, realm: &Realm) {
    out.push_str("<nav>\n<ul>\n<li><a href=\"#diagram\">Diagram</a></li>\n");
    for schema in &realm.schemas {
        let _ = writeln!(out, "<li>{}<ul>", esc(&schema.name));
        for table in &schema.tables {
            let _ = writeln!(
                out,
                "<li><a href=\"#{}\">{}</a></li>",
                esc(&anchor(&schema.name, &table.name)),
                esc(&table.name)
            );
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n</nav>\n");
}

/// A link to a table when it is in the realm, its plain name otherwise.
fn table_link(tables: &BTreeMap<Key, (&Schema, &Table)>, schema: &str, table: &str) -> String {
    let label = format!("{}.{}", esc(schema), esc(table));
    if tables.contains_key(&key(schema, table)) {
        format!("<a href=\"#{}\">{label}</a>", esc(&anchor(schema, table)))
    } else {
        format!("{label} <small>(not in this realm)</small>")
    }
}

fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| esc(c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn index_line(index: &Index) -> String {
    let parts: Vec<String> = index
        .parts
        .iter()
        .map(|p| {
            let mut s = match &p.target {
                IndexTarget::Column(c) => esc(c),
                IndexTarget::Expr(e) => format!("({})", esc(e)),
            };
            if p.desc {
                s.push_str(" DESC");
            }
            s
        })
        .collect();
    let mut line = format!("<code>{}</code> ", esc(&index.name));
    if index.unique {
        line.push_str("<b>UNIQUE</b> ");
    }
    let _ = write!(line, "({})", parts.join(", "));
    if let Some(m) = &index.method {
        let _ = write!(line, " USING {}", esc(m));
    }
    if !index.include.is_empty() {
        let _ = write!(line, " INCLUDE ({})", column_list(&index.include));
    }
    if let Some(p) = &index.predicate {
        let _ = write!(line, " WHERE <code>{}</code>", esc(p));
    }
    if let Some(c) = &index.comment {
        let _ = write!(line, " — {}", esc(c));
    }
    line
}

fn table_section(
    out: &mut String,
    realm: &Realm,
    schema: &Schema,
    table: &Table,
    tables: &BTreeMap<Key, (&Schema, &Table)>,
) {
    let _ = writeln!(
        out,
        "<section class=\"table\" id=\"{}\">\n<h2><span class=\"schema\">{}.</span>{}</h2>",
        esc(&anchor(&schema.name, &table.name)),
        esc(&schema.name),
        esc(&table.name)
    );
    if let Some(c) = &table.comment {
        let _ = writeln!(out, "<p class=\"comment\">{}</p>", esc(c));
    }
    out.push_str("<table class=\"columns\">\n<thead><tr><th>Column</th><th>Type</th><th>Null</th><th>Default</th><th>Key</th><th>Comment</th></tr></thead>\n<tbody>\n");
    for column in &table.columns {
        let keys = key_markers(table, &column.name);
        let default = column
            .default
            .as_ref()
            .map(|d| format!("<code>{}</code>", esc(d.sql())))
            .or_else(|| {
                column
                    .generated
                    .as_ref()
                    .map(|g| format!("<code>GENERATED AS ({})</code>", esc(&g.expr)))
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr{}><td>{}</td><td><code>{}</code></td><td>{}</td><td>{default}</td><td>{}</td><td>{}</td></tr>",
            if keys.contains(&"PK") {
                " class=\"pk\""
            } else {
                ""
            },
            esc(&column.name),
            esc(&type_display(&column.ty)),
            if column.nullable { "yes" } else { "no" },
            keys.join(", "),
            column.comment.as_deref().map(esc).unwrap_or_default()
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(pk) = &table.primary_key {
        let cols: Vec<String> = pk.column_names().map(str::to_owned).collect();
        let _ = writeln!(
            out,
            "<p><b>Primary key</b>{}: ({})</p>",
            pk.name
                .as_deref()
                .map(|n| format!(" <code>{}</code>", esc(n)))
                .unwrap_or_default(),
            column_list(&cols)
        );
    }
    if !table.indexes.is_empty() {
        out.push_str("<h3>Indexes</h3>\n<ul>\n");
        for index in &table.indexes {
            let _ = writeln!(out, "<li>{}</li>", index_line(index));
        }
        out.push_str("</ul>\n");
    }
    if !table.foreign_keys.is_empty() {
        out.push_str("<h3>Foreign keys</h3>\n<ul>\n");
        for fk in &table.foreign_keys {
            let _ = writeln!(
                out,
                "<li><code>{}</code> ({}) → {} ({}){}{}</li>",
                esc(&fk.name),
                column_list(&fk.columns),
                table_link(tables, target_schema(fk, schema), &fk.ref_table.name),
                column_list(&fk.ref_columns),
                if fk.on_update == Default::default() {
                    String::new()
                } else {
                    format!(" ON UPDATE {}", fk.on_update.sql())
                },
                if fk.on_delete == Default::default() {
                    String::new()
                } else {
                    format!(" ON DELETE {}", fk.on_delete.sql())
                },
            );
        }
        out.push_str("</ul>\n");
    }
    let referenced_by: Vec<String> = realm
        .schemas
        .iter()
        .flat_map(|s| s.tables.iter().map(move |t| (s, t)))
        .flat_map(|(s, t)| {
            t.foreign_keys
                .iter()
                .filter(move |fk| {
                    target_schema(fk, s) == schema.name && fk.ref_table.name == table.name
                })
                .map(move |fk| {
                    format!(
                        "<li>{} ({}) via <code>{}</code></li>",
                        table_link(tables, &s.name, &t.name),
                        column_list(&fk.columns),
                        esc(&fk.name)
                    )
                })
        })
        .collect();
    if !referenced_by.is_empty() {
        let _ = writeln!(
            out,
            "<h3>Referenced by</h3>\n<ul>\n{}\n</ul>",
            referenced_by.join("\n")
        );
    }
    if !table.checks.is_empty() {
        out.push_str("<h3>Checks</h3>\n<ul>\n");
        for check in &table.checks {
            let _ = writeln!(
                out,
                "<li>{}<code>{}</code></li>",
                check
                    .name
                    .as_deref()
                    .map(|n| format!("<code>{}</code>: ", esc(n)))
                    .unwrap_or_default(),
                esc(&check.expr)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

// Diagram geometry, in SVG user units. Text is monospace, so widths follow from lengths.
const CHAR_W: f64 = 7.3;
const ROW_H: f64 = 18.0;
const HEAD_H: f64 = 24.0;
const PAD: f64 = 8.0;
const GAP_X: f64 = 110.0;
const GAP_Y: f64 = 28.0;
const MARGIN: f64 = 20.0;
const MAX_COLUMN_H: f64 = 1100.0;
const MAX_BAND_W: f64 = 1400.0;

struct Box<'a> {
    schema: &'a Schema,
    table: &'a Table,
    rows: Vec<(String, String, String)>,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Box<'_> {
    fn row_y(&self, column: &str) -> f64 {
        let i = self
            .table
            .columns
            .iter()
            .position(|c| c.name == column)
            .unwrap_or(0);
        self.y + HEAD_H + ROW_H * (i as f64 + 0.5)
    }
}

/// The layer of every table: 0 for tables that reference no other table in the realm,
/// otherwise one more than the deepest table they reference (references that close a cycle
/// are ignored), so referenced tables sit left of the tables that point at them.
fn layers(tables: &BTreeMap<Key, (&Schema, &Table)>) -> BTreeMap<Key, usize> {
    fn visit(
        k: &Key,
        tables: &BTreeMap<Key, (&Schema, &Table)>,
        done: &mut BTreeMap<Key, usize>,
        on_path: &mut BTreeSet<Key>,
    ) -> usize {
        if let Some(&l) = done.get(k) {
            return l;
        }
        let Some((schema, table)) = tables.get(k) else {
            return 0;
        };
        on_path.insert(k.clone());
        let mut layer = 0;
        for fk in &table.foreign_keys {
            let target = key(target_schema(fk, schema), &fk.ref_table.name);
            if target == *k || on_path.contains(&target) || !tables.contains_key(&target) {
                continue;
            }
            layer = layer.max(visit(&target, tables, done, on_path) + 1);
        }
        on_path.remove(k);
        done.insert(k.clone(), layer);
        layer
    }
    let mut done = BTreeMap::new();
    for k in tables.keys() {
        visit(k, tables, &mut done, &mut BTreeSet::new());
    }
    done
}

fn diagram(realm: &Realm, tables: &BTreeMap<Key, (&Schema, &Table)>) -> String {
    let layer_of = layers(tables);
    let depth = layer_of.values().copied().max().map_or(0, |m| m + 1);
    let qualify = realm.schemas.len() > 1;
    // Build boxes per layer, ordered to keep edges short: layer 0 by name, later layers by
    // the mean position of the tables they reference.
    let mut position: BTreeMap<Key, f64> = BTreeMap::new();
    let mut boxes: Vec<Box<'_>> = Vec::new();
    let mut index_of: BTreeMap<Key, usize> = BTreeMap::new();
    // Box indexes per drawn column: a layer, split where it would grow too tall.
    let mut columns: Vec<Vec<usize>> = Vec::new();
    for layer in 0..depth {
        let mut members: Vec<(f64, &Key)> = layer_of
            .iter()
            .filter(|(_, l)| **l == layer)
            .map(|(k, _)| {
                let (schema, table) = tables[k];
                let targets: Vec<f64> = table
                    .foreign_keys
                    .iter()
                    .filter_map(|fk| {
                        position
                            .get(&key(target_schema(fk, schema), &fk.ref_table.name))
                            .copied()
                    })
                    .collect();
                let mean = if targets.is_empty() {
                    0.0
                } else {
                    targets.iter().sum::<f64>() / targets.len() as f64
                };
                (mean, k)
            })
            .collect();
        members.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        let mut column: Vec<usize> = Vec::new();
        let mut column_h = 0.0;
        for (rank, (_, k)) in members.iter().enumerate() {
            let (schema, table) = tables[*k];
            let rows: Vec<(String, String, String)> = table
                .columns
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        type_display(&c.ty),
                        key_markers(table, &c.name).join(","),
                    )
                })
                .collect();
            let title = if qualify {
                format!("{}.{}", schema.name, table.name)
            } else {
                table.name.clone()
            };
            let name_w = rows
                .iter()
                .map(|r| r.0.chars().count() + r.2.chars().count() + 3)
                .max()
                .unwrap_or(0);
            let type_w = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
            let chars = (name_w + type_w + 2).max(title.chars().count() + 2);
            let w = chars as f64 * CHAR_W + 2.0 * PAD;
            let h = HEAD_H + ROW_H * rows.len().max(1) as f64;
            if !column.is_empty() && column_h + h > MAX_COLUMN_H {
                columns.push(std::mem::take(&mut column));
                column_h = 0.0;
            }
            column_h += h + GAP_Y;
            position.insert((*k).clone(), rank as f64);
            index_of.insert((*k).clone(), boxes.len());
            column.push(boxes.len());
            boxes.push(Box {
                schema,
                table,
                rows,
                x: 0.0,
                y: 0.0,
                w,
                h,
            });
        }
        if !column.is_empty() {
            columns.push(column);
        }
    }
    // Columns run left to right and wrap into a further band below when the page width is
    // used up, so a deep chain of references stays readable.
    let (mut x, mut band_top, mut band_h) = (MARGIN, MARGIN, 0.0f64);
    for column in &columns {
        let column_w = column.iter().map(|&i| boxes[i].w).fold(0.0, f64::max);
        if x > MARGIN && x + column_w > MAX_BAND_W {
            x = MARGIN;
            band_top += band_h + 2.0 * GAP_Y;
            band_h = 0.0;
        }
        let mut y = band_top;
        for &i in column {
            boxes[i].x = x;
            boxes[i].y = y;
            y += boxes[i].h + GAP_Y;
        }
        band_h = band_h.max(y - GAP_Y - band_top);
        x += column_w + GAP_X;
    }
    let width = boxes.iter().map(|b| b.x + b.w).fold(0.0, f64::max) + MARGIN + 60.0;
    let height = boxes.iter().map(|b| b.y + b.h).fold(0.0, f64::max) + MARGIN;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"Entity-relationship diagram\">"
    );
    svg.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#53657d\"/></marker></defs>\n");
    // Edges first, so boxes are drawn over them.
    for b in &boxes {
        for fk in &b.table.foreign_keys {
            let target = key(target_schema(fk, b.schema), &fk.ref_table.name);
            let Some(&ti) = index_of.get(&target) else {
                continue;
            };
            let t = &boxes[ti];
            let y1 = b.row_y(fk.columns.first().map_or("", String::as_str));
            let y2 = t.row_y(fk.ref_columns.first().map_or("", String::as_str));
            let d = if t.x + t.w < b.x {
                // Target to the left: leave from the left edge, enter on the right.
                let (x1, x2) = (b.x, t.x + t.w);
                let bend = ((x1 - x2) / 2.0).max(30.0);
                format!(
                    "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
                    x1 - bend,
                    x2 + bend
                )
            } else if t.x > b.x + b.w {
                // Target to the right (an earlier band): leave right, enter on the left.
                let (x1, x2) = (b.x + b.w, t.x);
                let bend = ((x2 - x1) / 2.0).max(30.0);
                format!(
                    "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
                    x1 + bend,
                    x2 - bend
                )
            } else {
                // Same column (self references, cycles): loop out on the right.
                let (x1, x2) = (b.x + b.w, t.x + t.w);
                let out_x = x1.max(x2) + 40.0;
                format!("M{x1:.1},{y1:.1} C{out_x:.1},{y1:.1} {out_x:.1},{y2:.1} {x2:.1},{y2:.1}")
            };
            let _ = writeln!(
                svg,
                "<path class=\"fk\" d=\"{d}\" marker-end=\"url(#arrow)\"><title>{}</title></path>",
                esc(&fk.name)
            );
        }
    }
    for b in &boxes {
        let title = if qualify {
            format!("{}.{}", b.schema.name, b.table.name)
        } else {
            b.table.name.clone()
        };
        let _ = writeln!(
            svg,
            "<a href=\"#{}\"><g class=\"entity\"><title>{}</title>",
            esc(&anchor(&b.schema.name, &b.table.name)),
            esc(&format!("{}.{}", b.schema.name, b.table.name))
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"box\"/>",
            b.x, b.y, b.w, b.h
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{HEAD_H:.1}\" class=\"head\"/>",
            b.x, b.y, b.w
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"name\">{}</text>",
            b.x + PAD,
            b.y + HEAD_H - 7.0,
            esc(&title)
        );
        for (i, (name, ty, keys)) in b.rows.iter().enumerate() {
            let y = b.y + HEAD_H + ROW_H * (i as f64 + 1.0) - 5.0;
            let class = if keys.contains("PK") { "col pk" } else { "col" };
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{y:.1}\" class=\"{class}\">{}</text><text x=\"{:.1}\" y=\"{y:.1}\" class=\"type\" text-anchor=\"end\">{}</text>",
                b.x + PAD,
                esc(&if keys.is_empty() {
                    name.clone()
                } else {
                    format!("{name} [{keys}]")
                }),
                b.x + b.w - PAD,
                esc(ty)
            );
        }
        svg.push_str("</g></a>\n");
    }
    svg.push_str("</svg>\n");
    svg
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#1d2733;max-width:1500px}
h1{margin-bottom:.2em}
h2{border-bottom:1px solid #ccd5df;padding-bottom:.2em;margin-top:2em}
.schema{color:#6b7a8c;font-weight:normal}
nav ul{columns:3;list-style:none;padding-left:1em}
nav>ul{columns:1}
table.columns{border-collapse:collapse;width:100%}
table.columns th,table.columns td{border:1px solid #ccd5df;padding:.3em .5em;text-align:left;vertical-align:top}
table.columns th{background:#eef2f6}
tr.pk td:first-child{font-weight:bold}
code,pre{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.9em}
pre{background:#f5f7f9;padding:.8em;overflow-x:auto}
.comment{color:#44546a;font-style:italic}
.diagram{overflow:auto;border:1px solid #ccd5df;background:#fbfcfd;max-width:none}
.diagram svg{display:block;max-width:100%;height:auto}
svg .box{fill:#ffffff;stroke:#53657d;stroke-width:1}
svg .head{fill:#dde6f0;stroke:#53657d;stroke-width:1}
svg text{font-family:'DejaVu Sans Mono',ui-monospace,monospace;font-size:12px;fill:#1d2733}
svg .name{font-weight:bold}
svg .pk{font-weight:bold}
svg .type{fill:#5d6d80}
svg .fk{fill:none;stroke:#53657d;stroke-width:1.2;opacity:.8}
svg a:hover .box{stroke:#c2410c;stroke-width:2}
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Column, ColumnType, Deferrable, ForeignKey, IntWidth, PrimaryKey, QualifiedName,
        ReferentialAction, StringKind,
    };

    fn fk(name: &str, col: &str, target: QualifiedName) -> ForeignKey {
        ForeignKey {
            name: name.into(),
            columns: vec![col.into()],
            ref_table: target,
            ref_columns: vec!["id".into()],
            on_update: ReferentialAction::NoAction,
            on_delete: ReferentialAction::Cascade,
            deferrable: Deferrable::Not,
            match_full: false,
        }
    }

    fn hostile() -> Realm {
        let evil = "<script>alert(\"x&y\")</script>'";
        let mut a = Table::new(evil)
            .with_column(Column::new("id", ColumnType::int(IntWidth::Int)).not_null())
            .with_column(Column::new(
                "<b>col</b>",
                ColumnType::raw("varchar(10) <evil>"),
            ));
        a.primary_key = Some(PrimaryKey::on_columns(&["id"]));
        a.comment = Some("</section><img src=x onerror=alert(1)>".into());
        let mut b = Table::new("b/../c d")
            .with_column(Column::new("id", ColumnType::int(IntWidth::Int)))
            .with_column(Column::new(
                "a_id",
                ColumnType::string(StringKind::Text, None),
            ));
        b.foreign_keys
            .push(fk("fk\"<>", "a_id", QualifiedName::bare(evil)));
        b.foreign_keys
            .push(fk("self", "id", QualifiedName::bare("b/../c d")));
        b.foreign_keys.push(fk(
            "away",
            "id",
            QualifiedName::qualified("other", "missing"),
        ));
        Realm::new(vec![Schema::new("s&<").with_table(a).with_table(b)])
    }

    fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
        let needle = format!("{attr}=\"");
        html.match_indices(&needle)
            .map(|(i, _)| {
                let rest = &html[i + needle.len()..];
                &rest[..rest.find('"').unwrap_or(rest.len())]
            })
            .collect()
    }

    #[test]
    fn hostile_names_are_escaped() {
        let html = to_html(&hostile());
        assert!(!html.contains("<script"), "unescaped script tag");
        assert!(!html.contains("<img"), "unescaped comment");
        assert!(!html.contains("<b>col"), "unescaped column");
        assert!(!html.contains("<evil>"), "unescaped type");
        assert!(html.contains("&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"));
        // Only the page's own tags remain: every `<` starts a known element.
        let allowed = [
            "!DOCTYPE", "html", "/html", "head", "/head", "meta", "title", "/title", "style",
            "/style", "body", "/body", "h1", "/h1", "h2", "/h2", "h3", "/h3", "p", "/p", "code",
            "/code", "nav", "/nav", "ul", "/ul", "li", "/li", "a", "/a", "div", "/div", "svg",
            "/svg", "defs", "/defs", "marker", "/marker", "path", "/path", "rect", "text", "/text",
            "g", "/g", "section", "/section", "span", "/span", "table", "/table", "thead",
            "/thead", "tbody", "/tbody", "tr", "/tr", "th", "/th", "td", "/td", "b", "/b", "small",
            "/small", "pre", "/pre",
        ];
        let style_end = html.find("</style>").unwrap();
        for (i, _) in html.match_indices('<').filter(|(i, _)| *i > style_end) {
            let tag: String = html[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '!')
                .collect();
            assert!(
                allowed.contains(&tag.as_str()),
                "unexpected tag {tag:?} at {i}"
            );
        }
    }

    #[test]
    fn links_resolve_and_output_is_deterministic() {
        let realm = hostile();
        let html = to_html(&realm);
        let ids: BTreeSet<&str> = attr_values(&html, "id").into_iter().collect();
        let hrefs = attr_values(&html, "href");
        assert!(hrefs.len() >= 6, "{hrefs:?}");
        for href in hrefs {
            let target = href.strip_prefix('#').expect("in-page link");
            assert!(ids.contains(target), "dangling link {href}");
        }
        // The missing table is named but not linked.
        assert!(html.contains("other.missing <small>(not in this realm)</small>"));
        assert_eq!(html, to_html(&realm.clone()));
        // Both tables are drawn and both in-realm foreign keys have an edge.
        assert_eq!(html.matches("class=\"entity\"").count(), 2);
        assert_eq!(html.matches("class=\"fk\"").count(), 2);
    }

    #[test]
    fn anchors_are_injective() {
        assert_ne!(anchor("a-b", "c"), anchor("a", "b-c"));
        assert_ne!(anchor("a.2D", "b"), anchor("a-", "b"));
        assert_eq!(anchor("public", "film_actor"), "t-public-film_actor");
        assert_eq!(anchor("s", "a b/c"), "t-s-a.20b.2Fc");
    }

    #[test]
    fn referenced_tables_are_laid_out_to_the_left() {
        let mut child =
            Table::new("child").with_column(Column::new("p", ColumnType::int(IntWidth::Int)));
        child
            .foreign_keys
            .push(fk("c_p", "p", QualifiedName::bare("parent")));
        let parent =
            Table::new("parent").with_column(Column::new("id", ColumnType::int(IntWidth::Int)));
        let realm = Realm::new(vec![Schema::new("s").with_table(child).with_table(parent)]);
        let tables: BTreeMap<Key, (&Schema, &Table)> = realm
            .schemas
            .iter()
            .flat_map(|s| {
                s.tables
                    .iter()
                    .map(move |t| (key(&s.name, &t.name), (s, t)))
            })
            .collect();
        let l = layers(&tables);
        assert_eq!(l[&key("s", "parent")], 0);
        assert_eq!(l[&key("s", "child")], 1);
    }
}
