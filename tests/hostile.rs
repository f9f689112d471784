//! Hostile and broken input: a clear error, bounded memory and time, never a panic, and
//! the documented exit codes, on `check`, `batch` and `--rules`.

mod common;

use std::time::{Duration, Instant};

use common::{TODAY, bin, repo_path};

/// Runs `check -` on `input`; returns exit code and stderr, asserting no panic and an
/// empty stdout for failures.
fn check(input: &[u8]) -> (i32, String) {
    let start = Instant::now();
    let out = bin()
        .args(["check", "-", "--today", TODAY])
        .write_stdin(input.to_vec())
        .timeout(Duration::from_secs(20))
        .output()
        .expect("runs");
    assert!(start.elapsed() < Duration::from_secs(20), "took too long");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = out.status.code().expect("exits, not killed");
    if code != 0 {
        assert!(out.stdout.is_empty(), "nothing on stdout on failure");
    }
    (code, stderr)
}

fn expect_error(input: &[u8], needle: &str) {
    let (code, stderr) = check(input);
    assert_eq!(
        code,
        2,
        "input {:?}: {stderr}",
        String::from_utf8_lossy(&input[..input.len().min(80)])
    );
    assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
}

#[test]
fn yaml_alias_bombs_and_deep_nesting_are_refused() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    bomb.push_str("pain_intensity: *i\n");
    expect_error(bomb.as_bytes(), "repetition limit exceeded");
    let nested = format!(
        "pain_intensity: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    expect_error(nested.as_bytes(), "nested more than 100 levels deep");
    let nested_json = format!(
        "{{\"diagnoses\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    expect_error(nested_json.as_bytes(), "recursion limit exceeded");
}

#[test]
fn oversized_input_is_refused_naming_the_limit() {
    let big = vec![b'#'; 100 * 1024 * 1024];
    expect_error(&big, "longer than the limit of 1048576 bytes");
    let line = format!("age: 40\ngoal: \"{}\"\n", "x".repeat(2 * 1024 * 1024));
    expect_error(line.as_bytes(), "longer than the limit of 1048576 bytes");
}

#[test]
fn encodings_line_endings_and_empty_files() {
    expect_error(b"age: \xff\xfe40\n", "not valid UTF-8");
    let (code, _) = check(b"\xef\xbb\xbfage: 40\r\ngoal: relaxation\r\n");
    assert_eq!(code, 0, "a BOM and CRLF line endings are fine");
    let (code, _) = check(b"age:\t40\n");
    assert_eq!(code, 0, "a tab after the colon is fine");
    expect_error(b"\tage: 40\n", "YAML does not allow tabs for indentation");
    expect_error(b"", "the answers are empty");
    expect_error(b"# nothing but\n# comments\n", "the answers are empty");
    expect_error(b"   \n\n", "the answers are empty");
    expect_error(b"age: 40\n---\nage: 41\n", "several YAML documents");
}

#[test]
fn hostile_numbers_name_the_field_and_the_range() {
    expect_error(
        b"age: .nan\n",
        "age: expected a whole number of years from 0 to 120, found a value that is not a finite number",
    );
    expect_error(
        b"pain_intensity: .inf\n",
        "pain_intensity: expected a whole number from 0 to 10",
    );
    expect_error(b"age: -3\n", "age: -3 is out of range");
    expect_error(
        b"injury_days_ago: -1\nrecent_injury: yes\n",
        "injury_days_ago: -1 is out of range",
    );
    expect_error(b"{\"age\": 1e309}", "number out of range");
    expect_error(
        b"{\"age\": 123456789012345678901234567890}",
        "age: a number far too large; expected a whole number of years from 0 to 120",
    );
    expect_error(
        b"age: forty\n",
        "age: expected a whole number of years from 0 to 120, found the text \"forty\"",
    );
    expect_error(b"{\"pain_intensity\": \"7\"}", "found the text \"7\"");
    expect_error(
        b"pain_intensity: 11\n",
        "pain_intensity: 11 is out of range; expected a whole number from 0 to 10",
    );
    expect_error(b"pain_intensity: 4.5\n", "4.5 is not a whole number");
}

#[test]
fn hostile_keys_are_named_with_suggestions() {
    expect_error(b"age: 40\ncolour: blue\n", "colour: no such question");
    expect_error(b"age: 40\nage: 41\n", "age: is answered twice");
    expect_error(b"{\"age\": 40, \"age\": 41}", "age: is answered twice");
    expect_error(b"Age: 40\n", "Age: no such question (did you mean `age`?)");
    // Cyrillic a in "age".
    expect_error(
        "\u{430}ge: 40\n".as_bytes(),
        "no such question (did you mean `age`?)",
    );
    expect_error(b"age: {nested: 1}\n", "found a mapping");
    expect_error(b"? [1, 2]\n: x\n", "cannot read the answers");
}

#[test]
fn batch_survives_hostile_records_with_one_result_each() {
    let long_line = format!("{{\"goal\": \"{}\"}}", "x".repeat(200_000));
    let input = format!(
        "{{\"goal\": \"relaxation\"}}\n{long_line}\n\u{0}\u{1}\n{{\"age\": 1e309}}\n[1,2,3]\n{{\"diagnoses\": {}{}}}\n{{\"goal\": \"maintenance\"}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let mut bytes = input.into_bytes();
    bytes.extend_from_slice(b"{\"goal\": \"\xff\"}\n");
    let out = bin()
        .args(["batch", "--today", TODAY])
        .write_stdin(bytes)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 8, "{stdout}");
    assert!(
        lines[1]["errors"][0]["message"]
            .as_str()
            .expect("m")
            .contains("longer than the limit of 65536 bytes")
    );
    assert!(
        lines[7]["errors"][0]["message"]
            .as_str()
            .expect("m")
            .contains("not valid UTF-8")
    );
    assert!(
        lines[6]["tier"].is_string(),
        "records after bad ones are still assessed"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

fn rulebook_dir(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(repo_path("rules")).expect("rules") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    std::fs::write(dir.path().join("extra.yaml"), extra).expect("write");
    dir
}

fn rules_check(dir: &std::path::Path) -> (i32, String) {
    let out = bin()
        .args(["rules", "check"])
        .arg(dir)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!text.contains("panicked"), "{text}");
    (out.status.code().expect("exits"), text)
}

#[test]
fn hostile_rulebooks_get_clear_errors() {
    // A cycle in ask_if: each question asked only if the other was answered.
    let cycle = "questions:\n  - id: q_a\n    prompt: A?\n    type: yes_no\n    ask_if: { fact: q_b, is: yes }\n    rationale: r\n    source: WERNER\n  - id: q_b\n    prompt: B?\n    type: yes_no\n    ask_if: { fact: q_a, is: yes }\n    rationale: r\n    source: WERNER\n";
    let (code, text) = rules_check(rulebook_dir(cycle).path());
    assert_eq!(code, 1);
    assert!(
        text.contains(
            "q_a: unreachable ask_if chain: `ask_if` depends on `q_b`, which is asked later"
        ),
        "{text}"
    );
    // A rule that names itself as a fact.
    let selfref = "rules:\n  - id: loop_rule\n    title: Loop\n    when: { fact: loop_rule, is: yes }\n    tier: caution\n    advice: a\n    rationale: r\n    source: WERNER\n";
    let (code, text) = rules_check(rulebook_dir(selfref).path());
    assert_eq!(code, 1);
    assert!(
        text.contains("loop_rule: `when` reads question `loop_rule`, which does not exist"),
        "{text}"
    );
    // An alias bomb in a rulebook file.
    let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g"])
    {
        bomb.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    let (code, text) = rules_check(rulebook_dir(&bomb).path());
    assert_eq!(code, 1);
    assert!(text.contains("extra.yaml"), "{text}");
    // Invalid UTF-8 and an oversized file.
    let dir = rulebook_dir("");
    std::fs::write(dir.path().join("extra.yaml"), b"rules: \xff\n").expect("write");
    assert!(rules_check(dir.path()).1.contains("not valid UTF-8"));
    std::fs::write(dir.path().join("extra.yaml"), vec![b'#'; 5 * 1024 * 1024]).expect("write");
    assert!(
        rules_check(dir.path())
            .1
            .contains("the limit for one rulebook file is 4194304 bytes")
    );
}

#[test]
fn ten_thousand_rules_load_and_assess_quickly() {
    let mut text = String::from("rules:\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "  - id: bulk_{i}\n    title: Bulk {i}\n    when: {{ fact: pain_intensity, at_least: {} }}\n    adjust: {{ swedish: 1 }}\n    rationale: r\n    source: [WERNER]\n",
            i % 10
        ));
    }
    let dir = rulebook_dir(&text);
    let start = Instant::now();
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 0, "{text}");
    let out = bin()
        .args(["check", "-", "--format", "json", "--rules"])
        .arg(dir.path())
        .write_stdin("pain_intensity: 5\n")
        .timeout(Duration::from_secs(30))
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_closed_stdout_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_massage-check"))
        .args(["rules", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read");
    let status = child.wait().expect("wait");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
}

/// Shapes meant to slip deep nesting past the guard (an apostrophe in a plain word, a
/// quote in a block scalar or in a plain scalar's continuation, anchors before a block
/// scalar), and many problems at once: each is answered at once, not after the parser's
/// quadratic minutes. The bound is generous (the quadratic cases took 20 s and more); the
/// point is that they end, not how fast.
#[test]
fn quoting_tricks_do_not_slip_deep_nesting_past_the_guard() {
    let deep = "[".repeat(100_000);
    let hidden = "[ \"]\" ".repeat(100_000);
    let many_keys: String = (0..60_000).map(|i| format!("k{i}: [a, b]\n")).collect();
    for (what, text) in [
        ("apostrophe", format!("id: don't\npain_intensity: {deep}")),
        (
            "block scalar",
            format!("id: |\n  x: 'y\npain_intensity: {deep}"),
        ),
        (
            "anchored block scalar",
            format!("id: &a |\n  'q\npain_intensity: {deep}"),
        ),
        (
            "plain continuation",
            format!("id: x\n  '\npain_intensity: {deep}"),
        ),
        (
            "dash inside a plain scalar",
            format!("id: a - 'b\npain_intensity: {hidden}"),
        ),
        (
            "colon without a space",
            format!("id: a:'b\npain_intensity: {deep}"),
        ),
        ("many unknown keys", many_keys),
    ] {
        let text = &text[..text.len().min(1_000_000)];
        let start = Instant::now();
        let (code, stderr) = check(text.as_bytes());
        assert_eq!(code, 2, "{what}: {stderr}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{what} took {:?}",
            start.elapsed()
        );
    }
    // At most 100 problems are listed, then a count.
    let (_, stderr) = check(
        (0..500)
            .map(|i| format!("k{i}: 1\n"))
            .collect::<String>()
            .as_bytes(),
    );
    assert!(stderr.contains("and 400 more problems"), "{stderr}");
    // Repeated keys are problems too, and capped the same way.
    let repeated = format!("{{{}\"age\": 40}}", "\"age\": 40, ".repeat(499));
    let (_, stderr) = check(repeated.as_bytes());
    assert!(stderr.contains("and 399 more problems"), "{stderr}");
}

/// Loading grows linearly with the number of rules, also for a rulebook that extends the
/// built-in one (laying items over the built-in ones was quadratic: 40,000 rules took 3 s,
/// 100,000 twenty). Compared as a ratio, so a slow machine does not fail it.
#[test]
fn a_large_extending_rulebook_loads_in_linear_time() {
    fn rulebook(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("rulebook.yaml"),
            "rulebook: { extends: builtin, name: big, version: \"1\" }\n",
        )
        .expect("write");
        let mut text = String::from("rules:\n");
        for i in 0..n {
            text.push_str(&format!(
                "  - {{ id: r{i}, title: R, when: {{ fact: pain_intensity, at_least: 5 }}, adjust: {{ swedish: 1 }}, rationale: r, source: WERNER }}\n"
            ));
        }
        std::fs::write(dir.path().join("many.yaml"), text).expect("write");
        dir
    }
    let time = |n: usize| {
        let dir = rulebook(n);
        let start = Instant::now();
        let (code, text) = rules_check(dir.path());
        assert_eq!(code, 0, "{text}");
        start.elapsed().as_secs_f64()
    };
    // 8x the rules: linear stays under 8x the time (start-up is shared), quadratic
    // would take about 64x.
    let small = time(3_000);
    let large = time(24_000);
    assert!(
        large < small * 16.0,
        "8x the rules took {:.1}x the time ({small:.2} s, {large:.2} s)",
        large / small
    );
}

/// Runs `batch` on `input` with `args`; returns exit code, stdout and stderr.
fn batch(input: &str, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(["batch", "--today", TODAY])
        .args(args)
        .write_stdin(input.to_string())
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().expect("exits"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

/// Every question answered, no red flags, no conditions (the scenario cases' defaults).
const BENIGN: &str = r#""age": 40, "pain_intensity": 4, "pain_duration": "weeks_6_to_12", "pain_history": "comes_and_goes", "pain_change": "steady", "assessed": "never", "pain_location": ["lower_back"], "pain_character": ["dull_ache"], "nerve_signs": [], "urgent_signs": [], "general_signs": [], "injury": "none", "health": [], "medicines": [], "skin": [], "reactions": [], "goal": "pain_relief", "pressure_preference": "no_preference", "session_frequency": "monthly""#;

/// The summary caps only the calm lists: 1,500 referrals before booking followed by one
/// emergency and one same-day referral still name both (the emergency's id was cut off
/// after the first 1,000 referrals).
#[test]
fn the_summary_never_hides_an_emergency_or_a_same_day_referral() {
    let mut input = String::new();
    for i in 0..1500 {
        input.push_str(&format!(
            "{{\"id\": \"calm{i}\", {}}}\n",
            BENIGN.replace("\"health\": []", "\"health\": [\"bleeding_disorder\"]")
        ));
    }
    input.push_str("{\"id\": \"the-emergency\", \"nerve_signs\": [\"bladder\"]}\n");
    input.push_str(&format!(
        "{{\"id\": \"same-day\", {}}}\n",
        BENIGN.replace(
            "\"urgent_signs\": []",
            "\"urgent_signs\": [\"swollen_leg\"]"
        )
    ));
    let (_, stdout, _) = batch(&input, &["--format", "summary"]);
    let urgent = stdout
        .split("needs a clinician within days")
        .next()
        .expect("summary");
    assert!(
        urgent.contains("needs care now or today: 2"),
        "{}",
        &stdout[..stdout.len().min(600)]
    );
    assert!(
        urgent.contains("(id the-emergency): emergency, now"),
        "{urgent}"
    );
    assert!(
        urgent.contains("(id same-day): see_clinician, today"),
        "{urgent}"
    );
    assert!(stdout.contains("needs a clinician within days or before booking: 1500"));
    assert!(
        stdout.contains("  and 500 more (`--format jsonl` writes every record)"),
        "the calm list is capped and says where the rest is"
    );
}

/// Every urgent record is listed, past the cap that applies to the calm ones.
#[test]
fn the_summary_lists_more_than_a_thousand_emergencies_in_full() {
    let input: String = (0..1200)
        .map(|i| format!("{{\"id\": \"e{i}\", \"nerve_signs\": [\"saddle_numbness\"]}}\n"))
        .collect();
    let (_, stdout, _) = batch(&input, &["--format", "summary"]);
    assert!(stdout.contains("needs care now or today: 1200"));
    assert!(
        stdout.contains("(id e1199): emergency, now"),
        "the last one is listed"
    );
    assert!(
        !stdout.contains("more (`--format jsonl`"),
        "nothing urgent is cut"
    );
}

/// An empty part of a checklist answer is a slip, never "none of these": in a CSV cell
/// (`;`, `;;;`, ` ; `, a trailing `;`) and in YAML or JSON lists (`""`).
#[test]
fn an_empty_item_in_a_checklist_is_an_error_in_every_format() {
    for cell in [
        ";",
        ";;;",
        " ; ",
        "saddle_numbness;",
        ";bladder",
        "leg_weak;;hands",
    ] {
        let csv = format!("id,age,nerve_signs\nr1,40,{cell}\n");
        let (code, stdout, _) = batch(&csv, &["--input-format", "csv"]);
        assert_eq!(code, 1, "cell {cell:?}: {stdout}");
        let line: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one line");
        assert!(
            line["tier"].is_null(),
            "cell {cell:?} was assessed: {stdout}"
        );
        assert_eq!(line["errors"][0]["field"], "nerve_signs", "{stdout}");
        assert!(
            line["errors"][0]["message"]
                .as_str()
                .expect("message")
                .contains("the list has an empty item"),
            "{stdout}"
        );
    }
    // An empty cell is still unanswered, and `[]` is still "none of these".
    let (_, stdout, _) = batch(
        "id,age,nerve_signs\nr1,40,\nr2,40,[]\n",
        &["--input-format", "csv"],
    );
    assert!(!stdout.contains("errors"), "{stdout}");
    expect_error(b"nerve_signs: [\"\"]\n", "the list has an empty item");
    expect_error(
        b"{\"nerve_signs\": [\"bladder\", \" \"]}",
        "the list has an empty item",
    );
}

/// A directory holding `files` (name, text).
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

const EXTENDS: &str = "rulebook: { extends: builtin, name: Weak Clinic, version: \"1\" }\n";
const WEAK_SADDLE: &str = "rules:\n  - id: ces_saddle_numbness\n    title: Numbness in the saddle area\n    when: { fact: nerve_signs, includes: saddle_numbness }\n    tier: caution\n    advice: Mention it to your therapist.\n    rationale: r\n    source: [WERNER]\n";

/// A clinic rulebook that redefines a built-in red flag at a lower tier is refused unless
/// it declares the lowering; declared, `rules check` warns and every report says so.
#[test]
fn a_user_rulebook_cannot_weaken_a_built_in_red_flag_silently() {
    let dir = dir_with(&[("rulebook.yaml", EXTENDS), ("weak.yaml", WEAK_SADDLE)]);
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 1, "{text}");
    for needle in [
        "weak.yaml:2: ces_saddle_numbness: lowers the built-in safety rule",
        "its tier is caution instead of emergency",
        "it no longer rules out everything",
        "declare it under `rulebook: lowers:`",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
    let check = |dir: &std::path::Path| {
        bin()
            .arg("--rules")
            .arg(dir)
            .args(["check", "--today", TODAY])
            .arg(repo_path("examples/desk-worker.yaml"))
            .timeout(Duration::from_secs(30))
            .output()
            .expect("runs")
    };
    let out = check(dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "an undeclared lowering is refused"
    );
    assert!(out.stdout.is_empty());

    let declared = format!(
        "{}  lowers:\n    - {{ id: ces_saddle_numbness, reason: Our physiotherapist examines every client first. }}\n",
        EXTENDS
            .replace(" }\n", ",\n")
            .replace("rulebook: { ", "rulebook:\n  ")
            .replace(", name: ", "\n  name: ")
            .replace(", version: ", "\n  version: ")
            .replace(",\n", "\n")
    );
    let dir = dir_with(&[("rulebook.yaml", &declared), ("weak.yaml", WEAK_SADDLE)]);
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 0, "{declared}\n{text}");
    assert!(
        text.contains("warning: ")
            && text.contains("lowers the built-in safety rule `ces_saddle_numbness`"),
        "{text}"
    );
    let out = check(dir.path());
    assert!(out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    let opening: Vec<&str> = report.lines().take(3).collect();
    assert!(
        opening
            .join(" ")
            .contains("lowers 1 built-in safety rule (ces_saddle_numbness)"),
        "{report}"
    );

    // A declaration that lowers nothing is refused too: it would put a false note on
    // every report.
    let needless = declared.replace("ces_saddle_numbness", "ces_bladder");
    let dir = dir_with(&[("rulebook.yaml", &needless), ("weak.yaml", "rules: []\n")]);
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("ces_bladder: is declared in `lowers:` but this rulebook does not lower it"),
        "{text}"
    );
}

/// Narrowing a red flag's condition, dropping a technique it rules out, or rewording the
/// emergency headline so it no longer sends people for help, are lowerings as well.
#[test]
fn narrower_conditions_fewer_exclusions_and_headlines_without_care_are_lowerings() {
    let narrower = "rules:\n  - id: severe_pain\n    title: Severe pain\n    when: { fact: pain_intensity, at_least: 10 }\n    tier: see_clinician\n    advice: a\n    see: { who: your GP or a physiotherapist, when: within_days }\n    avoid: [deep_tissue, trigger_point]\n    rationale: r\n    source: [WERNER]\n";
    let dir = dir_with(&[("rulebook.yaml", EXTENDS), ("narrow.yaml", narrower)]);
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("it no longer rules out sports"), "{text}");
    assert!(
        text.contains("it no longer fires on answers that fire the built-in rule"),
        "{text}"
    );

    let headline = "rulebook:\n  extends: builtin\n  name: Calm\n  version: \"1\"\n  tiers:\n    emergency: { headline: Book a gentle massage., show_techniques: false }\n";
    let dir = dir_with(&[("rulebook.yaml", headline)]);
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("emergency_headline: lowers the built-in safety rule"),
        "{text}"
    );
    // A reworded headline that still says where to go is fine.
    let reworded = headline.replace("Book a gentle massage.", "Call 999 or go to A&E now.");
    let (code, text) = rules_check(dir_with(&[("rulebook.yaml", &reworded)]).path());
    assert_eq!(code, 0, "{text}");
}

