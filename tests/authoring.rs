//! Rulebook authoring tools: template, schemas, explain, rules list/show.

mod common;

use common::{TODAY, bin, repo_path};
use massage_check::answers::{Answers, display_value, interpret_text};
use massage_check::engine::Engine;
use massage_check::rulebook::{QuestionType, Rulebook};
use predicates::prelude::*;
use serde_json::Value;

fn engine() -> Engine {
    Engine::new(Rulebook::builtin().expect("builtin")).expect("compiles")
}

fn stdout_of(args: &[&str]) -> String {
    let out = bin()
        .args(args)
        .current_dir(repo_path(""))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

/// Fills the template's empty answers, each with the value `pick` chooses, leaving
/// questions that do not apply (given earlier answers) empty, as the template says.
fn fill_template(pick: fn(&massage_check::rulebook::Question) -> String) -> String {
    let e = engine();
    let book = e.book();
    let template = stdout_of(&["template"]);
    let mut answers = Answers::empty(book);
    let mut filled = String::new();
    for line in template.lines() {
        let key = line
            .strip_suffix(':')
            .filter(|k| !k.starts_with('#') && !k.is_empty());
        match key.and_then(|k| book.question_index(k)) {
            Some(i) if e.applicable(&answers)[i] => {
                let q = &book.questions[i];
                let text = pick(q);
                answers.values[i] = interpret_text(q, &text).expect("picked a valid value");
                let written = display_value(q, answers.values[i]).expect("answered");
                filled.push_str(&format!("{line} {written}\n"));
            }
            _ => {
                filled.push_str(line);
                filled.push('\n');
            }
        }
    }
    filled
}

fn first(q: &massage_check::rulebook::Question) -> String {
    match q.kind {
        QuestionType::YesNo => "yes".into(),
        QuestionType::Number | QuestionType::Scale => q.range().0.to_string(),
        _ => q.choices[0].id.clone(),
    }
}

fn last(q: &massage_check::rulebook::Question) -> String {
    match q.kind {
        QuestionType::YesNo => "no".into(),
        QuestionType::Number | QuestionType::Scale => q.range().1.to_string(),
        QuestionType::SeveralOf => "[]".into(),
        QuestionType::OneOf => q.choices[q.choices.len() - 1].id.clone(),
    }
}

#[test]
fn the_template_filled_with_valid_values_is_accepted_by_check() {
    let empty = stdout_of(&["template"]);
    assert!(empty.contains("Numbness or tingling in the saddle area"));
    assert!(
        empty.contains(
            "#    Only when: injury in [strain, minor, major]; otherwise leave it empty."
        )
    );
    for pick in [first, last] {
        let filled = fill_template(pick);
        bin()
            .args(["check", "-", "--today", TODAY])
            .write_stdin(filled.clone())
            .assert()
            .success()
            .stderr("")
            .stdout(predicate::str::contains("information, not a diagnosis"));
    }
    // The empty template is valid too: every question unanswered, which is never
    // suitable and lists what to settle.
    bin()
        .args(["check", "-", "--today", TODAY])
        .write_stdin(empty)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("SEE A CLINICIAN FIRST: "))
        .stdout(predicate::str::contains("still open"));
}

fn validator(subject: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&stdout_of(&["schema", subject])).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn yaml_to_json(text: &str) -> Value {
    serde_yaml::from_str(text).expect("valid YAML")
}

#[test]
fn bundled_examples_match_the_answers_schema() {
    let v = validator("answers");
    for example in [
        "examples/desk-worker.yaml",
        "examples/cauda-equina.yaml",
        "examples/herniated-disc.json",
    ] {
        let text = std::fs::read_to_string(repo_path(example)).expect("example");
        let value = yaml_to_json(&text);
        assert!(
            errors(&v, &value).is_empty(),
            "{example}: {:?}",
            errors(&v, &value)
        );
    }
    let bad = serde_json::json!({ "pain_intensity": 11, "nerve_sign": [] });
    assert!(
        !v.is_valid(&bad),
        "out-of-range and unknown keys are rejected"
    );
}

#[test]
fn real_reports_match_the_report_schema() {
    let v = validator("report");
    for args in [
        vec![
            "check",
            "--format",
            "json",
            "--today",
            TODAY,
            "examples/desk-worker.yaml",
        ],
        vec![
            "check",
            "--format",
            "json",
            "--today",
            TODAY,
            "--explain",
            "examples/cauda-equina.yaml",
        ],
        vec![
            "check",
            "--format",
            "json",
            "--today",
            TODAY,
            "examples/herniated-disc.json",
        ],
    ] {
        let report: Value = serde_json::from_str(&stdout_of(&args)).expect("json");
        assert!(
            errors(&v, &report).is_empty(),
            "{args:?}: {:?}",
            errors(&v, &report)
        );
    }
    let mut broken: Value = serde_json::from_str(&stdout_of(&[
        "check",
        "--format",
        "json",
        "examples/desk-worker.yaml",
    ]))
    .expect("json");
    broken["tier"] = Value::from("fine");
    assert!(!v.is_valid(&broken));
}

