//! Puts the built-in rulebook's version into `--version`, read from rules/rulebook.yaml
//! with a plain scan (no YAML parser in the build script).

fn main() {
    println!("cargo:rerun-if-changed=rules/rulebook.yaml");
    let text = std::fs::read_to_string("rules/rulebook.yaml").unwrap_or_default();
    let version = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("version:"))
        .map(|v| v.trim().trim_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=MASSAGE_CHECK_RULEBOOK_VERSION={version}");
}