/// No rulebook file is skipped for its name: `red_flags.YAML` is loaded, and a standalone
/// copy that lacks a built-in file (or a file its own `files:` list names) is refused.
#[test]
fn no_rulebook_file_is_skipped_because_of_its_name() {
    let copy = || {
        let dir = tempfile::tempdir().expect("tempdir");
        for entry in std::fs::read_dir(repo_path("rules")).expect("rules") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                std::fs::copy(&path, dir.path().join(path.file_name().expect("name")))
                    .expect("copy");
            }
        }
        dir
    };
    let dir = copy();
    std::fs::rename(
        dir.path().join("red_flags.yaml"),
        dir.path().join("red_flags.YAML"),
    )
    .expect("rename");
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 0, "red_flags.YAML is loaded: {text}");
    let out = bin()
        .arg("--rules")
        .arg(dir.path())
        .args(["check", "--today", TODAY, "-q"])
        .arg(repo_path("examples/cauda-equina.yaml"))
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("EMERGENCY"));

    std::fs::remove_file(dir.path().join("red_flags.YAML")).expect("remove");
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("red_flags.yaml: missing: the built-in rulebook has it"),
        "{text}"
    );
    let out = bin()
        .arg("--rules")
        .arg(dir.path())
        .args(["check", "--today", TODAY])
        .arg(repo_path("examples/cauda-equina.yaml"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("red_flags.yaml: missing"));

    // With its own list, a standalone rulebook is held to that list; the red flags it
    // dropped still have to be declared.
    let dir = copy();
    std::fs::remove_file(dir.path().join("red_flags.yaml")).expect("remove");
    let meta = std::fs::read_to_string(dir.path().join("rulebook.yaml")).expect("read");
    let listed = meta.replace(
        "rulebook:\n",
        "rulebook:\n  files: [rulebook.yaml, questions.yaml, conditions.yaml, preferences.yaml, techniques.yaml, care.yaml, extra.yaml]\n",
    );
    std::fs::write(dir.path().join("rulebook.yaml"), listed).expect("write");
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("extra.yaml: missing: `rulebook: files:` lists it"),
        "{text}"
    );
    let meta = std::fs::read_to_string(dir.path().join("rulebook.yaml")).expect("read");
    std::fs::write(
        dir.path().join("rulebook.yaml"),
        meta.replace(", extra.yaml", ""),
    )
    .expect("write");
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("ces_saddle_numbness: lowers the built-in safety rule: the rule is missing"),
        "{text}"
    );
}

