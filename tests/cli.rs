//! The binary's contract: exit codes, error messages, stdout hygiene, determinism.

mod common;

use common::{TODAY, bin, check_stdin, repo_path, report_for, rules_check};
use predicates::prelude::*;

#[test]
fn readme_first_command_checks_the_bundled_example() {
    bin()
        .args(["check", "examples/desk-worker.yaml", "--today", TODAY])
        .current_dir(repo_path(""))
        .assert()
        .success()
        .stdout(predicate::str::starts_with("SUITABLE: "))
        .stdout(predicate::str::contains("information, not a diagnosis"));
}

#[test]
fn works_from_any_directory_with_the_embedded_rulebook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let answers = std::fs::read_to_string(repo_path("examples/desk-worker.yaml")).expect("example");
    std::fs::write(dir.path().join("me.yaml"), answers).expect("write");
    bin()
        .args(["check", "me.yaml", "--today", TODAY])
        .current_dir(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::starts_with("SUITABLE: "))
        .stderr("");
}

#[test]
fn text_report_fits_80_columns_and_ends_with_the_disclaimer() {
    for example in [
        "examples/desk-worker.yaml",
        "examples/cauda-equina.yaml",
        "examples/herniated-disc.json",
    ] {
        let out = bin()
            .args(["check", example, "--today", TODAY])
            .current_dir(repo_path(""))
            .output()
            .expect("runs");
        assert!(out.status.success(), "{example}");
        let text = String::from_utf8(out.stdout).expect("utf8");
        for line in text.lines() {
            assert!(
                line.chars().count() <= 80,
                "{example}: line too long: {line:?}"
            );
        }
        let last = text
            .trim_end()
            .lines()
            .last()
            .unwrap_or_default()
            .to_string();
        assert!(
            last.starts_with("to a clinician") || last.contains("not a diagnosis"),
            "{example}: {last}"
        );
        assert!(text.contains("This is information, not a diagnosis"));
    }
}

#[test]
fn output_is_byte_identical_for_identical_input() {
    let yaml = std::fs::read_to_string(repo_path("examples/desk-worker.yaml")).expect("example");
    let a = check_stdin(&yaml, &[]);
    let b = check_stdin(&yaml, &[]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn json_and_yaml_and_key_order_give_the_same_assessment() {
    let yaml = "goal: relaxation\npain_intensity: 3\nnerve_signs: []\n";
    let reordered = "nerve_signs: []\npain_intensity: 3\ngoal: relaxation\n";
    let json = r#"{"nerve_signs": [], "goal": "relaxation", "pain_intensity": 3}"#;
    let a = check_stdin(yaml, &[]).stdout;
    assert_eq!(a, check_stdin(reordered, &[]).stdout);
    assert_eq!(a, check_stdin(json, &[]).stdout);
}

#[test]
fn invalid_answers_name_each_field_exit_2_and_print_nothing_on_stdout() {
    let out = check_stdin(
        "pain_intensity: 11\nnerve_sign: []\nage: forty\ngoal: relax\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "stdout must stay empty on bad input");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pain_intensity: 11 is out of range; expected a whole number from 0 to 10"),
        "{err}"
    );
    assert!(
        err.contains("nerve_sign: no such question (did you mean `nerve_signs`?)"),
        "{err}"
    );
    assert!(
        err.contains("age: expected a whole number of years from 0 to 120"),
        "{err}"
    );
    assert!(
        err.contains("goal: \"relax\" is not a choice; expected one of: relaxation"),
        "{err}"
    );
}

#[test]
fn malformed_empty_and_non_mapping_files_are_usage_errors() {
    for (input, needle) in [
        ("", "the answers are empty"),
        ("# only a comment\n", "the answers are empty"),
        ("{\"age\": 40,", "cannot read the answers"),
        ("age: [1, 2\n", "cannot read the answers"),
        ("- age: 40\n", "must be a mapping"),
        ("just text", "must be a mapping"),
        ("age: 40\nage: 41\n", "age"),
    ] {
        let out = check_stdin(input, &[]);
        assert_eq!(out.status.code(), Some(2), "input {input:?}");
        assert!(out.stdout.is_empty(), "input {input:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "input {input:?}: {err}");
    }
}

#[test]
fn answers_to_questions_that_do_not_apply_are_refused() {
    let out = check_stdin("injury: none\ninjury_days_ago: 2\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "injury_days_ago: is only asked when injury in [sudden, strain, minor, major]"
        ),
        "{err}"
    );
}

#[test]
fn unknown_is_refused_where_the_question_does_not_allow_it() {
    let out = check_stdin("goal: unknown\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("goal: \"unknown\" is not accepted here")
    );
}

