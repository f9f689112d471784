//! The README's `console` examples run as tests, so the docs cannot drift from the program.

#[test]
fn readme_examples() {
    trycmd::TestCases::new()
        .register_bin(
            "massage-check",
            std::path::Path::new(env!("CARGO_BIN_EXE_massage-check")),
        )
        .env("NO_COLOR", "1")
        .case("README.md")
        .case("docs/*.md")
        .case("ARCHITECTURE.md");
}

/// The text and Markdown reports of the bundled examples, as the person reads them
/// (`tests/cmd/*.stdout`, reviewed by reading; `TRYCMD=overwrite` rewrites them after a
/// deliberate change).
#[test]
fn report_snapshots() {
    trycmd::TestCases::new()
        .register_bin(
            "massage-check",
            std::path::Path::new(env!("CARGO_BIN_EXE_massage-check")),
        )
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README")
}

fn doc(name: &str) -> String {
    std::fs::read_to_string(format!("{}/docs/{name}", env!("CARGO_MANIFEST_DIR"))).expect(name)
}

/// The README is what a user of the tool needs; rule authoring and development live in
/// `docs/`. Kept short enough to read.
#[test]
fn the_readme_stays_short_and_links_the_docs() {
    let text = readme();
    let chars = text.chars().count();
    assert!(
        chars < 25_000,
        "README.md is {chars} characters; move detail to docs/"
    );
    for link in [
        "docs/rulebook.md",
        "docs/development.md",
        "docs/safety.md",
        "docs/questions.md",
        "docs/batch.md",
        "docs/interview.md",
        "ARCHITECTURE.md",
    ] {
        assert!(text.contains(&format!("]({link}")), "README links {link}");
        let path = format!("{}/{link}", env!("CARGO_MANIFEST_DIR"));
        assert!(std::path::Path::new(&path).exists(), "{link} exists");
    }
}

#[test]
fn the_question_table_is_the_rulebooks() {
    let book = massage_check::rulebook::Rulebook::builtin().expect("builtin");
    let text = doc("questions.md");
    let start = text
        .find(
            "<!-- questions table: generated from the rulebook; tests/readme.rs compares it -->\n",
        )
        .expect("table start marker");
    let end = text
        .find("<!-- end of questions table -->")
        .expect("table end marker");
    let table = &text[start..end];
    let body_start = start + table.find('\n').expect("line") + 1;
    let table = &text[body_start..end];
    let generated = massage_check::describe::questions_table(&book);
    // `UPDATE_README=1 cargo test --test readme` rewrites the table, as TRYCMD=overwrite
    // does for the examples.
    if std::env::var_os("UPDATE_README").is_some() && table != generated {
        let updated = format!("{}{generated}{}", &text[..body_start], &text[end..]);
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/docs/questions.md"),
            updated,
        )
        .expect("write docs/questions.md");
        return;
    }
    assert_eq!(
        table, generated,
        "docs/questions.md's table differs from the rulebook; regenerate it with UPDATE_README=1 cargo test --test readme"
    );
}

#[test]
fn the_documented_rule_file_loads_beside_the_builtin_rules() {
    let text = doc("rulebook.md");
    let start = text
        .find("```yaml\n# my-rules/local.yaml\n")
        .expect("the rule example");
    let body = &text[start + "```yaml\n".len()..];
    let block = &body[..body.find("```").expect("end of block")];
    let mut files = massage_check::rulebook::builtin::files();
    files.push(("my-rules/local.yaml".into(), block.to_string()));
    let book = massage_check::rulebook::Rulebook::from_texts(files)
        .expect("the README's rule file is valid");
    massage_check::engine::Engine::new(book).expect("and compiles");
}