/// CSV output never hands a spreadsheet a formula: a cell from the input that starts with
/// `=`, `+`, `-` or `@` is written as text (a leading `'`), and control characters are
/// escaped.
#[test]
fn csv_output_cells_cannot_become_formulas() {
    let input =
        "id,age\n=HYPERLINK(\"http://x\"),40\n+cmd,40\n-2+3,40\n@SUM(A1),40\n\"tab\u{7}bell\",40\n";
    let (_, stdout, _) = batch(input, &["--input-format", "csv", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.expect("a row")[1].to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "'=HYPERLINK(\"http://x\")",
            "'+cmd",
            "'-2+3",
            "'@SUM(A1)",
            "tab\\u{7}bell"
        ]
    );
}

/// Number ids keep every digit: two people whose ids differ only past 2^53 never come
/// out under one id; a fractional number id is refused with what to do.
#[test]
fn numeric_ids_keep_their_digits() {
    let input = "{\"id\": 9007199254740993, \"age\": 40}\n{\"id\": 9007199254740992, \"age\": 40}\n{\"id\": 18446744073709551615, \"age\": 40}\n{\"id\": 1.5, \"age\": 40}\n";
    let (_, stdout, _) = batch(input, &[]);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines[0]["id"], "9007199254740993");
    assert_eq!(lines[1]["id"], "9007199254740992");
    assert_eq!(lines[2]["id"], "18446744073709551615");
    assert!(lines[3]["tier"].is_null());
    assert!(
        lines[3]["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("write any other id as text"),
        "{}",
        lines[3]
    );
    // YAML too.
    let out = bin()
        .args(["check", "-", "--format", "json", "--today", TODAY])
        .write_stdin("id: 9007199254740993\nage: 40\n")
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["id"], "9007199254740993");
}

