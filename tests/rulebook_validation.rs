//! Each kind of rulebook problem is reported, with file, line and item where possible.

use massage_check::engine::Engine;
use massage_check::rulebook::{Rulebook, RulebookError};

const META: &str = r#"
rulebook:
  name: test
  version: "1"
  tiers:
    emergency: { headline: e, show_techniques: false }
    see_clinician: { headline: s }
    wait: { headline: w }
    caution: { headline: c }
    suitable: { headline: ok }
sources:
  - { id: SRC, title: A source }
techniques:
  - id: gentle
    name: Gentle
    pressure: light
    base_score: 50
    description: d
    rationale: r
    source: SRC
  - id: deep
    name: Deep
    pressure: firm
    base_score: 50
    description: d
    rationale: r
    source: SRC
"#;

const QUESTIONS: &str = r#"
questions:
  - id: pain
    prompt: Pain?
    type: scale
    rationale: r
    source: SRC
  - id: injured
    prompt: Injured?
    type: yes_no
    allow_unknown: true
    rationale: r
    source: SRC
  - id: days
    prompt: Days ago?
    type: number
    unit: days
    min: 0
    max: 30
    ask_if: { fact: injured, is: yes }
    rationale: r
    source: SRC
  - id: goal
    prompt: Goal?
    type: one_of
    choices: [{ id: relax, label: Relax }, { id: move, label: Move }]
    rationale: r
    source: SRC
"#;

fn load(rules: &str) -> Result<Engine, RulebookError> {
    let files = vec![
        ("meta.yaml".to_string(), META.to_string()),
        ("questions.yaml".to_string(), QUESTIONS.to_string()),
        ("rules.yaml".to_string(), rules.to_string()),
    ];
    Rulebook::from_texts(files).and_then(Engine::new)
}

/// The problems as `file:line: item: message` strings.
fn problems(rules: &str) -> Vec<String> {
    match load(rules) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
    }
}

fn assert_problem(rules: &str, needle: &str) {
    let found = problems(rules);
    assert!(
        found.iter().any(|p| p.contains(needle)),
        "expected a problem containing {needle:?}, got {found:#?}"
    );
}

const GOOD_RULE: &str = r#"
rules:
  - id: severe
    title: Severe
    when: { fact: pain, at_least: 8 }
    tier: see_clinician
    advice: See someone.
    see: { who: a GP, when: within_days }
    rationale: r
    source: SRC
"#;

#[test]
fn a_good_rulebook_loads() {
    assert!(problems(GOOD_RULE).is_empty(), "{:?}", problems(GOOD_RULE));
}

#[test]
fn unknown_keys_are_parse_errors_with_a_line() {
    let rules = GOOD_RULE.replace("advice:", "advise:");
    assert_problem(&rules, "rules.yaml:7: rules[0]: unknown field `advise`");
}

#[test]
fn missing_and_unknown_sources_and_rationale() {
    let rules = GOOD_RULE
        .replace("    source: SRC\n", "")
        .replace("    rationale: r\n", "");
    assert_problem(&rules, "rules.yaml:3: severe: has no `source`");
    assert_problem(&rules, "severe: has no `rationale`");
    let rules = GOOD_RULE.replace("source: SRC", "source: SCR");
    assert_problem(
        &rules,
        "cites source `SCR`, which is not defined under `sources:` (did you mean `SRC`?)",
    );
}

#[test]
fn references_to_missing_questions_and_techniques_suggest_a_fix() {
    let rules = GOOD_RULE.replace("fact: pain,", "fact: pian,").replace(
        "    rationale: r",
        "    avoid: [deap]\n    adjust: { gentel: 5 }\n    rationale: r",
    );
    assert_problem(
        &rules,
        "reads question `pian`, which does not exist (did you mean `pain`?)",
    );
    assert_problem(
        &rules,
        "`avoid` names technique `deap`, which does not exist (did you mean `deep`?)",
    );
    assert_problem(
        &rules,
        "`adjust` names technique `gentel`, which does not exist (did you mean `gentle`?)",
    );
}

