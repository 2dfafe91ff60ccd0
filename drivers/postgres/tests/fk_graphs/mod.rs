//! Random schemas with foreign-key graphs, and random changes to them, for the
//! dependency property tests of the PostgreSQL and MySQL drivers (the MySQL tests include
//! this file by path). A schema is a small model rendered as SQL both servers accept;
//! changes retype and widen referenced keys, drop and re-add unique keys, rename primary
//! keys, drop columns read by views, change or drop foreign keys and drop tables.

#![allow(dead_code)]

use proptest::prelude::*;

/// A foreign key to an earlier table, by its primary key or by its unique `code`.
#[derive(Debug, Clone)]
pub struct Fk {
    pub target: usize,
    pub by_code: bool,
    pub on_delete: &'static str,
    pub on_update: &'static str,
}

/// A table `t<i>`: `id` (int or bigint) primary key, `code` (varchar(8|16)) maybe unique,
/// maybe a column `v`, and one referencing column per foreign key.
#[derive(Debug, Clone)]
pub struct Table {
    pub wide_id: bool,
    pub code_len: u32,
    pub unique_code: bool,
    pub other_pk_name: bool,
    pub has_v: bool,
    pub fks: Vec<Fk>,
    pub dropped: bool,
}

/// A view `v<i>` over one table, reading `v` or not.
#[derive(Debug, Clone)]
pub struct View {
    pub table: usize,
    pub reads_v: bool,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub tables: Vec<Table>,
    pub views: Vec<View>,
}

const ACTIONS: [&str; 3] = ["NO ACTION", "CASCADE", "SET NULL"];
const UPDATE_ACTIONS: [&str; 2] = ["NO ACTION", "CASCADE"];

/// One change of the model.
#[derive(Debug, Clone)]
pub enum Mutation {
    RetypeId(usize),
    ResizeCode(usize),
    ToggleUnique(usize),
    RenameKey(usize),
    DropV(usize),
    AddV(usize),
    FkActions(usize, usize, usize),
    DropFk(usize, usize),
    DropTable(usize),
}

impl Model {
    /// Applies a change, keeping the model valid (no reference to what is gone).
    pub fn apply(&mut self, m: &Mutation) {
        let n = self.tables.len();
        match *m {
            Mutation::RetypeId(i) => self.tables[i % n].wide_id ^= true,
            Mutation::ResizeCode(i) => {
                let t = &mut self.tables[i % n];
                t.code_len = if t.code_len == 8 { 16 } else { 8 };
            }
            Mutation::ToggleUnique(i) => {
                let i = i % n;
                self.tables[i].unique_code ^= true;
                if !self.tables[i].unique_code {
                    for t in &mut self.tables {
                        t.fks.retain(|fk| !(fk.target == i && fk.by_code));
                    }
                }
            }
            Mutation::RenameKey(i) => self.tables[i % n].other_pk_name ^= true,
            Mutation::DropV(i) => {
                let i = i % n;
                self.tables[i].has_v = false;
                for v in &mut self.views {
                    if v.table == i {
                        v.reads_v = false;
                    }
                }
            }
            Mutation::AddV(i) => self.tables[i % n].has_v = true,
            Mutation::FkActions(i, a, b) => {
                let t = &mut self.tables[i % n];
                let len = t.fks.len();
                if len > 0 {
                    let fk = &mut t.fks[(a + b) % len];
                    fk.on_delete = ACTIONS[a % ACTIONS.len()];
                    fk.on_update = UPDATE_ACTIONS[b % UPDATE_ACTIONS.len()];
                }
            }
            Mutation::DropFk(i, k) => {
                let t = &mut self.tables[i % n];
                if !t.fks.is_empty() {
                    let k = k % t.fks.len();
                    t.fks.remove(k);
                }
            }
            Mutation::DropTable(i) => {
                let i = i % n;
                self.tables[i].dropped = true;
                for t in &mut self.tables {
                    t.fks.retain(|fk| fk.target != i);
                }
                self.views.retain(|v| v.table != i);
            }
        }
    }