/// Case files beside a rulebook have the same size limit as rule files, counted on the
/// bytes read.
#[test]
fn case_files_have_a_size_limit() {
    let dir = rulebook_dir("");
    std::fs::create_dir(dir.path().join("tests")).expect("tests dir");
    let big = format!("cases:\n{}", "# padding\n".repeat(450_000));
    std::fs::write(dir.path().join("tests").join("big.yaml"), big).expect("write");
    for cmd in [&["rules", "check"][..], &["rules", "test"][..]] {
        let out = bin()
            .args(cmd)
            .arg(dir.path())
            .timeout(Duration::from_secs(30))
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{cmd:?}: {text}");
        assert!(
            text.contains("big.yaml") && text.contains("the limit for one rulebook file"),
            "{cmd:?}: {text}"
        );
    }
}

/// JSON Lines results, one value per output line.
fn results(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

/// One open quote in a 5,000-row CSV used to turn 3,170 rows into one "longer than 65,536
/// bytes" error. The broken row is now an error of its own at its line, and every row after
/// it is read again as its own record.
#[test]
fn one_broken_csv_row_never_swallows_the_rows_after_it() {
    let mut csv = String::from("id,age,goal\n");
    for i in 1..=5000 {
        if i == 100 {
            csv.push_str(&format!("p{i},\"40,relaxation\n"));
        } else {
            csv.push_str(&format!("p{i},40,relaxation\n"));
        }
    }
    let (_, stdout, _) = batch(&csv, &["--input-format", "csv"]);
    let lines = results(&stdout);
    // An independent count: one result per data row of the input.
    let rows = csv.lines().count() - 1;
    assert_eq!(lines.len(), rows);
    let broken: Vec<_> = lines.iter().filter(|l| l["tier"].is_null()).collect();
    assert_eq!(broken.len(), 1, "{broken:?}");
    // `record` is the line number for CSV.
    assert_eq!(broken[0]["record"], 101, "{}", broken[0]);
    let message = broken[0]["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("quoted field opened on this line"),
        "{message}"
    );
    assert!(message.contains("read again"), "{message}");
    // Every other person kept their own id.
    for (i, line) in lines.iter().enumerate() {
        if i != 99 {
            assert_eq!(line["id"], format!("p{}", i + 1), "{line}");
        }
    }
    // A quote that closes a few lines later on a line that is not a valid record: the same.
    let csv = "id,age\np1,\"40\np2,50\np3,60\"\np4,70\n";
    let lines = results(&batch(csv, &["--input-format", "csv"]).1);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0]["tier"].is_null());
    assert_eq!(lines[1]["id"], "p2");
    assert_eq!(lines[3]["id"], "p4");
}

