//! The scenario cases in rules/tests/*.yaml (from the seeds and the clinical reference,
//! each naming its source) run through the real binary's `rules test`, which must pass
//! with every rule fired by some case.

mod common;

use common::{TODAY, bin, repo_path, rules_check};
use serde_json::Value;

fn rules_test(args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(["rules", "test", "--today", TODAY])
        .args(args)
        .current_dir(repo_path(""))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_builtin_scenario_passes_with_full_rule_coverage() {
    let (code, stdout, stderr) = rules_test(&["--format", "json", "--min-coverage", "100"]);
    let report: Value = serde_json::from_str(&stdout).expect("json report");
    let failed: Vec<&Value> = report["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    assert!(failed.is_empty(), "failed cases: {failed:#?}");
    assert_eq!(code, 0, "{stderr}");
    // Every case in the files ran and passed: count them from the files themselves.
    let written: usize = std::fs::read_dir(repo_path("rules/tests"))
        .expect("rules/tests")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let file: Value =
                serde_yaml::from_str(&std::fs::read_to_string(p).expect("read")).expect("yaml");
            file["cases"].as_array().expect("cases").len()
        })
        .sum();
    assert_eq!(report["passed"].as_u64(), Some(written as u64));
    assert_eq!(report["failed"].as_u64(), Some(0));
    assert_eq!(report["coverage"]["percent"], 100.0);
    assert_eq!(report["coverage"]["not_fired"], Value::Array(Vec::new()));
}

/// Copies the built-in rules into a temporary directory and adds one case file.
fn rulebook_with_cases(cases: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(repo_path("rules")).expect("rules") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    std::fs::create_dir(dir.path().join("tests")).expect("mkdir");
    std::fs::write(dir.path().join("tests/cases.yaml"), cases).expect("write");
    dir
}

#[test]
fn a_broken_case_fails_with_a_readable_diff() {
    let dir = rulebook_with_cases(
        "cases:\n  - name: saddle numbness is suitable (wrong on purpose)\n    answers: { nerve_signs: [saddle_numbness] }\n    expect: { tier: suitable, not_avoid: [swedish], see: before_booking }\n",
    );
    let out = bin()
        .args(["rules", "test", "--today", TODAY])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL"), "{text}");
    // The actual value names the rules that produced it.
    assert!(
        text.contains(
            "        tier\n          - expected: suitable\n          + actual:   emergency (from ces_saddle_numbness)"
        ),
        "{text}"
    );
    assert!(
        text.contains("          - expected: excludes [swedish]"),
        "{text}"
    );
    assert!(
        text.contains("        see\n          - expected: before_booking\n          + actual:   now (from ces_saddle_numbness)"),
        "{text}"
    );
    assert!(text.contains("1 cases: 0 passed, 1 failed"), "{text}");
}

#[test]
fn coverage_below_the_bar_and_no_cases_fail() {
    let dir = rulebook_with_cases(
        "cases:\n  - name: just one\n    answers: { nerve_signs: [saddle_numbness] }\n    expect: { tier: emergency, see: now }\n",
    );
    let out = bin()
        .args(["rules", "test", "--min-coverage", "50", "--today", TODAY])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not fired:"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("below --min-coverage 50"));

    let empty = rulebook_with_cases("cases: []\n");
    let out = bin()
        .args(["rules", "test"])
        .arg(empty.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no test cases ran"));
}

#[test]
fn the_example_clinic_rulebook_extends_the_builtin_one() {
    let (code, stdout, stderr) = rules_test(&["examples/clinic-rules", "--min-coverage", "100"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "PASS  examples/clinic-rules/tests/clinic.yaml: hot stones wanted with numb feet"
        ),
        "{stdout}"
    );
    bin()
        .args(["rules", "check", "examples/clinic-rules"])
        .current_dir(repo_path(""))
        .assert()
        .success()
        .stdout("");
    // The override applies: 7/10 is referred with the clinic's rules, not without them.
    let with_clinic = bin()
        .args([
            "--rules",
            "examples/clinic-rules",
            "check",
            "-",
            "--format",
            "json",
            "--today",
            TODAY,
        ])
        .current_dir(repo_path(""))
        .write_stdin("pain_intensity: 7\n")
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&with_clinic.stdout).expect("json");
    assert!(
        report["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r["rule"] == "severe_pain")
    );
    assert_eq!(report["rulebook"]["name"], "Riverside Clinic rulebook");
}

#[test]
fn rules_check_validates_the_cases_beside_the_rules() {
    // A typo in an expectation (`se:` for `see:`), an answer to a question that does not
    // exist, and a case that checks only the tier without saying why.
    let dir = rulebook_with_cases(
        "cases:\n  - name: typo in see\n    answers: { nerve_signs: [bladder] }\n    expect: { tier: emergency, se: now }\n",
    );
    let out = rules_check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unknown field `se`"), "{text}");

    let dir = rulebook_with_cases(
        "cases:\n  - name: bad answer\n    answers: { nerve_sign: [bladder] }\n    expect: { tier: emergency, see: now }\n  - name: tier only\n    answers: {}\n    expect: { tier: suitable }\n",
    );
    let out = rules_check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("case \"bad answer\": answers: nerve_sign: no such question"),
        "{text}"
    );
    assert!(
        text.contains("case \"tier only\": checks only the tier"),
        "{text}"
    );
}

#[test]
fn an_extending_rulebooks_cases_start_from_the_builtin_defaults() {
    // A clinic case file without `defaults`: its case answers only what it is about, and
    // the built-in benign profile fills in the rest (so unrelated red-flag questions are
    // answered, not unknown).
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("rulebook.yaml"),
        "rulebook:\n  extends: builtin\n  name: Tiny clinic\n  version: \"1\"\n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("tests")).expect("mkdir");
    std::fs::write(
        dir.path().join("tests/clinic.yaml"),
        "cases:\n  - name: relaxation only\n    answers: { goal: relaxation }\n    expect: { tier: suitable, see: none }\n",
    )
    .expect("write");
    let out = bin()
        .args(["rules", "test", "--today", TODAY])
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("PASS  ") && text.contains("tests/clinic.yaml: relaxation only"),
        "{text}"
    );
}

