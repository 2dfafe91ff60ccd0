//! Writes ER documentation of a pagila-sized realm (the PostgreSQL sample database's 15
//! tables, built in code) as `pagila.html`, `pagila.mmd` and `pagila.dot` into the directory
//! given as the first argument (default: the current directory). Used with
//! `scripts/render-erd.sh` to look at the output.
//!
//! ```text
//! cargo run -p mercator-project --example pagila_erd -- /tmp/erd
//! ```

use std::path::PathBuf;

use schema_model::*;

fn col(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty).not_null()
}

fn int() -> ColumnType {
    ColumnType::int(IntWidth::Int)
}

fn small() -> ColumnType {
    ColumnType::int(IntWidth::Small)
}

fn text() -> ColumnType {
    ColumnType::string(StringKind::Text, None)
}

fn varchar(n: u32) -> ColumnType {
    ColumnType::string(StringKind::Varchar, Some(n))
}

fn ts() -> ColumnType {
    ColumnType::Time {
        time: TimeKind::TimestampTz,
        precision: None,
        fields: None,
    }
}

fn last_update() -> Column {
    col("last_update", ts()).with_default(DefaultValue::Expr("now()".into()))
}

fn table(name: &str, columns: Vec<Column>, pk: &[&str]) -> Table {
    let mut t = Table::new(name);
    t.columns = columns;
    let mut key = PrimaryKey::on_columns(pk);
    key.name = Some(format!("{name}_pkey"));
    t.primary_key = Some(key);
    t
}

fn fk(t: &mut Table, column: &str, target: &str, target_column: &str) {
    t.foreign_keys.push(ForeignKey {
        name: format!("{}_{column}_fkey", t.name),
        columns: vec![column.into()],
        ref_table: QualifiedName::bare(target),
        ref_columns: vec![target_column.into()],
        on_update: ReferentialAction::Cascade,
        on_delete: ReferentialAction::Restrict,
        deferrable: Deferrable::Not,
        match_full: false,
    });
    t.indexes
        .push(Index::on_columns(format!("idx_fk_{column}"), &[column]));
}