/// A carriage return on its own ends a line in every line-based format, so it cannot merge
/// two people (it used to in CSV).
#[test]
fn a_lone_carriage_return_ends_a_record() {
    let lines = results(&batch("id,age\rp1,40\rp2,50\r", &["--input-format", "csv"]).1);
    let ids: Vec<_> = lines.iter().map(|l| l["id"].clone()).collect();
    assert_eq!(ids, ["p1", "p2"]);
    let lines = results(
        &batch(
            "{\"id\":\"a\",\"age\":40}\r{\"id\":\"b\",\"age\":50}\r",
            &[],
        )
        .1,
    );
    let ids: Vec<_> = lines.iter().map(|l| l["id"].clone()).collect();
    assert_eq!(ids, ["a", "b"]);
}

/// `...` ends a YAML document: the next one is its own record even without a `---`, and a
/// `%YAML` directive is not a record.
#[test]
fn yaml_document_end_markers_and_directives_keep_records_apart() {
    let yaml = "id: a\nage: 40\n...\nid: b\nage: 50\n...\n%YAML 1.2\n---\nid: c\nage: 60\n";
    let lines = results(&batch(yaml, &["--input-format", "yaml"]).1);
    let ids: Vec<_> = lines.iter().map(|l| l["id"].clone()).collect();
    assert_eq!(ids, ["a", "b", "c"], "{lines:?}");
}