#[test]
fn rulebook_files_match_the_rulebook_schema() {
    let v = validator("rulebook");
    let mut checked = 0;
    for dir in ["rules", "examples/clinic-rules"] {
        for entry in std::fs::read_dir(repo_path(dir)).expect("dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let value = yaml_to_json(&std::fs::read_to_string(&path).expect("read"));
                assert!(
                    errors(&v, &value).is_empty(),
                    "{}: {:?}",
                    path.display(),
                    errors(&v, &value)
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 9);
    let typo = yaml_to_json(
        "rules:\n  - id: x\n    title: t\n    when: { fact: age, at_least: 3 }\n    tierr: caution\n",
    );
    assert!(!v.is_valid(&typo), "unknown keys are rejected");
}

#[test]
fn explain_traces_every_rule_with_its_conditions() {
    let e = engine();
    let report: Value = serde_json::from_str(&stdout_of(&[
        "check",
        "--format",
        "json",
        "--explain",
        "--today",
        TODAY,
        "examples/herniated-disc.json",
    ]))
    .expect("json");
    let trace = report["trace"].as_array().expect("trace");
    assert_eq!(
        trace.len(),
        e.book().rules.len(),
        "every rule, fired or not"
    );
    let condition = trace
        .iter()
        .find(|t| t["rule"] == "spinal_condition")
        .expect("rule");
    assert_eq!(condition["result"], "true");
    let conditions = condition["conditions"].as_array().expect("conditions");
    assert!(conditions.iter().any(|c| c["fact"] == "diagnoses"
        && c["answer"] == "[herniated_disc]"
        && c["result"] == "true"));
    let over_50 = trace
        .iter()
        .find(|t| t["rule"] == "first_pain_over_50")
        .expect("rule");
    assert_eq!(over_50["result"], "false");
    assert_eq!(
        over_50["conditions"].as_array().expect("conditions")[0]["test"],
        "all"
    );
    let injury = trace
        .iter()
        .find(|t| t["rule"] == "acute_injury_first_72_hours")
        .expect("rule");
    assert_eq!(injury["result"], "false");
    assert!(
        injury["conditions"]
            .as_array()
            .expect("c")
            .iter()
            .any(|c| c["answer"] == "not asked")
    );

    let text = stdout_of(&[
        "check",
        "--explain",
        "--today",
        TODAY,
        "examples/herniated-disc.json",
    ]);
    assert!(text.contains("How this was decided (every rule, in order)"));
    assert!(text.contains("(answer: [herniated_disc]) -> true"));
    assert!(
        text.trim_end().ends_with("to a clinician."),
        "the disclaimer stays last"
    );
}

#[test]
fn rules_list_and_show_describe_items_with_rationale_and_sources() {
    let list = stdout_of(&["rules", "list", "--kind", "rule"]);
    assert!(list.lines().all(|l| l.starts_with("rule ")), "{list}");
    assert!(list.contains("ces_saddle_numbness"));
    let all = stdout_of(&["rules", "list"]);
    for kind in ["question ", "rule ", "technique ", "care ", "source "] {
        assert!(all.lines().any(|l| l.starts_with(kind)), "{kind}");
    }
    let show = stdout_of(&["rules", "show", "ces_saddle_numbness"]);
    assert!(show.contains("rule ces_saddle_numbness  (rules/red_flags.yaml:"));
    assert!(show.contains("rationale: Saddle numbness is a cauda equina warning sign"));
    assert!(show.contains("  - BACKES_CES: BackES: Cauda equina warning signs card"));
    for id in ["nerve_signs", "deep_tissue", "ice", "NICE_CKS"] {
        assert!(!stdout_of(&["rules", "show", id]).is_empty());
    }
    bin()
        .args(["rules", "show", "deeptissue"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean `deep_tissue`?"));
}

/// `template --format csv` is a header row `batch` reads with no column left unread, and
/// `template --format form` lists every question's text and every choice's label, so a
/// clinic's form and the rulebook stay in step.
#[test]
fn template_csv_and_form_follow_the_rulebook() {
    let book = massage_check::rulebook::Rulebook::builtin().expect("builtin");
    let csv = bin()
        .args(["template", "--format", "csv"])
        .output()
        .expect("runs");
    assert!(csv.status.success());
    let header = String::from_utf8(csv.stdout).expect("utf-8");
    let out = bin()
        .args(["batch", "--input-format", "csv", "--today", common::TODAY])
        .write_stdin(format!("{header}p1\n"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("not read"), "{stderr}");
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(line["id"], "p1");
    assert!(line["errors"].is_null(), "{line}");

    let form = bin()
        .args(["template", "--format", "form"])
        .output()
        .expect("runs");
    let form = String::from_utf8(form.stdout).expect("utf-8");
    for q in &book.questions {
        assert!(form.contains(q.prompt.as_str()), "{}", q.id);
        for c in &q.choices {
            assert!(
                form.contains(&format!("   - {}\n", c.label)),
                "{}: {}",
                q.id,
                c.id
            );
        }
    }
}
