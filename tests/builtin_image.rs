//! The built-in engine the binary starts with is read from an image that `build.rs`
//! wrote after validating `rules/*.yaml`; `--rules` and `rules check` load the YAML.
//! Both must be the same rulebook: the same items, in the same order, at the same
//! places, and the same report, byte for byte, for every scenario case and every
//! practice case.

mod common;

use massage_check::answers::{self, Answers};
use massage_check::engine::Engine;
use massage_check::report::{self, Context, Format};
use massage_check::rulebook::Rulebook;

fn both() -> (Engine, Engine) {
    let from_image = Engine::builtin().expect("the image reads back");
    let from_yaml =
        Engine::new(Rulebook::builtin_from_yaml().expect("the YAML loads")).expect("compiles");
    (from_image, from_yaml)
}

#[test]
fn the_image_holds_the_same_rulebook_as_the_yaml() {
    let (image, yaml) = both();
    let (a, b) = (image.book(), yaml.book());
    assert_eq!(format!("{:?}", a.meta), format!("{:?}", b.meta));
    assert_eq!(format!("{:?}", a.sources), format!("{:?}", b.sources));
    assert_eq!(format!("{:?}", a.questions), format!("{:?}", b.questions));
    assert_eq!(format!("{:?}", a.rules), format!("{:?}", b.rules));
    assert_eq!(format!("{:?}", a.techniques), format!("{:?}", b.techniques));
    assert_eq!(format!("{:?}", a.care), format!("{:?}", b.care));
    assert_eq!(a.origin, b.origin);
    let ids = b
        .questions
        .iter()
        .map(|q| &q.id)
        .chain(b.rules.iter().map(|r| &r.id))
        .chain(b.techniques.iter().map(|t| &t.id))
        .chain(b.care.iter().map(|c| &c.id))
        .chain(b.sources.iter().map(|s| &s.id));
    let mut n = 0;
    for id in ids {
        assert_eq!(a.location(id), b.location(id), "{id}");
        assert!(a.location(id).line.is_some(), "{id} has a line");
        n += 1;
    }
    assert!(n > 200, "{n} items compared");
}

/// Every report format for `answers`, from one engine.
fn reports(engine: &Engine, answers: &Answers) -> Vec<String> {
    let date = massage_check::date::Date::from_ymd(2026, 12, 5).expect("date");
    let assessment = engine.assess(answers, date);
    let ctx = Context {
        book: engine.book(),
        date,
        width: 80,
        answers: Some(answers),
        styled: false,
    };
    [Format::Text, Format::Json, Format::Markdown]
        .into_iter()
        .map(|f| report::render(&assessment, &ctx, f))
        .collect()
}

#[test]
fn every_scenario_and_practice_case_gets_the_same_reports_from_both() {
    let (image, yaml) = both();
    let files = massage_check::cases::load(&massage_check::rulebook::builtin::test_files())
        .expect("the scenario cases load");
    let mut compared = 0;
    for (_, file) in files {
        let defaults = file.defaults.clone().unwrap_or_default();
        for case in &file.cases {
            let mut values = defaults.clone();
            values.extend(case.answers.clone());
            let value = serde_json::Value::Object(values.into_iter().collect());
            let a = answers::from_json_value(image.book(), value.clone()).expect("answers");
            let b = answers::from_json_value(yaml.book(), value).expect("answers");
            assert_eq!(
                reports(&image, &a),
                reports(&yaml, &b),
                "case {}",
                case.name
            );
            compared += 1;
        }
    }
    let practice = common::repo_path("tests/practice");
    for entry in std::fs::read_dir(practice).expect("practice cases") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let a = answers::parse(image.book(), &text).expect("answers");
        let b = answers::parse(yaml.book(), &text).expect("answers");
        assert_eq!(
            reports(&image, &a),
            reports(&yaml, &b),
            "{}",
            path.display()
        );
        compared += 1;
    }
    assert!(compared > 300, "{compared} cases compared");
}

/// A broken rule in `rules/` fails `cargo build` with the validator's message. Builds
/// a copy of the crate with one rule broken (`cargo check` runs the build script too);
/// slow (it compiles the build script's dependencies in a target directory of its own),
/// so CI runs it with the other ignored tests.
#[test]
#[ignore = "builds a copy of the crate; .ci/run runs it with `cargo test -- --ignored`"]
fn a_broken_rule_fails_the_build_with_the_validators_message() {
    let root = common::repo_path(".");
    let copy = tempfile::tempdir().expect("tempdir");
    for item in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "src",
        "rules",
        "examples",
    ] {
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(root.join(item))
            .arg(copy.path())
            .status()
            .expect("cp");
        assert!(status.success(), "copy {item}");
    }
    let red_flags = copy.path().join("rules/red_flags.yaml");
    let text = std::fs::read_to_string(&red_flags).expect("read");
    let broken = text.replacen(
        "when: { fact: pain_intensity, at_least: 8 }",
        "when: { fact: pain_intensty, at_least: 8 }",
        1,
    );
    assert_ne!(broken, text, "the rule to break is still there");
    std::fs::write(&red_flags, broken).expect("write");
    let target = root.join("target/broken-rule-build");
    let out = std::process::Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--offline", "--lib"])
        .current_dir(copy.path())
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the build passed:\n{stderr}");
    assert!(
        stderr.contains("severe_pain") && stderr.contains("pain_intensty"),
        "the validator's message names the rule and the fault:\n{stderr}"
    );
    assert!(
        stderr.contains("did you mean `pain_intensity`"),
        "with the validator's suggestion:\n{stderr}"
    );
}