/// A rulebook whose rules all share one id is reported in linear time (60,000 repeats took
/// 88 s: each repeat copied the list of the id's earlier places).
#[test]
fn repeated_ids_are_reported_in_linear_time() {
    let time = |n: usize| {
        let dir = rulebook_dir("");
        let mut text = String::from("rules:\n");
        for _ in 0..n {
            text.push_str("  - { id: same, title: R, when: { fact: pain_intensity, at_least: 5 }, adjust: { swedish: 1 }, rationale: r, source: WERNER }\n");
        }
        std::fs::write(dir.path().join("many.yaml"), text).expect("write");
        let start = Instant::now();
        let (code, text) = rules_check(dir.path());
        assert_eq!(code, 1);
        assert!(
            text.contains(&format!("has {} problem(s)", n - 1)),
            "{}",
            &text[text.len().saturating_sub(300)..]
        );
        start.elapsed().as_secs_f64()
    };
    // 8x the repeats: linear stays under 8x the time (start-up is shared), quadratic
    // would take about 64x.
    let small = time(2_500);
    let large = time(20_000);
    assert!(
        large < small * 16.0,
        "8x the repeats took {:.1}x the time ({small:.2} s, {large:.2} s)",
        large / small
    );
}

/// Block indicators that open a line (`- - - x`, `? ? ? x`) nest like `[` and `{` do and
/// count towards the same depth guard: 300,000 `? ` used to cost libyaml 270 MB.
#[test]
fn block_nesting_counts_towards_the_depth_guard() {
    for indicator in ["? ", "- ", "- ? "] {
        let deep = format!("{}x\n", indicator.repeat(200_000));
        expect_error(deep.as_bytes(), "nested more than 100 levels deep");
        let in_a_value = format!("pain_location:\n  {}x\n", indicator.repeat(101));
        expect_error(in_a_value.as_bytes(), "nested more than 100 levels deep");
    }
    // A rulebook file too.
    let dir = rulebook_dir(&format!("rules:\n  {}x\n", "- ".repeat(200)));
    let (code, text) = rules_check(dir.path());
    assert_eq!(code, 1);
    assert!(text.contains("nested more than 100 levels deep"), "{text}");
    // Two compact levels are ordinary YAML and still read.
    let (code, stderr) = check(b"age: 40\npain_location:\n  - lower_back\n");
    assert_eq!(code, 0, "{stderr}");
}

