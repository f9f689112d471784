//! The README's `console` examples run as tests, so the docs cannot drift from the program.

#[test]
fn readme_examples() {
    trycmd::TestCases::new()
        .register_bin(
            "massage-check",
            std::path::Path::new(env!("CARGO_BIN_EXE_massage-check")),
        )
        .env("NO_COLOR", "1")
        .case("README.md");
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