#[test]
fn comparisons_must_fit_the_question_type_and_range() {
    assert_problem(
        &GOOD_RULE.replace("at_least: 8", "at_least: 11"),
        "ranges from 0 to 10; `at_least 11` can never be true",
    );
    assert_problem(
        &GOOD_RULE.replace("{ fact: pain, at_least: 8 }", "{ fact: pain, is: yes }"),
        "is a number; `is: yes` is not a number",
    );
    assert_problem(
        &GOOD_RULE.replace(
            "{ fact: pain, at_least: 8 }",
            "{ fact: injured, at_least: 1 }",
        ),
        "is a yes_no question; operator `at_least` does not apply",
    );
    assert_problem(
        &GOOD_RULE.replace("{ fact: pain, at_least: 8 }", "{ fact: goal, is: relaxx }"),
        "has no choice `relaxx` (did you mean `relax`?)",
    );
    assert_problem(
        &GOOD_RULE.replace(
            "{ fact: pain, at_least: 8 }",
            "{ fact: goal, includes: relax }",
        ),
        "operator `includes` does not apply",
    );
}

#[test]
fn malformed_conditions_say_what_is_wrong() {
    for (condition, problem) in [
        (
            "{ fact: pain, at_least: 8, below: 9 }",
            "has several operators (below, at_least)",
        ),
        (
            "{ fact: pain, is_unknown: true, includes: x, is: 3 }",
            "has several operators (is, includes, is_unknown)",
        ),
        ("{ fact: pain }", "needs one operator"),
        ("{ all: [], any: [] }", "`all` needs at least one condition"),
        ("{ any: [] }", "`any` needs at least one condition"),
        ("{ at_least: 8, is: 3 }", "operator `is` needs a `fact`"),
        ("{ always: false }", "`always` can only be `true`"),
        (
            "{}",
            "empty condition: use one of all, any, not, always, or fact with an operator",
        ),
        (
            "{ always: true, fact: pain, at_least: 8 }",
            "a condition map holds exactly one of all, any, not, always, or fact",
        ),
    ] {
        assert_problem(
            &GOOD_RULE.replace("{ fact: pain, at_least: 8 }", condition),
            problem,
        );
    }
}

#[test]
fn duplicate_ids_are_reported_at_the_second_place() {
    let rules = format!("{GOOD_RULE}{}", GOOD_RULE.replace("rules:\n", ""));
    assert_problem(
        &rules,
        "rules.yaml:12: severe: duplicate id: this rule reuses the id of a rule",
    );
    let clash = GOOD_RULE.replace("id: severe", "id: pain");
    assert_problem(
        &clash,
        "pain: duplicate id: this rule reuses the id of a question",
    );
}

#[test]
fn tiers_need_their_parts() {
    assert_problem(
        &GOOD_RULE.replace("    see: { who: a GP, when: within_days }\n", ""),
        "a `see_clinician` rule needs `see`",
    );
    assert_problem(
        &GOOD_RULE
            .replace("tier: see_clinician", "tier: wait")
            .replace("    see: { who: a GP, when: within_days }\n", ""),
        "a `wait` rule needs `wait`",
    );
    assert_problem(
        &GOOD_RULE.replace("    advice: See someone.\n", ""),
        "needs `advice`",
    );
    assert_problem(
        &GOOD_RULE.replace(
            "    rationale: r",
            "    if_unknown: { tier: emergency, see: { who: x, when: now } }\n    rationale: r",
        ),
        "is stricter than the rule's own tier",
    );
    assert_problem(
        &GOOD_RULE.replace(
            "    rationale: r",
            "    wait: { days: 3, weeks: 1, ends_when: x }\n    rationale: r",
        ),
        "`wait` takes `days` or `weeks`, not both",
    );
    assert_problem(
        &GOOD_RULE.replace(
            "    rationale: r",
            "    wait: { days: 3, since: goal, ends_when: x }\n    rationale: r",
        ),
        "`wait.since` must name a number question with unit days or weeks",
    );
    // The report writes "who, when": urgency words in `who` would read twice.
    assert_problem(
        &GOOD_RULE.replace("who: a GP, when", "who: \"a GP, within a few days.\", when"),
        "`see.who` ends with the urgency (\"within a few days\")",
    );
    assert!(problems(GOOD_RULE).is_empty());
}

#[test]
fn an_unknown_answer_may_never_read_as_safe() {
    let rules = GOOD_RULE.replace(
        "    rationale: r",
        "    if_unknown: { tier: suitable }\n    rationale: r",
    );
    assert_problem(&rules, "`if_unknown.tier` must be at least `caution`");
}

