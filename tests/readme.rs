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