#[test]
fn rules_test_refuses_a_format_it_does_not_write() {
    bin()
        .args(["rules", "test", "--format", "markdown"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid value 'markdown'"));
}

#[test]
fn an_added_rule_that_overlaps_a_builtin_one_gets_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("rulebook.yaml"),
        "rulebook: { extends: builtin, name: Overlap clinic, version: \"1\" }\nsources: [{ id: OV, title: Overlap protocol }]\nrules:\n  - id: severe_pain_clinic\n    title: Pain 7 or more\n    when: { fact: pain_intensity, at_least: 7 }\n    tier: see_clinician\n    advice: Same day.\n    see: { who: the clinic, when: today }\n    rationale: r\n    source: OV\n",
    )
    .expect("write");
    let out = rules_check(dir.path());
    assert_eq!(out.status.code(), Some(0), "a warning, not an error");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`severe_pain_clinic` overlaps the built-in rule `severe_pain`: both fire when pain_intensity is 8"),
        "{err}"
    );
    assert!(err.contains("give yours the id `severe_pain`"), "{err}");
    // The example clinic replaces by id, so it has nothing to warn about.
    let out = bin()
        .args(["rules", "check", "examples/clinic-rules"])
        .current_dir(repo_path(""))
        .output()
        .expect("runs");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A numeric comparison in a rule, and the answers on either side of its edge.
struct Edge {
    rule: String,
    fact: String,
    op: String,
    threshold: f64,
    /// The value at which the comparison just holds, and the ones at which it just fails
    /// (flipped under `not`).
    fires_at: Vec<f64>,
    misses_at: Vec<f64>,
}

