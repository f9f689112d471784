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
    &["manual", "signals", "markdown_files"],
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

/// `text` with comments, string and character literals blanked (newlines kept), so
/// braces inside them do not count.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let skip_to = |end: Option<usize>| end.map_or(bytes.len(), |e| i + e);
        let (next, blank) = if rest.starts_with("//") {
            (skip_to(rest.find('\n')), true)
        } else if rest.starts_with("/*") {
            (skip_to(rest.find("*/").map(|e| e + 2)), true)
        } else if let Some(raw) = rest.strip_prefix("r#\"") {
            (skip_to(raw.find("\"#").map(|e| e + 5)), true)
        } else if rest.starts_with('"') {
            let mut j = 1;
            while j < rest.len() && rest.as_bytes()[j] != b'"' {
                j += if rest.as_bytes()[j] == b'\\' { 2 } else { 1 };
            }
            (i + j + 1, true)
        } else if rest.starts_with('\'') && (rest.get(2..3) == Some("'") || rest.starts_with("'\\"))
        {
            (skip_to(rest[1..].find('\'').map(|e| e + 2)), true)
        } else {
            let c = rest.chars().next().expect("a char");
            (i + c.len_utf8(), false)
        };
        let next = next.min(bytes.len());
        if blank {
            out.extend(text[i..next].chars().filter(|&c| c == '\n'));
        } else {
            out.push_str(&text[i..next]);
        }
        i = next;
    }
    out
}

/// No function in `src/` runs past 120 lines: a longer one is split into named steps.
#[test]
fn no_function_is_longer_than_120_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut longest = (0, String::new());
    let mut too_long = Vec::new();
    for file in files {
        let code = code_only(&std::fs::read_to_string(&file).expect("read"));
        let lines: Vec<&str> = code.lines().collect();
        for (start, line) in lines.iter().enumerate() {
            let Some(at) = line.find("fn ") else { continue };
            if at > 0 && line.as_bytes()[at - 1].is_ascii_alphanumeric() {
                continue;
            }
            let (mut depth, mut opened) = (0i32, false);
            let mut end = start;
            'body: for (n, l) in lines.iter().enumerate().skip(start) {
                for c in l.chars() {
                    match c {
                        '{' => (depth, opened) = (depth + 1, true),
                        '}' => depth -= 1,
                        ';' if !opened => break 'body,
                        _ => {}
                    }
                    if opened && depth == 0 {
                        end = n;
                        break 'body;
                    }
                }
            }
            let length = end + 1 - start;
            let name = format!("{}:{}", file.display(), start + 1);
            if opened && length > longest.0 {
                longest = (length, name.clone());
            }
            if opened && length > 120 {
                too_long.push(format!("{name}: {length} lines"));
            }
        }
    }
    assert!(
        too_long.is_empty(),
        "split these into named steps:\n{}",
        too_long.join("\n")
    );
    assert!(
        longest.0 > 60,
        "the scan finds function bodies: {longest:?}"
    );
}