/// A decimal with more digits than a float holds is refused rather than rounded
/// (`17.9999999999999999` would read as 18), in every input format; the id of a batch
/// record is kept; zeros that end a fraction and quoted text do not count.
#[test]
fn a_decimal_with_more_digits_than_a_float_holds_is_refused() {
    expect_error(
        b"age: 17.9999999999999999\n",
        "more digits than can be read exactly",
    );
    expect_error(b"{\"age\": 17.9999999999999999}\n", "line 1 column 9");
    let (code, _) = check(
        format!("{{{BENIGN}}}")
            .replace("\"age\": 40", "\"age\": 40.000000000000000000")
            .as_bytes(),
    );
    assert_eq!(code, 0, "trailing zeros hold no extra digits");
    let (_, out, _) = batch(
        "{\"id\": \"a1\", \"age\": 17.9999999999999999}\n{\"id\": \"a2\", \"age\": 40}\n",
        &[],
    );
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a1");
    assert!(
        lines[0]["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("more digits"))
    );
    let (_, out, _) = batch(
        "id: \"1.00000000000000000001\"\nage: 17.9999999999999999\n",
        &["--input-format", "yaml"],
    );
    assert!(
        out.contains("more digits") && out.contains("\"id\":\"1.00000000000000000001\""),
        "{out}"
    );
}

/// A NUL or ESC in a YAML answers file is reported at its own line and column, with the
/// character named.
#[test]
fn a_control_character_is_reported_where_it_is() {
    expect_error(b"age: 30\ngoal: \"rel\x1baxation\"\n", "line 2 column 11");
    expect_error(
        b"age: 30\ngoal: r\xc3\xa9l\x00axation\n",
        "line 2 column 10",
    );
    expect_error(b"age: 30\ngoal: rel\x00axation\n", "U+0000");
}

/// JSON nesting: 127 levels are read (the value is then refused as the wrong kind of
/// answer); 128 are refused by the parser's limit, as the limits table says.
#[test]
fn json_nesting_limit_is_the_documented_one() {
    let nested =
        |arrays: usize| format!("{{\"age\": {}{}}}", "[".repeat(arrays), "]".repeat(arrays));
    expect_error(nested(126).as_bytes(), "found a list");
    expect_error(nested(127).as_bytes(), "recursion limit exceeded");
    let safety = std::fs::read_to_string(repo_path("docs/safety.md")).expect("docs/safety.md");
    assert!(
        safety.contains("| JSON nesting | 127 levels"),
        "docs/safety.md states the limit"
    );
}

/// A YAML batch document of exactly the record limit is read the same with or without
/// a `---` before it; one byte more is refused either way.
#[test]
fn a_yaml_document_at_the_limit_is_the_same_with_or_without_a_separator() {
    let document = |size: usize| {
        let head = "id: big\nage: 40\nnote: \"";
        let tail = "\"\n";
        format!("{head}{}{tail}", "x".repeat(size - head.len() - tail.len()))
    };
    for (size, refused) in [(65_536, false), (65_537, true)] {
        for input in [
            document(size),
            format!("---\n{}", document(size)),
            format!("id: a\n---\n{}", document(size)),
        ] {
            let (_, out, _) = batch(&input, &["--input-format", "yaml"]);
            let last = out.lines().last().expect("a result");
            assert_eq!(
                last.contains("longer than the limit"),
                refused,
                "{size}: {last}"
            );
        }
    }
}

/// A CSV row that cannot be read as a whole still names its id when the cells up to the
/// id can be read; an empty header cell says so, naming the column.
#[test]
fn csv_error_rows_keep_their_id_and_an_empty_header_says_so() {
    let (_, out, _) = batch(
        "id,age,goal\nr1,30,relaxation,extra\nr2,\"30,relaxation\n\"r,3\",40,x,y\n",
        &["--input-format", "csv"],
    );
    let ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["id"].to_string())
        .collect();
    assert_eq!(ids, ["\"r1\"", "\"r2\"", "\"r,3\""], "{out}");
    let (_, out, _) = batch("id,,goal\nx1,30,relaxation\n", &["--input-format", "csv"]);
    let line: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(line["errors"][0]["field"], "column 2", "{out}");
    assert!(
        line["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("header cell of this column is empty"))
    );
}

/// `check -` and `batch -` with standard input closed say so (not "the answers are
/// empty"), exit 2.
#[test]
fn a_closed_standard_input_is_named() {
    for command in ["check -", "batch -"] {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "exec '{}' {command} <&-",
                env!("CARGO_BIN_EXE_massage-check")
            ))
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("standard input is closed"),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
}