#[test]
fn rules_that_can_never_fire_are_reported() {
    let rules = GOOD_RULE.replace(
        "{ fact: pain, at_least: 8 }",
        "{ all: [{ fact: pain, at_least: 8 }, { fact: pain, below: 3 }] }",
    );
    assert_problem(
        &rules,
        "severe: `when` can never be true, so this rule never fires",
    );
}

#[test]
fn ask_if_chains_must_be_reachable() {
    let questions_forward = QUESTIONS.replace(
        "ask_if: { fact: injured, is: yes }",
        "ask_if: { fact: goal, is: move }",
    );
    let files = vec![
        ("meta.yaml".to_string(), META.to_string()),
        ("questions.yaml".to_string(), questions_forward),
        ("rules.yaml".to_string(), GOOD_RULE.to_string()),
    ];
    let err = Rulebook::from_texts(files).expect_err("forward reference");
    let text = err.to_string();
    assert!(
        text.contains("unreachable ask_if chain: `ask_if` depends on `goal`, which is asked later"),
        "{text}"
    );

    let questions_self = QUESTIONS.replace(
        "ask_if: { fact: injured, is: yes }",
        "ask_if: { fact: days, above: 3 }",
    );
    let files = vec![
        ("meta.yaml".to_string(), META.to_string()),
        ("questions.yaml".to_string(), questions_self),
        ("rules.yaml".to_string(), GOOD_RULE.to_string()),
    ];
    let text = Rulebook::from_texts(files)
        .expect_err("self reference")
        .to_string();
    assert!(text.contains("depends on itself"), "{text}");

    let never = QUESTIONS.replace(
        "ask_if: { fact: injured, is: yes }",
        "ask_if: { all: [{ fact: injured, is: yes }, { fact: injured, is: no }, { fact: injured, is_unknown: false }] }",
    );
    let files = vec![
        ("meta.yaml".to_string(), META.to_string()),
        ("questions.yaml".to_string(), never),
        ("rules.yaml".to_string(), GOOD_RULE.to_string()),
    ];
    let text = Rulebook::from_texts(files)
        .and_then(Engine::new)
        .expect_err("never asked")
        .to_string();
    assert!(text.contains("days: unreachable ask_if"), "{text}");
}

#[test]
fn rulebook_meta_is_required_with_every_tier() {
    let files = vec![("questions.yaml".to_string(), QUESTIONS.to_string())];
    let text = Rulebook::from_texts(files)
        .expect_err("no meta")
        .to_string();
    assert!(text.contains("no `rulebook:` section"), "{text}");
    let meta = META.replace("    wait: { headline: w }\n", "");
    let files = vec![
        ("meta.yaml".to_string(), meta),
        ("questions.yaml".to_string(), QUESTIONS.to_string()),
    ];
    let text = Rulebook::from_texts(files)
        .expect_err("missing tier")
        .to_string();
    assert!(text.contains("`tiers` has no entry for `wait`"), "{text}");
}

#[test]
fn question_shapes_are_checked() {
    let q = QUESTIONS.replace("    min: 0\n    max: 30\n", "");
    let files = vec![
        ("meta.yaml".to_string(), META.to_string()),
        ("questions.yaml".to_string(), q),
    ];
    let text = Rulebook::from_texts(files)
        .expect_err("no range")
        .to_string();
    assert!(
        text.contains("days: a number question needs `min` and `max`"),
        "{text}"
    );
    let q = QUESTIONS.replace(
        "choices: [{ id: relax, label: Relax }, { id: move, label: Move }]",
        "choices: [{ id: relax, label: Relax }]",
    );
    let files = vec![
        ("meta.yaml".to_string(), META.to_string()),
        ("questions.yaml".to_string(), q),
    ];
    let text = Rulebook::from_texts(files)
        .expect_err("one choice")
        .to_string();
    assert!(
        text.contains("goal: needs at least two `choices`"),
        "{text}"
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let rules = GOOD_RULE
        .replace("fact: pain,", "fact: pian,")
        .replace("source: SRC", "source: NOPE")
        .replace("    advice: See someone.\n", "");
    assert!(problems(&rules).len() >= 3, "{:#?}", problems(&rules));
}

#[test]
fn builtin_lists_every_rules_file() {
    let mut on_disk: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))
        .expect("rules dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = massage_check::rulebook::builtin::FILES
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(
        embedded, on_disk,
        "src/rulebook/builtin.rs must embed every rules/*.yaml"
    );
}
