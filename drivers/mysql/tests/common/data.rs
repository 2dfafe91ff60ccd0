//! Sample rows for the data-keeping variant of the migration property.

use mysql_async::prelude::Queryable;
use schema_model::{ColumnType, Realm, TimeKind};

/// A literal that fits the column type (and converts to most other types).
fn sample(ty: &ColumnType) -> Option<String> {
    Some(match ty {
        ColumnType::Integer { .. }
        | ColumnType::Decimal { .. }
        | ColumnType::Float { .. }
        | ColumnType::Boolean => "1".into(),
        ColumnType::String { .. } | ColumnType::Binary { .. } | ColumnType::Raw { .. } => {
            "'1'".into()
        }
        ColumnType::Bit { .. } => "b'1'".into(),
        ColumnType::Time { time, .. } => match time {
            TimeKind::Date => "'2020-01-02'".into(),
            TimeKind::Time => "'10:00:00'".into(),
            TimeKind::Year => "2020".into(),
            _ => "'2020-01-02 03:04:05'".into(),
        },
        ColumnType::Json { .. } => "'{\"a\": 1}'".into(),
        ColumnType::Enum { values, .. } | ColumnType::Set { values } => {
            format!("'{}'", values.first()?.replace('\'', "''"))
        }
        ColumnType::Spatial { name } if name == "point" || name == "geometry" => {
            "ST_GeomFromText('POINT(1 1)')".into()
        }
        ColumnType::Uuid => "UUID()".into(),
        _ => return None,
    })
}

/// Inserts one row into every table of `realm` (schema `db`), ignoring rows the
/// constraints refuse. Returns the tables that got a row.
pub async fn insert_rows(db_url: &str, realm: &Realm) -> Vec<String> {
    let Ok(mut conn) = mysql_async::Conn::new(
        mysql_async::Opts::from_url(&db_url.replacen("maria", "mysql", 1)).expect("url"),
    )
    .await
    else {
        return Vec::new();
    };
    let _ = conn.query_drop("SET FOREIGN_KEY_CHECKS = 0").await;
    let mut filled = Vec::new();
    for schema in &realm.schemas {
        for table in &schema.tables {
            let mut names = Vec::new();
            let mut values = Vec::new();
            for column in &table.columns {
                if column.generated.is_some() || column.auto_increment {
                    continue;
                }
                if let Some(v) = sample(&column.ty) {
                    names.push(format!("`{}`", column.name));
                    values.push(v);
                }
            }
            let sql = format!(
                "INSERT INTO `{}` ({}) VALUES ({})",
                table.name,
                names.join(", "),
                values.join(", ")
            );
            if conn.query_drop(&sql).await.is_ok() {
                filled.push(table.name.clone());
            }
        }
    }
    let _ = conn.disconnect().await;
    filled
}

/// Tables among `tables` that have no row left.
pub async fn emptied(db_url: &str, tables: &[String]) -> Vec<String> {
    let Ok(mut conn) = mysql_async::Conn::new(
        mysql_async::Opts::from_url(&db_url.replacen("maria", "mysql", 1)).expect("url"),
    )
    .await
    else {
        return tables.to_vec();
    };
    let mut out = Vec::new();
    for table in tables {
        let count: Option<u64> = conn
            .query_first(format!("SELECT COUNT(*) FROM `{table}`"))
            .await
            .ok()
            .flatten();
        if count.unwrap_or(0) == 0 {
            out.push(table.clone());
        }
    }
    let _ = conn.disconnect().await;
    out
}