fn pagila() -> Realm {
    let actor = table(
        "actor",
        vec![
            col("actor_id", int()),
            col("first_name", text()),
            col("last_name", text()),
            last_update(),
        ],
        &["actor_id"],
    );
    let category = table(
        "category",
        vec![
            col("category_id", int()),
            col("name", text()),
            last_update(),
        ],
        &["category_id"],
    );
    let country = table(
        "country",
        vec![
            col("country_id", int()),
            col("country", text()),
            last_update(),
        ],
        &["country_id"],
    );
    let mut city = table(
        "city",
        vec![
            col("city_id", int()),
            col("city", text()),
            col("country_id", small()),
            last_update(),
        ],
        &["city_id"],
    );
    fk(&mut city, "country_id", "country", "country_id");
    let mut address = table(
        "address",
        vec![
            col("address_id", int()),
            col("address", text()),
            Column::new("address2", text()),
            col("district", text()),
            col("city_id", small()),
            Column::new("postal_code", text()),
            col("phone", text()),
            last_update(),
        ],
        &["address_id"],
    );
    fk(&mut address, "city_id", "city", "city_id");
    let language = table(
        "language",
        vec![
            col("language_id", int()),
            col("name", ColumnType::string(StringKind::Char, Some(20))),
            last_update(),
        ],
        &["language_id"],
    );
    let mut film = table(
        "film",
        vec![
            col("film_id", int()),
            col("title", text()),
            Column::new("description", text()),
            Column::new(
                "release_year",
                ColumnType::UserDefined {
                    name: QualifiedName::bare("year"),
                },
            ),
            col("language_id", small()),
            Column::new("original_language_id", small()),
            col("rental_duration", small()).with_default(DefaultValue::Literal("3".into())),
            col(
                "rental_rate",
                ColumnType::Decimal {
                    precision: Some(4),
                    scale: Some(2),
                    unsigned: false,
                },
            ),
            Column::new("length", small()),
            col(
                "replacement_cost",
                ColumnType::Decimal {
                    precision: Some(5),
                    scale: Some(2),
                    unsigned: false,
                },
            ),
            Column::new(
                "rating",
                ColumnType::Enum {
                    name: Some(QualifiedName::bare("mpaa_rating")),
                    values: vec![],
                },
            ),
            last_update(),
            Column::new(
                "special_features",
                ColumnType::Array {
                    element: Box::new(text()),
                    dimensions: 1,
                },
            ),
            col("fulltext", ColumnType::raw("tsvector")),
        ],
        &["film_id"],
    );
    film.comment = Some("Films available for rental; fulltext is kept by a trigger.".into());
    fk(&mut film, "language_id", "language", "language_id");
    fk(&mut film, "original_language_id", "language", "language_id");
    let mut ft = Index::on_columns("film_fulltext_idx", &["fulltext"]);
    ft.method = Some("gist".into());
    film.indexes.push(ft);
    let mut film_actor = table(
        "film_actor",
        vec![
            col("actor_id", small()),
            col("film_id", small()),
            last_update(),
        ],
        &["actor_id", "film_id"],
    );
    fk(&mut film_actor, "actor_id", "actor", "actor_id");
    fk(&mut film_actor, "film_id", "film", "film_id");
    let mut film_category = table(
        "film_category",
        vec![
            col("film_id", small()),
            col("category_id", small()),
            last_update(),
        ],
        &["film_id", "category_id"],
    );
    fk(&mut film_category, "film_id", "film", "film_id");
    fk(&mut film_category, "category_id", "category", "category_id");
    let mut store = table(
        "store",
        vec![
            col("store_id", int()),
            col("manager_staff_id", small()),
            col("address_id", small()),
            last_update(),
        ],
        &["store_id"],
    );
    let mut unique_manager = Index::on_columns("idx_unq_manager_staff_id", &["manager_staff_id"]);
    unique_manager.unique = true;
    store.indexes.push(unique_manager);
    fk(&mut store, "address_id", "address", "address_id");
    fk(&mut store, "manager_staff_id", "staff", "staff_id");
    let mut staff = table(
        "staff",
        vec![
            col("staff_id", int()),
            col("first_name", text()),
            col("last_name", text()),
            col("address_id", small()),
            Column::new("email", text()),
            col("store_id", small()),
            col("active", ColumnType::Boolean).with_default(DefaultValue::Literal("true".into())),
            col("username", text()),
            Column::new("password", varchar(40)),
            last_update(),
            Column::new(
                "picture",
                ColumnType::Binary {
                    binary: BinaryKind::Bytea,
                    length: None,
                },
            ),
        ],
        &["staff_id"],
    );
    fk(&mut staff, "address_id", "address", "address_id");
    fk(&mut staff, "store_id", "store", "store_id");
    let mut customer = table(
        "customer",
        vec![
            col("customer_id", int()),
            col("store_id", small()),
            col("first_name", text()),
            col("last_name", text()),
            Column::new("email", text()),
            col("address_id", small()),
            col("activebool", ColumnType::Boolean),
            col(
                "create_date",
                ColumnType::Time {
                    time: TimeKind::Date,
                    precision: None,
                    fields: None,
                },
            ),
            Column::new("last_update", ts()),
            Column::new("active", int()),
        ],
        &["customer_id"],
    );
    fk(&mut customer, "address_id", "address", "address_id");
    fk(&mut customer, "store_id", "store", "store_id");
    let mut inventory = table(
        "inventory",
        vec![
            col("inventory_id", int()),
            col("film_id", small()),
            col("store_id", small()),
            last_update(),
        ],
        &["inventory_id"],
    );
    fk(&mut inventory, "film_id", "film", "film_id");
    fk(&mut inventory, "store_id", "store", "store_id");
    let mut rental = table(
        "rental",
        vec![
            col("rental_id", int()),
            col("rental_date", ts()),
            col("inventory_id", int()),
            col("customer_id", small()),
            Column::new("return_date", ts()),
            col("staff_id", small()),
            last_update(),
        ],
        &["rental_id"],
    );
    fk(&mut rental, "inventory_id", "inventory", "inventory_id");
    fk(&mut rental, "customer_id", "customer", "customer_id");
    fk(&mut rental, "staff_id", "staff", "staff_id");
    let mut payment = table(
        "payment",
        vec![
            col("payment_id", int()),
            col("customer_id", small()),
            col("staff_id", small()),
            col("rental_id", int()),
            col(
                "amount",
                ColumnType::Decimal {
                    precision: Some(5),
                    scale: Some(2),
                    unsigned: false,
                },
            ),
            col("payment_date", ts()),
        ],
        &["payment_date", "payment_id"],
    );
    payment.comment = Some("Partitioned by payment_date in the original.".into());
    fk(&mut payment, "customer_id", "customer", "customer_id");
    fk(&mut payment, "staff_id", "staff", "staff_id");
    fk(&mut payment, "rental_id", "rental", "rental_id");
    payment.checks.push(Check {
        name: Some("payment_amount_check".into()),
        expr: "amount >= 0".into(),
        no_inherit: false,
        not_enforced: false,
    });
    let mut public = Schema::new("public");
    public.tables = vec![
        actor,
        address,
        category,
        city,
        country,
        customer,
        film,
        film_actor,
        film_category,
        inventory,
        language,
        payment,
        rental,
        staff,
        store,
    ];
    public.views.push(View::new(
        "actor_info",
        "SELECT a.actor_id, a.first_name, a.last_name FROM actor a",
    ));
    Realm::new(vec![public])
}

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    std::fs::create_dir_all(&dir)?;
    let realm = pagila();
    std::fs::write(dir.join("pagila.html"), to_html(&realm))?;
    std::fs::write(dir.join("pagila.mmd"), to_mermaid(&realm))?;
    std::fs::write(dir.join("pagila.dot"), to_dot(&realm))?;
    println!(
        "wrote pagila.html, pagila.mmd and pagila.dot ({} tables) to {}",
        realm.table_count(),
        dir.display()
    );
    Ok(())
}