/// A write that fails part-way (here the file size limit, as a full disk would) names
/// the file the person asked for, never the temporary file beside it, and leaves none.
#[test]
fn a_failed_write_names_the_target_not_the_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("many.jsonl");
    std::fs::write(&input, format!("{{{BENIGN}}}\n").repeat(2_000)).expect("input");
    let target = dir.path().join("out.jsonl");
    // `ulimit -f 8` caps files at 8 blocks; SIGXFSZ ignored so the write fails instead.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 8; exec '{}' batch --today {TODAY} '{}' --output '{}'",
            env!("CARGO_BIN_EXE_massage-check"),
            input.display(),
            target.display()
        ))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot write {}", target.display())),
        "{stderr}"
    );
    assert!(!stderr.contains(".out.jsonl."), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left.len(), 1, "only the input is left: {left:?}");
}

/// A rulebook that extends the built-in one and breaks a built-in rule (by replacing a
/// question it reads) is told so at its own file's line, with the built-in rule named.
#[test]
fn a_broken_extension_is_blamed_on_the_users_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("extra.yaml");
    std::fs::write(
        &file,
        "rulebook:\n  extends: builtin\n  name: test\n  version: \"1\"\nquestions:\n  - id: pain_intensity\n    prompt: How bad?\n    type: yes_no\n    rationale: test\n    source: NICE_NG59\n",
    )
    .expect("write");
    let out = common::rules_check(dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    let problems: Vec<&str> = stdout.lines().filter(|l| l.contains(": ")).collect();
    assert!(!problems.is_empty(), "{stdout}");
    for line in problems {
        assert!(
            line.starts_with(&format!("{}:6:", file.display())),
            "{line}"
        );
    }
    assert!(
        stdout.contains("the built-in item at rules/red_flags.yaml:"),
        "{stdout}"
    );
}