fn numeric_edges(rule: &str, node: &Value, negated: bool, out: &mut Vec<Edge>) {
    match node {
        Value::Array(items) => items
            .iter()
            .for_each(|n| numeric_edges(rule, n, negated, out)),
        Value::Object(map) => {
            if let Some(fact) = map.get("fact").and_then(Value::as_str) {
                for (op, x) in map.iter().filter_map(|(k, v)| Some((k, v.as_f64()?))) {
                    // Answers are whole numbers, so the nearest value across an edge is
                    // one away.
                    let (holds, fails) = match op.as_str() {
                        "at_least" => (vec![x], vec![x - 1.0]),
                        "above" => (vec![x + 1.0], vec![x]),
                        "at_most" => (vec![x], vec![x + 1.0]),
                        "below" => (vec![x - 1.0], vec![x]),
                        "is" => (vec![x], vec![x - 1.0, x + 1.0]),
                        _ => continue,
                    };
                    let (fires_at, misses_at) = if negated {
                        (fails, holds)
                    } else {
                        (holds, fails)
                    };
                    out.push(Edge {
                        rule: rule.to_string(),
                        fact: fact.to_string(),
                        op: op.clone(),
                        threshold: x,
                        fires_at,
                        misses_at,
                    });
                }
            }
            for (key, value) in map {
                numeric_edges(rule, value, negated ^ (key == "not"), out);
            }
        }
        _ => {}
    }
}

/// Every numeric threshold of the built-in rules (age 65, pain 8, three days after an
/// injury, ...) is pinned by scenario cases on both sides of its edge: one at the value
/// where the comparison just holds, in which the rule fires, and one a step across, in
/// which it does not. A comparison changed from `at_least` to `above`, or a threshold
/// moved by one, then fails a case.
#[test]
fn every_numeric_threshold_has_a_case_on_each_side_of_its_edge() {
    use massage_check::{answers, date::Date, engine::Engine, engine::Truth, rulebook};

    let engine = Engine::new(rulebook::Rulebook::builtin().expect("builtin")).expect("engine");
    let today: Date = TODAY.parse().expect("date");
    let defaults = massage_check::cases::benign_profile();
    // Each case's merged answers and the rules it fired.
    let mut runs: Vec<(serde_json::Map<String, Value>, Vec<String>)> = Vec::new();
    for (_, file) in massage_check::cases::load(&rulebook::builtin::test_files()).expect("cases") {
        for case in file.cases {
            let mut merged = defaults.clone();
            merged.extend(case.answers.clone());
            let person = answers::from_json_value(engine.book(), Value::Object(merged.clone()))
                .expect("case answers");
            let fired = engine
                .assess(&person, today)
                .trace
                .iter()
                .filter(|t| t.result == Truth::True)
                .map(|t| t.rule.to_string())
                .collect();
            runs.push((merged, fired));
        }
    }
    let mut edges = Vec::new();
    for (_, text) in rulebook::builtin::files() {
        let file: Value = serde_yaml::from_str(&text).expect("yaml");
        for rule in file["rules"].as_array().into_iter().flatten() {
            let id = rule["id"].as_str().expect("rule id");
            numeric_edges(id, rule, false, &mut edges);
        }
    }
    assert!(edges.len() >= 8, "found only {} numeric edges", edges.len());
    let pinned = |edge: &Edge, value: f64, fires: bool| {
        runs.iter().any(|(answers, fired)| {
            answers.get(&edge.fact).and_then(Value::as_f64) == Some(value)
                && fired.contains(&edge.rule) == fires
        })
    };
    let mut missing = Vec::new();
    for edge in &edges {
        let name = format!(
            "{}: {} {} {}",
            edge.rule, edge.fact, edge.op, edge.threshold
        );
        for v in &edge.fires_at {
            if !pinned(edge, *v, true) {
                missing.push(format!("{name}: no case at {v} in which it fires"));
            }
        }
        for v in &edge.misses_at {
            if !pinned(edge, *v, false) {
                missing.push(format!("{name}: no case at {v} in which it does not fire"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
