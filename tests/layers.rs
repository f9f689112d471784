//! The flow is one-way (ARCHITECTURE.md): each module of `src/` may use only modules in a
//! layer below its own. This reads every `crate::` path in `src/` (comments left out) and
//! fails on one that runs up, or from a module this table does not place.

use std::collections::BTreeMap;
use std::path::Path;

/// Every module of the library by layer, lowest first.
const LAYERS: &[&[&str]] = &[
    &[
        "printable",
        "suggest",
        "date",
        "yaml",
        "errors",
        "whole_write",
    ],
    &["rulebook"],
    &["answers"],
    &["engine"],
    &["cases", "report", "describe", "template"],
    &["batch", "interview", "schema"],
    &["cli", "output_file"],
    &["manual", "signals"],
    &["app"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file of `src/` belongs to (`src/engine/logic.rs` -> engine).
fn module_of(path: &Path, src: &Path) -> Option<String> {
    let relative = path.strip_prefix(src).ok()?;
    let first = relative
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    Some(first.trim_end_matches(".rs").to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    let mut uses: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&file, &src).expect("a module");
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            wrong.push(format!(
                "{}: module `{module}` has no layer in tests/layers.rs",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for piece in code.split("crate::").skip(1) {
                let used: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if used.is_empty() || used == module {
                    continue;
                }
                uses.entry(module.clone()).or_default().insert(used.clone());
                match layer_of(&used) {
                    Some(layer) if layer < own => {}
                    Some(_) => wrong.push(format!(
                        "{}:{}: `{module}` uses `{used}`, which is not in a lower layer",
                        file.display(),
                        n + 1
                    )),
                    None => wrong.push(format!(
                        "{}:{}: `{used}` has no layer in tests/layers.rs",
                        file.display(),
                        n + 1
                    )),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that run the wrong way:\n{}",
        wrong.join("\n")
    );
    // The table is not vacuous: the engine uses the layers below it.
    assert!(
        uses.get("engine")
            .is_some_and(|u| u.contains("rulebook") && u.contains("answers"))
    );
}
