//! Compile-time embedding of migration directories.
//!
//! `embed_migrations!("migrations")` reads the directory (relative to the calling crate's
//! `CARGO_MANIFEST_DIR`) while compiling, checks it against its `atlas.sum` and every file's
//! directives, and expands to a constant `EmbeddedDir` holding the files through
//! `include_bytes!`. A directory that does not match its `atlas.sum` fails the build with an
//! error naming the file and the problem, so a binary can never ship unhashed migrations.
//!
//! ```
//! use mercator_migrate_dir::EmbeddedDir;
//!
//! // Normal users depend on `mercator-migrate` and write `embed_migrations!("migrations")`,
//! // which refers to `::mercator_migrate::dir`; `crate = …` points elsewhere.
//! static MIGRATIONS: EmbeddedDir = mercator_macros::embed_migrations!(
//!     "../migrate-dir/tests/fixtures/atlas/cmdapi-sqlite",
//!     crate = mercator_migrate_dir
//! );
//!
//! let dir = MIGRATIONS.to_dir();
//! assert_eq!(dir.files().len(), 2);
//! dir.validate().expect("checked at compile time already");
//! ```
//!
//! Rebuilds: each file and `atlas.sum` is read with `include_bytes!`, so cargo recompiles when
//! any of them changes. Cargo does not watch the directory itself, so adding a file alone does
//! not trigger a rebuild; but a new file needs a new `atlas.sum` (`mercator migrate hash`), and
//! that change does. Only a directory that had no `atlas.sum` at all (an empty one) is not
//! watched; add `println!("cargo:rerun-if-changed=migrations")` to a `build.rs` to cover it.
//!
//! Paths: the directory is looked up relative to `CARGO_MANIFEST_DIR`, or relative to
//! `MERCATOR_EMBED_BASE_DIR` when that variable is set (a hook for compile-fail tests, whose
//! generated crates live elsewhere). An absolute path is used as is.

#![deny(missing_docs)]

use std::path::{Path, PathBuf};

use mercator_migrate_dir::{MigrationDir, SUM_FILE_NAME};
use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

/// Arguments: a string literal path, then optionally `, crate = some::path`.
struct Args {
    path: LitStr,
    krate: syn::Path,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        let mut krate: syn::Path = syn::parse_quote!(::mercator_migrate::dir);
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            if !input.is_empty() {
                input.parse::<Token![crate]>()?;
                input.parse::<Token![=]>()?;
                krate = input.parse()?;
                if input.peek(Token![,]) {
                    input.parse::<Token![,]>()?;
                }
            }
        }
        if !input.is_empty() {
            return Err(input.error("expected `\"dir\"` or `\"dir\", crate = path`"));
        }
        Ok(Args { path, krate })
    }
}

/// Embeds a migration directory checked against its `atlas.sum`; see the crate documentation.
///
/// `embed_migrations!("migrations")` expands to an expression of type
/// `::mercator_migrate::dir::EmbeddedDir`; `embed_migrations!("migrations", crate = my::path)`
/// names the module that exports `EmbeddedDir` and `EmbeddedFile` instead.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let args = match syn::parse::<Args>(input) {
        Ok(a) => a,
        Err(e) => return e.to_compile_error().into(),
    };
    match expand(&args) {
        Ok(ts) => ts.into(),
        Err(message) => syn::Error::new(args.path.span(), message)
            .to_compile_error()
            .into(),
    }
}

fn base_dir() -> Result<PathBuf, String> {
    std::env::var_os("MERCATOR_EMBED_BASE_DIR")
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
        .ok_or_else(|| {
            "embed_migrations!: CARGO_MANIFEST_DIR is not set (build with cargo)".to_owned()
        })
}

fn expand(args: &Args) -> Result<proc_macro2::TokenStream, String> {
    let dir_path = base_dir()?.join(args.path.value());
    let shown = args.path.value();
    let dir = MigrationDir::open(&dir_path).map_err(|e| {
        format!("embed_migrations!: cannot read migration directory {shown:?}: {e}")
    })?;
    dir.validate()
        .map_err(|e| format!("embed_migrations!: migration directory {shown:?}: {e}"))?;
    for file in dir.files() {
        file.directives()
            .map_err(|e| format!("embed_migrations!: migration directory {shown:?}: {e}"))?;
    }
    let krate = &args.krate;
    let files = dir
        .files()
        .iter()
        .map(|f| {
            let name = f.name();
            let path = path_literal(&dir_path.join(name))?;
            Ok(quote! { #krate::EmbeddedFile { name: #name, bytes: include_bytes!(#path) } })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let sum = if dir.sum_bytes().is_some() {
        let path = path_literal(&dir_path.join(SUM_FILE_NAME))?;
        quote! { ::core::option::Option::Some(include_bytes!(#path)) }
    } else {
        quote! { ::core::option::Option::None }
    };
    Ok(quote! {
        #krate::EmbeddedDir {
            files: &[ #(#files),* ],
            sum: #sum,
        }
    })
}

fn path_literal(path: &Path) -> Result<LitStr, String> {
    path.to_str()
        .map(|p| LitStr::new(p, Span::call_site()))
        .ok_or_else(|| format!("embed_migrations!: path {} is not UTF-8", path.display()))
}