#[test]
fn a_file_that_cannot_be_opened_is_a_runtime_error() {
    // Exit 1, as the table says; exit 2 is for input that was read and is wrong.
    for (args, name) in [
        (vec!["check", "no/such/file.yaml"], "no/such/file.yaml"),
        (vec!["check", "/"], "/"),
        (vec!["batch", "no/such/file.jsonl"], "no/such/file.jsonl"),
    ] {
        let out = bin().args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot ") && err.contains(name), "{err}");
    }
}

#[test]
fn an_os_error_is_printed_once() {
    let out = bin()
        .args(["rules", "check", "/nonexistent"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn a_rule_list_without_its_section_says_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("rules.yaml"),
        "- id: a_rule\n  title: A rule\n",
    )
    .expect("write");
    let out = rules_check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("put a list of rules under `rules:`"),
        "{text}"
    );
}

#[test]
fn invalid_utf8_is_a_usage_error() {
    bin()
        .args(["check", "-"])
        .write_stdin(vec![b'a', b'g', b'e', b':', b' ', 0xff, 0xfe, b'\n'])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid UTF-8"));
}

#[test]
fn fail_on_exits_3_at_or_above_the_tier_after_printing() {
    let emergency = "nerve_signs: [saddle_numbness]\n";
    let out = check_stdin(emergency, &["--fail-on", "see_clinician"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(!out.stdout.is_empty(), "the report is still printed");
    let tier = |stdout: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(stdout).expect("json report")["tier"].clone()
    };
    assert_eq!(tier(&out.stdout), "emergency");
    let out = check_stdin(emergency, &["--fail-on", "emergency"]);
    assert_eq!(out.status.code(), Some(3));
    // Below the bar: the same report, exit 0.
    let desk = std::fs::read_to_string(repo_path("examples/desk-worker.yaml")).expect("example");
    let out = check_stdin(&desk, &["--fail-on", "caution"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(tier(&out.stdout), "suitable");
}

#[test]
fn bad_flag_values_are_usage_errors() {
    bin()
        .args(["check", "-", "--today", "2026-02-30"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a date"));
    bin()
        .args(["check", "-", "--fail-on", "urgent"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a tier"));
    bin()
        .args(["check", "-", "--format", "xml"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("invalid value 'xml'"))
        .stderr(predicate::str::contains("text"))
        .stderr(predicate::str::contains("json"));
}

#[test]
fn wait_dates_follow_today() {
    let r = report_for("injury: minor\ninjury_days_ago: 1\ninjury_signs: [bruised]\n");
    let wait = r.wait.expect("a wait");
    assert_eq!(wait.days, Some(2));
    assert_eq!(wait.until.as_deref(), Some("2026-11-23"));
    assert!(wait.counted_from_event);
}

#[test]
fn unanswered_red_flags_never_read_as_suitable() {
    let r = report_for("goal: relaxation\n");
    assert_ne!(r.tier, "suitable");
    let checked: Vec<&str> = r
        .to_check
        .iter()
        .flat_map(|c| c.questions.iter().map(|q| q.id.as_str()))
        .collect();
    for flag in ["nerve_signs", "urgent_signs", "general_signs"] {
        assert!(checked.contains(&flag), "{flag} should be listed to check");
    }
}

#[test]
fn json_report_carries_schema_version_sources_and_disclaimer() {
    let r = report_for("nerve_signs: [saddle_numbness]\n");
    assert_eq!(r.schema_version, 2);
    assert_eq!(r.tier, "emergency");
    assert!(!r.show_techniques && r.no_massage);
    assert!(
        r.techniques.is_empty(),
        "no techniques where none are shown"
    );
    assert!(r.care.is_empty(), "no care advice at the emergency tier");
    assert!(r.safety_net.is_empty() && r.to_check.is_empty() && r.wait.is_none());
    let fired = r
        .trace
        .iter()
        .find(|t| t.rule == "ces_saddle_numbness")
        .expect("in trace");
    assert_eq!(fired.result, "true");
    assert!(fired.source.iter().any(|s| s == "BACKES_CES"));
    assert!(r.disclaimer.contains("not a diagnosis"));
    assert_eq!(r.date, TODAY);
}

#[test]
fn record_id_is_echoed() {
    let r = report_for("id: patient-7\ngoal: relaxation\n");
    assert_eq!(r.id.as_deref(), Some("patient-7"));
}

#[test]
fn rules_check_is_silent_on_the_builtin_rulebook() {
    bin()
        .args(["rules", "check"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    bin()
        .args(["rules", "check"])
        .arg(repo_path("rules"))
        .assert()
        .success()
        .stdout("");
}

#[test]
fn rules_check_lists_every_problem_in_a_broken_rulebook() {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(repo_path("rules")).expect("rules dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let broken = dir.path().join("local.yaml");
    std::fs::write(
        &broken,
        "rules:\n  - id: local_rule\n    title: Local\n    when: { fact: pain_intensty, at_least: 5 }\n    tier: caution\n    advice: Take care.\n    avoid: [deep_tisue]\n    rationale: A local rule.\n  - id: fibromyalgia\n    title: Duplicate\n    when: { fact: pain_intensity, at_least: 11 }\n    adjust: { swedish: 5 }\n    rationale: r\n    source: [WERNER]\n",
    )
    .expect("write");
    let out = rules_check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "local.yaml:2: local_rule: `when` reads question `pain_intensty`, which does not exist (did you mean `pain_intensity`?)",
        "local_rule: `avoid` names technique `deep_tisue`, which does not exist (did you mean `deep_tissue`?)",
        "local_rule: has no `source`",
        "local.yaml:9: fibromyalgia: duplicate id",
        "`at_least 11` can never be true",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // Using the broken rulebook for a check is a rulebook error (exit 1), not a usage error.
    bin()
        .args(["check", "-", "--rules"])
        .arg(dir.path())
        .write_stdin("goal: relaxation\n")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("cannot use the rulebook"));
}

#[test]
fn without_a_command_piped_answers_are_checked() {
    let desk = std::fs::read_to_string(repo_path("examples/desk-worker.yaml")).expect("example");
    let piped = bin()
        .args(["--today", TODAY])
        .write_stdin(desk.clone())
        .output()
        .expect("runs");
    let checked = bin()
        .args(["check", "-", "--today", TODAY])
        .write_stdin(desk)
        .output()
        .expect("runs");
    assert!(piped.status.success());
    assert_eq!(piped.stdout, checked.stdout);
}

#[test]
fn ask_refuses_to_prompt_without_a_terminal_or_with_no_input() {
    bin()
        .arg("ask")
        .write_stdin("")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("the interview needs a terminal"));
    bin()
        .args(["ask", "--no-input"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--no-input forbids the interview"));
}

#[test]
fn ask_will_not_overwrite_a_save_file_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let existing = dir.path().join("me.yaml");
    std::fs::write(&existing, "age: 40\n").expect("write");
    // Checked before any question is asked, so no terminal is needed to see it.
    let out = bin()
        .arg("ask")
        .arg("--save")
        .arg(&existing)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("already exists; choose another --save file or add --force")
    );
    assert_eq!(
        std::fs::read_to_string(&existing).expect("read"),
        "age: 40\n"
    );
}

#[test]
fn a_yaml_flow_mapping_is_read_as_yaml_and_broken_json_keeps_its_json_error() {
    // `{age: 34}` starts like JSON but is YAML; it reads the same as the block form.
    let flow = check_stdin(
        "{age: 34, pain_intensity: 3, nerve_signs: [bladder]}\n",
        &[],
    );
    let block = check_stdin("age: 34\npain_intensity: 3\nnerve_signs: [bladder]\n", &[]);
    assert!(
        flow.status.success(),
        "{}",
        String::from_utf8_lossy(&flow.stderr)
    );
    assert_eq!(flow.stdout, block.stdout);
    // Neither JSON nor YAML: the JSON error, which says where the JSON broke.
    let broken = check_stdin("{\"age\": 34,", &[]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(broken.stdout.is_empty());
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("EOF while parsing"), "{err}");
}

/// The mistakes people make get a message that says what they did and what to do.
#[test]
fn common_mistakes_get_messages_that_say_what_to_do() {
    let err = |out: std::process::Output| {
        assert!(out.stdout.is_empty(), "nothing on stdout");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Several JSON lines given to `check`.
    let (code, text) = err(check_stdin("{\"age\": 40}\n{\"age\": 41}\n", &[]));
    assert_eq!(code, Some(2));
    assert!(text.contains("this looks like JSON Lines"), "{text}");
    assert!(text.contains("massage-check batch"), "{text}");
    // A pretty-printed JSON document given to `batch`: one message, not one per line.
    let (code, text) = err(bin()
        .args(["batch", "--today", TODAY])
        .write_stdin("{\n  \"age\": 40\n}\n")
        .output()
        .expect("runs"));
    assert_eq!(code, Some(2));
    assert!(
        text.contains("JSON Lines need one whole object per line"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
    // A missing answers file.
    let (code, text) = err(bin()
        .args(["check", "no-such-file.yaml"])
        .output()
        .expect("runs"));
    assert_eq!(code, Some(1));
    assert!(text.contains("massage-check template > me.yaml"), "{text}");
    // "none" in a checklist.
    let (_, text) = err(check_stdin("nerve_signs: none\n", &[]));
    assert!(text.contains("for \"none of these\" write `[]`"), "{text}");
    // A tier written with a hyphen.
    let (code, text) = err(bin()
        .args([
            "check",
            "--fail-on",
            "see-clinician",
            "examples/desk-worker.yaml",
        ])
        .current_dir(repo_path(""))
        .output()
        .expect("runs"));
    assert_eq!(code, Some(2));
    assert!(text.contains("did you mean `see_clinician`?"), "{text}");
    // A mistyped command: the closest one first.
    let (code, text) = err(bin().args(["chek", "me.yaml"]).output().expect("runs"));
    assert_eq!(code, Some(2));
    assert!(
        text.contains("`chek` is not a command (did you mean `check`?)"),
        "{text}"
    );
}

/// A tab-separated file read as CSV says so; read as TSV it is assessed.
#[test]
fn a_tab_separated_file_is_named_and_can_be_read() {
    let tsv = "id\tage\tnerve_signs\nr1\t40\tsaddle_numbness\n";
    let out = bin()
        .args(["batch", "--input-format", "csv", "--today", TODAY])
        .write_stdin(tsv)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("separated by tabs"), "{stdout}");
    assert!(stdout.contains("--input-format tsv"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 record:"),
        "one record, not '1 records': {stderr}"
    );
    let out = bin()
        .args(["batch", "--input-format", "tsv", "--today", TODAY])
        .write_stdin(tsv)
        .output()
        .expect("runs");
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one json line");
    assert_eq!(line["tier"], "emergency");
    assert_eq!(line["id"], "r1");
}