    fn id_type(&self, i: usize) -> &'static str {
        if self.tables[i].wide_id {
            "bigint"
        } else {
            "int"
        }
    }

    /// The column a foreign key uses: named after the target and the referenced column
    /// (so a changed foreign key keeps its column where it can).
    fn fk_column(fk: &Fk) -> String {
        format!("r{}_{}", fk.target, if fk.by_code { "code" } else { "id" })
    }

    fn fk_name(i: usize, fk: &Fk) -> String {
        format!("t{i}_{}", Self::fk_column(fk))
    }

    /// The schema as SQL; `postgres` picks the spelling where the servers differ.
    pub fn sql(&self, postgres: bool) -> String {
        let mut out = String::new();
        for (i, t) in self.tables.iter().enumerate() {
            if t.dropped {
                continue;
            }
            let mut body = vec![
                format!("id {} NOT NULL", self.id_type(i)),
                format!("code varchar({}) NOT NULL", t.code_len),
            ];
            if t.has_v {
                body.push("v int".into());
            }
            let mut columns: Vec<String> = Vec::new();
            for fk in &t.fks {
                let column = Self::fk_column(fk);
                if !columns.contains(&column) {
                    let ty = if fk.by_code {
                        format!("varchar({})", self.tables[fk.target].code_len)
                    } else {
                        self.id_type(fk.target).to_owned()
                    };
                    body.push(format!("{column} {ty}"));
                    columns.push(column);
                }
            }
            if t.other_pk_name && postgres {
                body.push(format!("CONSTRAINT t{i}_key PRIMARY KEY (id)"));
            } else {
                body.push("PRIMARY KEY (id)".into());
            }
            if t.unique_code {
                body.push(format!("CONSTRAINT t{i}_code UNIQUE (code)"));
            }
            let mut seen = Vec::new();
            for fk in &t.fks {
                let name = Self::fk_name(i, fk);
                if seen.contains(&name) {
                    continue;
                }
                seen.push(name.clone());
                body.push(format!(
                    "CONSTRAINT {name} FOREIGN KEY ({}) REFERENCES t{} ({}) ON DELETE {} ON UPDATE {}",
                    Self::fk_column(fk),
                    fk.target,
                    if fk.by_code { "code" } else { "id" },
                    fk.on_delete,
                    fk.on_update
                ));
            }
            out.push_str(&format!(
                "CREATE TABLE t{i} (\n  {}\n);\n",
                body.join(",\n  ")
            ));
        }
        for (k, v) in self.views.iter().enumerate() {
            let columns = if v.reads_v && self.tables[v.table].has_v {
                "id, code, v"
            } else {
                "id, code"
            };
            out.push_str(&format!(
                "CREATE VIEW v{k} AS SELECT {columns} FROM t{};\n",
                v.table
            ));
        }
        out
    }

    /// Three rows per table, every reference pointing at the row of the same id.
    pub fn rows(&self) -> String {
        let mut out = String::new();
        for (i, t) in self.tables.iter().enumerate() {
            if t.dropped {
                continue;
            }
            let mut columns = vec!["id".to_owned(), "code".to_owned()];
            let mut refs: Vec<&Fk> = Vec::new();
            for fk in &t.fks {
                let column = Self::fk_column(fk);
                if !columns.contains(&column) {
                    columns.push(column);
                    refs.push(fk);
                }
            }
            for id in 1..=3 {
                let mut values = vec![id.to_string(), format!("'c{id}'")];
                for fk in &refs {
                    values.push(if fk.by_code {
                        format!("'c{id}'")
                    } else {
                        id.to_string()
                    });
                }
                out.push_str(&format!(
                    "INSERT INTO t{i} ({}) VALUES ({});\n",
                    columns.join(", "),
                    values.join(", ")
                ));
            }
        }
        out
    }

    /// Conditions that hold when every kept table still has its three rows.
    pub fn checks(&self) -> Vec<String> {
        self.tables
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.dropped)
            .map(|(i, _)| format!("(SELECT count(*) FROM t{i} WHERE id + 0 IN (1, 2, 3)) = 3"))
            .collect()
    }
}

fn fk_strategy(tables: usize) -> impl Strategy<Value = (usize, Fk)> {
    (1..tables, 0..64usize, any::<bool>(), 0..3usize, 0..2usize).prop_map(
        move |(from, target, by_code, d, u)| {
            (
                from,
                Fk {
                    target: target % from,
                    by_code,
                    on_delete: ACTIONS[d],
                    on_update: UPDATE_ACTIONS[u],
                },
            )
        },
    )
}

/// A random model: 2–5 tables, up to 6 foreign keys to earlier tables, up to 3 views.
pub fn model() -> impl Strategy<Value = Model> {
    (2..6usize)
        .prop_flat_map(|n| {
            (
                proptest::collection::vec(
                    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
                    n,
                ),
                proptest::collection::vec(fk_strategy(n), 0..7),
                proptest::collection::vec((0..n, any::<bool>()), 0..4),
            )
        })
        .prop_map(|(tables, fks, views)| {
            let mut tables: Vec<Table> = tables
                .into_iter()
                .map(|(wide_id, long_code, unique_code, has_v)| Table {
                    wide_id,
                    code_len: if long_code { 16 } else { 8 },
                    unique_code,
                    other_pk_name: false,
                    has_v,
                    fks: Vec::new(),
                    dropped: false,
                })
                .collect();
            for (from, mut fk) in fks {
                if fk.by_code && !tables[fk.target].unique_code {
                    fk.by_code = false;
                }
                let column = Model::fk_column(&fk);
                if !tables[from]
                    .fks
                    .iter()
                    .any(|f| Model::fk_column(f) == column)
                {
                    tables[from].fks.push(fk);
                }
            }
            let views = views
                .into_iter()
                .map(|(table, reads_v)| View { table, reads_v })
                .collect();
            Model { tables, views }
        })
}

/// Random changes (1–4) to apply to a model.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        3 => (0..64usize).prop_map(Mutation::RetypeId),
        2 => (0..64usize).prop_map(Mutation::ResizeCode),
        2 => (0..64usize).prop_map(Mutation::ToggleUnique),
        2 => (0..64usize).prop_map(Mutation::RenameKey),
        2 => (0..64usize).prop_map(Mutation::DropV),
        1 => (0..64usize).prop_map(Mutation::AddV),
        2 => (0..64usize, 0..64usize, 0..64usize)
            .prop_map(|(i, a, b)| Mutation::FkActions(i, a, b)),
        1 => (0..64usize, 0..64usize).prop_map(|(i, k)| Mutation::DropFk(i, k)),
        1 => (0..64usize).prop_map(Mutation::DropTable),
    ];
    proptest::collection::vec(one, 1..5)
}

/// The number of cases: `PROPTEST_CASES`, or a small default that keeps the suite fast.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8)
}
