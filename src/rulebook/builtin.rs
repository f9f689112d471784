//! The default rulebook, embedded so the binary works from any directory.
//!
//! A test (`builtin_lists_every_rules_file`) checks this list against `rules/*.yaml`, so a
//! new rules file cannot be forgotten here.

/// The image of the validated rulebook that `build.rs` wrote (empty inside the build
/// script itself, which makes it).
pub static IMAGE: &[u8] = builtin_image!();

/// The rulebook files as `(name, text)`, named as in the repository (`rules/NAME`).
pub fn files() -> Vec<(String, String)> {
    named("rules", FILES)
}

/// The test case files as `(name, text)` (`rules/tests/NAME`).
pub fn test_files() -> Vec<(String, String)> {
    named("rules/tests", TEST_FILES)
}

fn named(dir: &str, files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(name, text)| (format!("{dir}/{name}"), (*text).to_string()))
        .collect()
}

pub const FILES: &[(&str, &str)] = &[
    ("care.yaml", include_str!("../../rules/care.yaml")),
    (
        "conditions.yaml",
        include_str!("../../rules/conditions.yaml"),
    ),
    (
        "preferences.yaml",
        include_str!("../../rules/preferences.yaml"),
    ),
    ("questions.yaml", include_str!("../../rules/questions.yaml")),
    ("red_flags.yaml", include_str!("../../rules/red_flags.yaml")),
    ("rulebook.yaml", include_str!("../../rules/rulebook.yaml")),
    (
        "techniques.yaml",
        include_str!("../../rules/techniques.yaml"),
    ),
];

/// The default rulebook's test cases (`rules/tests/*.yaml`), run by `rules test`.
pub const TEST_FILES: &[(&str, &str)] = &[(
    "scenarios.yaml",
    include_str!("../../rules/tests/scenarios.yaml"),
)];
