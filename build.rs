//! Validates the built-in rulebook (`rules/*.yaml`) when the binary is built, with the
//! same loader, validator and reachability analysis as `--rules DIR`, and writes the
//! image the binary reads at start-up (`OUT_DIR/builtin-rulebook.image`). A broken rule
//! fails the build with the validator's message. It also puts the rulebook's version
//! into `--version`.
//!
//! The library's rulebook and engine code is compiled into this script as it is (the
//! `#[path]` modules below), so there is one validator, not a copy of it.
#![allow(dead_code, unused_imports, unused_macros, unreachable_pub)]

// The library includes the image this script writes; this script's copy of the code
// has none yet.
macro_rules! builtin_image {
    () => {
        &[]
    };
}

#[path = "src/answers/mod.rs"]
mod answers;
#[path = "src/date.rs"]
mod date;
#[path = "src/engine/mod.rs"]
mod engine;
#[path = "src/printable.rs"]
mod printable;
#[path = "src/rulebook/mod.rs"]
mod rulebook;
#[path = "src/suggest.rs"]
mod suggest;
#[path = "src/yaml.rs"]
mod yaml;

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=rules");
    for dir in ["src/rulebook", "src/engine", "src/answers"] {
        println!("cargo::rerun-if-changed={dir}");
    }
    for file in [
        "src/date.rs",
        "src/printable.rs",
        "src/suggest.rs",
        "src/yaml.rs",
    ] {
        println!("cargo::rerun-if-changed={file}");
    }
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    // The files the binary embeds, read from disk under the names it gives them.
    let mut files = Vec::new();
    for (name, _) in rulebook::builtin::FILES {
        let path = root.join("rules").join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((format!("rules/{name}"), text)),
            Err(e) => fail(&[format!("cannot read {}: {e}", path.display())]),
        }
    }
    let book = match rulebook::Rulebook::from_texts(files.clone()) {
        Ok(book) => book,
        Err(e) => fail(&problems(&e)),
    };
    let engine = match engine::Engine::new(book) {
        Ok(engine) => engine,
        Err(e) => fail(&problems(&e)),
    };
    let image = match rulebook::image::write(engine.book(), &files) {
        Ok(image) => image,
        Err(e) => fail(&[format!("cannot write the rulebook's image: {e}")]),
    };
    // Read back as the binary will read it at every start (leaked: the build script ends
    // soon after, and the reader lends texts for the rest of the run).
    if let Err(e) = rulebook::image::verify(Box::leak(image.clone().into_boxed_slice())) {
        fail(&[format!("the rulebook's image does not read back: {e}")]);
    }
    // `--version` names the rulebook's version.
    println!(
        "cargo::rustc-env=MASSAGE_CHECK_RULEBOOK_VERSION={}",
        engine.book().meta.version
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    if let Err(e) = std::fs::write(out.join("builtin-rulebook.image"), image) {
        fail(&[format!("cannot write the rulebook's image: {e}")]);
    }
}

fn problems(e: &rulebook::RulebookError) -> Vec<String> {
    match e.problems() {
        [] => vec![e.to_string()],
        problems => problems.iter().map(ToString::to_string).collect(),
    }
}

/// Ends the build with the rulebook's problems, one per line, as `rules check` shows them.
fn fail(problems: &[String]) -> ! {
    eprintln!(
        "the built-in rulebook (rules/) has {} problem(s):",
        problems.len()
    );
    for p in problems {
        eprintln!("  {p}");
    }
    std::process::exit(1);
}
