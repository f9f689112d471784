//! Drives the real binary's interview in a pseudo-terminal. Every expectation has a
//! timeout, so a hung prompt fails the test instead of hanging CI. The keys for each
//! question are worked out from the rulebook, so a new choice cannot silently shift
//! what a test answers.
#![cfg(unix)]

mod common;

use std::process::Command;

use massage_check::rulebook::{Question, QuestionType, Rulebook};
use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

const TIMEOUT_MS: u64 = 15_000;
const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const SHIFT_TAB: &str = "\x1b[Z";
const CTRL_U: &str = "\x15";

fn book() -> &'static Rulebook {
    static BOOK: std::sync::OnceLock<Rulebook> = std::sync::OnceLock::new();
    BOOK.get_or_init(|| Rulebook::builtin().expect("builtin"))
}

fn spawn(args: &[&str]) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_massage-check"));
    cmd.args(args).env("TERM", "xterm").env("NO_COLOR", "1");
    spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn in a pty")
}

fn spawn_shell(script: &str) -> PtySession {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script])
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn in a pty")
}

/// Waits for question `n` to be asked, then sends `keys`.
fn answer(p: &mut PtySession, n: usize, keys: &str) {
    p.exp_string(&format!("Question {n} of about"))
        .unwrap_or_else(|e| panic!("question {n} was not asked: {e}"));
    send(p, keys);
}

fn send(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("send keys");
    p.flush().expect("flush");
}

fn exit_code(p: &mut PtySession) -> i32 {
    match p.process().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("unexpected end: {other:?}"),
    }
}

/// The keys that give `value` (as written in an answers file) to question `q`.
fn keys_for(q: &Question, value: &serde_json::Value) -> String {
    let choice = |id: &str| {
        q.choices
            .iter()
            .position(|c| c.id == id)
            .unwrap_or_else(|| panic!("{} has no choice {id}", q.id))
    };
    match q.kind {
        QuestionType::Number | QuestionType::Scale => format!("{value}{ENTER}"),
        // Choice lists are numbered from 1; yes/no is "1. Yes", "2. No".
        QuestionType::YesNo => {
            let yes = value.as_bool().unwrap_or(value.as_str() == Some("yes"));
            format!("{}{ENTER}", if yes { 1 } else { 2 })
        }
        QuestionType::OneOf => {
            format!(
                "{}{ENTER}",
                choice(value.as_str().expect("a choice id")) + 1
            )
        }
        QuestionType::SeveralOf => {
            let picked: Vec<usize> = value
                .as_array()
                .expect("a list")
                .iter()
                .map(|v| choice(v.as_str().expect("a choice id")))
                .collect();
            // "None of these" sits just after the choices.
            let targets = if picked.is_empty() {
                vec![q.choices.len()]
            } else {
                picked
            };
            let mut keys = String::new();
            let mut at = 0;
            for t in targets {
                keys.push_str(&DOWN.repeat(t - at));
                keys.push(' ');
                at = t;
            }
            keys.push_str(ENTER);
            keys
        }
    }
}

/// The benign profile's answers, in the order the interview asks them.
fn benign_path() -> Vec<(&'static Question, serde_json::Value)> {
    let profile = massage_check::cases::benign_profile();
    book()
        .questions
        .iter()
        .filter_map(|q| profile.get(&q.id).map(|v| (q, v.clone())))
        .collect()
}

#[test]
fn a_benign_interview_ends_with_the_report_within_the_prompt_budget() {
    let mut p = spawn(&["ask", "--today", common::TODAY]);
    p.exp_string("your answers are not kept")
        .expect("says nothing is kept without --save");
    let path = benign_path();
    assert!(
        path.len() <= 20,
        "{} prompts on the benign path",
        path.len()
    );
    for (i, (q, v)) in path.iter().enumerate() {
        answer(&mut p, i + 1, &keys_for(q, v));
    }
    p.exp_string("SUITABLE: Massage suits you now")
        .expect("verdict");
    let rest = p.exp_eof().expect("ends");
    assert!(rest.contains("not a diagnosis"));
    assert!(
        !rest.contains(&format!("Question {} of", path.len() + 1)),
        "no prompt beyond the benign path"
    );
    assert_eq!(exit_code(&mut p), 0);
}

#[test]
fn enter_alone_never_answers_a_list_or_a_checklist() {
    // The benign path, plus a detour through yes/no follow-ups: pain in both legs
    // (long-standing, with a stenosis diagnosis) asks whether it is new, and a birth in the
    // last 3 months asks whether it was by caesarean.
    let mut answers = massage_check::cases::benign_profile();
    answers.insert(
        "pain_location".into(),
        serde_json::json!(["lower_back", "both_legs"]),
    );
    answers.insert("legs_new".into(), serde_json::json!(false));
    answers.insert("diagnoses".into(), serde_json::json!(["spinal_stenosis"]));
    answers.insert("health".into(), serde_json::json!(["recent_birth"]));
    answers.insert("birth_weeks_ago".into(), serde_json::json!(8));
    answers.insert("caesarean".into(), serde_json::json!(false));
    let path: Vec<(&Question, serde_json::Value)> = book()
        .questions
        .iter()
        .filter_map(|q| answers.get(&q.id).map(|v| (q, v.clone())))
        .collect();
    let mut p = spawn(&["ask", "--today", common::TODAY]);
    let mut lists = 0;
    for (i, (q, v)) in path.iter().enumerate() {
        p.exp_string(&format!("Question {} of about", i + 1))
            .unwrap_or_else(|e| panic!("question {} ({}) was not asked: {e}", i + 1, q.id));
        if !matches!(q.kind, QuestionType::Number | QuestionType::Scale) {
            // A hurried Enter: refused with the reason, and the same question stays.
            send(&mut p, ENTER);
            let refusal = if q.kind == QuestionType::SeveralOf {
                "Tick at least one line"
            } else {
                "Pick an answer first"
            };
            p.exp_string(refusal)
                .unwrap_or_else(|e| panic!("{}: Enter alone was not refused: {e}", q.id));
            // Moving onto a line is not ticking it either.
            if q.kind == QuestionType::SeveralOf {
                send(&mut p, &format!("{DOWN}{ENTER}"));
                p.exp_string(refusal).expect("still refused");
                send(&mut p, "\x1b[A");
            }
            lists += 1;
        }
        send(&mut p, &keys_for(q, v));
    }
    p.exp_string("SUITABLE WITH CAUTION").expect("verdict");
    p.exp_eof().expect("ends");
    assert!(lists >= 16, "only {lists} list questions were driven");
}

#[test]
fn an_emergency_answer_stops_the_interview_with_a_short_report() {
    let mut p = spawn(&["ask", "--today", common::TODAY]);
    let at = book()
        .questions
        .iter()
        .position(|q| q.id == "nerve_signs")
        .expect("question");
    let path = benign_path();
    let mut n = 0;
    for (q, v) in &path {
        n += 1;
        if q.id == "nerve_signs" {
            // Saddle numbness: the first line of the checklist.
            answer(&mut p, n, &format!(" {ENTER}"));
            break;
        }
        answer(&mut p, n, &keys_for(q, v));
    }
    assert!(n <= at + 1);
    p.exp_string("stopping here").expect("early stop");
    p.exp_string("EMERGENCY").expect("emergency verdict");
    let rest = p.exp_eof().expect("ends");
    assert!(
        !rest.contains(&format!("Question {} of", n + 1)),
        "no question after the emergency"
    );
    let report_lines = rest.lines().filter(|l| !l.trim().is_empty()).count();
    assert!(report_lines <= 15, "{report_lines} lines:\n{rest}");
    for absent in [
        "When to wait",
        "Questions to settle",
        "suit best",
        "What helps",
    ] {
        assert!(!rest.contains(absent), "{absent:?} in\n{rest}");
    }
    assert!(rest.contains("What to do now"), "{rest}");
    assert_eq!(exit_code(&mut p), 0);
}

#[test]
fn a_second_emergency_kind_also_stops_the_interview() {
    // A heavy, squeezing ache (the urgent-signs checklist, second line).
    let mut p = spawn(&["ask", "--today", common::TODAY]);
    let mut n = 0;
    for (q, v) in &benign_path() {
        n += 1;
        if q.id == "urgent_signs" {
            answer(&mut p, n, &format!("{DOWN} {ENTER}"));
            break;
        }
        answer(&mut p, n, &keys_for(q, v));
    }
    p.exp_string("stopping here").expect("early stop");
    p.exp_string("Call your emergency number now")
        .expect("the action");
    p.exp_eof().expect("ends");
}

#[test]
fn going_back_changes_an_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = dir.path().join("me.yaml");
    let saved_arg = saved.display().to_string();
    let mut p = spawn(&["ask", "--today", common::TODAY, "--save", &saved_arg]);
    p.exp_string(&format!("will be saved to {saved_arg}"))
        .expect("says where the answers go");
    let path = benign_path();
    answer(&mut p, 1, &format!("40{ENTER}"));
    answer(&mut p, 2, &format!("3{ENTER}"));
    // At question 3, back to question 2: the earlier answer is in the field; clear it
    // and give 9 instead of 3.
    answer(&mut p, 3, SHIFT_TAB);
    p.exp_string("Question 2 of about")
        .expect("back at question 2");
    p.exp_string("> 3").expect("the earlier answer is shown");
    send(&mut p, &format!("{CTRL_U}9{ENTER}"));
    for (i, (q, v)) in path.iter().enumerate().skip(2) {
        answer(&mut p, i + 1, &keys_for(q, v));
    }
    p.exp_string("SEE A CLINICIAN FIRST")
        .expect("9/10 is severe");
    p.exp_eof().expect("ends");
    let text = std::fs::read_to_string(&saved).expect("saved");
    assert!(text.contains("pain_intensity: 9\n"), "{text}");
}

#[test]
fn ctrl_u_clears_a_typed_answer_and_a_refused_one_is_cleared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = dir.path().join("me.yaml");
    let saved_arg = saved.display().to_string();
    let mut p = spawn(&["ask", "--today", common::TODAY, "--save", &saved_arg]);
    answer(&mut p, 1, &format!("150{ENTER}"));
    p.exp_string("150 is out of range").expect("reason shown");
    // The refused entry was cleared: typing 41 gives 41, not 15041.
    send(&mut p, &format!("41{CTRL_U}40{ENTER}"));
    for (i, (q, v)) in benign_path().iter().enumerate().skip(1) {
        answer(&mut p, i + 1, &keys_for(q, v));
    }
    p.exp_eof().expect("ends");
    let text = std::fs::read_to_string(&saved).expect("saved");
    assert!(text.contains("age: 40\n"), "{text}");
}

#[test]
fn esc_asks_before_throwing_the_answers_away() {
    let mut p = spawn(&["ask"]);
    answer(&mut p, 1, &format!("40{ENTER}"));
    answer(&mut p, 2, "\x1b");
    p.exp_string("Stop the interview?").expect("asks first");
    std::thread::sleep(std::time::Duration::from_millis(100));
    send(&mut p, "n");
    // Still on question 2.
    send(&mut p, &format!("3{ENTER}"));
    p.exp_string("Question 3 of about").expect("goes on");
    send(&mut p, "\x1b");
    p.exp_string("Stop the interview?").expect("asks again");
    std::thread::sleep(std::time::Duration::from_millis(100));
    send(&mut p, "y");
    let rest = p.exp_eof().expect("ends");
    assert!(rest.contains("nothing was saved"), "{rest:?}");
    assert!(!rest.contains("not a diagnosis"), "no partial report");
    assert_eq!(exit_code(&mut p), 4, "stopping has its own exit code");
}

#[test]
fn ctrl_c_leaves_no_report_and_exits_130() {
    let mut p = spawn(&["ask"]);
    answer(&mut p, 1, &format!("40{ENTER}"));
    p.exp_string("Question 2 of about")
        .expect("second question");
    p.send_control('c').expect("ctrl-c");
    p.flush().expect("flush");
    let rest = p.exp_eof().expect("ends");
    assert!(
        rest.contains("interrupted"),
        "says why it stopped: {rest:?}"
    );
    assert!(!rest.contains("not a diagnosis"), "no partial report");
    assert_eq!(exit_code(&mut p), 130);
}

#[test]
fn sigterm_or_sigquit_during_the_interview_restores_the_terminal() {
    let bin = env!("CARGO_BIN_EXE_massage-check");
    for signal in [libc::SIGTERM, libc::SIGQUIT] {
        // The shell reports the terminal's mode after the interview is killed.
        let mut p = spawn_shell(&format!(
            "'{bin}' ask </dev/tty & echo \"PID=$!\"; wait $!; echo \"AFTER $?\"; stty -a"
        ));
        let (_, pid) = p.exp_regex("PID=[0-9]+").expect("pid");
        let pid: i32 = pid.trim_start_matches("PID=").parse().expect("a pid");
        p.exp_string("Question 1 of about").expect("asking");
        // SAFETY: sending a signal to a child process we started.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        p.exp_string(&format!("AFTER {}", 128 + signal))
            .expect("the interview ended with 128 + the signal");
        let rest = p.exp_eof().expect("stty ran");
        // Raw mode turns off `isig` and `icanon` (the test pty starts with `-echo`).
        assert!(
            rest.contains("isig icanon"),
            "signal {signal}: the terminal was left raw:\n{rest}"
        );
    }
}

/// A paste far longer than any answer is taken at once (no key needed to see the rest),
/// cut at the editor's limit with a message, and the prompt still works afterwards.
#[test]
fn a_long_paste_is_handled_at_once() {
    let mut p = spawn(&["ask", "--today", common::TODAY]);
    p.exp_string("Question 1 of about").expect("asking");
    send(&mut p, &"4".repeat(1500));
    p.exp_string("at most 60 characters")
        .expect("the whole paste was read without another key");
    send(&mut p, &format!("{CTRL_U}40{ENTER}"));
    p.exp_string("Question 2 of about")
        .expect("the prompt still works");
}

/// `ask` refuses before the first question when the questions could not be seen
/// (standard error closed or not a terminal) or the report could not be written
/// (standard output closed or read-only).
#[test]
fn ask_refuses_when_the_questions_or_the_report_would_be_lost() {
    let bin = env!("CARGO_BIN_EXE_massage-check");
    let dir = tempfile::tempdir().expect("tempdir");
    let err = dir.path().join("err.txt");
    let err = err.display();
    for (redirect, needle) in [
        ("2>&-", ""),
        ("2>/dev/null", ""),
        (&format!("2>'{err}'") as &str, "standard error"),
        ("1>&-", "standard output is closed"),
        ("1</dev/null", "standard output is closed"),
    ] {
        let _ = std::fs::remove_file(dir.path().join("err.txt"));
        let mut p = spawn_shell(&format!("'{bin}' ask {redirect}; echo \"CODE=$?\""));
        let before = p.exp_string("CODE=").expect("ends");
        assert!(
            !before.contains("Question 1"),
            "{redirect}: asked: {before}"
        );
        let code = p.exp_eof().expect("eof");
        assert!(code.trim().starts_with('2'), "{redirect}: exit {code:?}");
        if redirect.starts_with('1') {
            assert!(before.contains(needle), "{redirect}: {before}");
        } else if !needle.is_empty() {
            let said = std::fs::read_to_string(dir.path().join("err.txt")).expect("stderr");
            assert!(said.contains(needle), "{redirect}: {said}");
        }
    }
}

/// When the report cannot be printed (a full disk), the answers are still saved, and
/// the error says where.
#[test]
fn answers_are_saved_even_when_the_report_cannot_be_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = dir.path().join("me.yaml");
    let bin = env!("CARGO_BIN_EXE_massage-check");
    let mut p = spawn_shell(&format!(
        "'{bin}' ask --today {} --save '{}' > /dev/full; echo \"CODE=$?\"",
        common::TODAY,
        saved.display()
    ));
    for (i, (q, v)) in benign_path().iter().enumerate() {
        answer(&mut p, i + 1, &keys_for(q, v));
    }
    let said = p.exp_string("CODE=").expect("ends");
    assert!(said.contains("were saved to"), "{said}");
    let code = p.exp_eof().expect("eof");
    assert!(code.trim().starts_with('1'), "exit {code:?}");
    let check = common::bin()
        .args(["check", "--today", common::TODAY])
        .arg(&saved)
        .output()
        .expect("check runs");
    assert!(check.status.success(), "the saved answers read back");
}

#[test]
fn saved_answers_read_back_to_the_identical_assessment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = dir.path().join("me.yaml");
    let report = dir.path().join("report.json");
    let bin = env!("CARGO_BIN_EXE_massage-check");
    let script = format!(
        "'{bin}' ask --today {} --format json --save '{}' > '{}'",
        common::TODAY,
        saved.display(),
        report.display()
    );
    let mut p = spawn_shell(&script);
    // The benign path, but a minor injury five days ago, bruised.
    let mut answers = massage_check::cases::benign_profile();
    answers.insert("injury".into(), serde_json::json!("minor"));
    answers.insert("injury_days_ago".into(), serde_json::json!(5));
    answers.insert("injury_checked".into(), serde_json::json!("not_checked"));
    answers.insert("injury_signs".into(), serde_json::json!(["bruised"]));
    let path: Vec<(&Question, serde_json::Value)> = book()
        .questions
        .iter()
        .filter_map(|q| answers.get(&q.id).map(|v| (q, v.clone())))
        .collect();
    for (i, (q, v)) in path.iter().enumerate() {
        answer(&mut p, i + 1, &keys_for(q, v));
    }
    p.exp_eof().expect("ends");
    assert_eq!(exit_code(&mut p), 0);

    let from_interview = std::fs::read(&report).expect("report written");
    let parsed: common::Report =
        serde_json::from_slice(&from_interview).expect("stdout is clean JSON, no prompts");
    assert_eq!(parsed.tier, "caution");
    let from_file = common::bin()
        .args(["check", "--format", "json", "--today", common::TODAY])
        .arg(&saved)
        .output()
        .expect("check runs");
    assert!(from_file.status.success());
    assert_eq!(
        from_file.stdout, from_interview,
        "check of the saved file gives the same report"
    );
}

#[test]
fn a_save_that_fails_at_the_end_still_shows_the_report_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("me.yaml");
    let target_arg = target.display().to_string();
    let mut p = spawn(&[
        "ask",
        "--today",
        common::TODAY,
        "--force",
        "--save",
        &target_arg,
    ]);
    answer(&mut p, 1, &format!("40{ENTER}"));
    // The target becomes a directory during the interview: the save must fail at the end.
    std::fs::create_dir(&target).expect("mkdir");
    let mut n = 1;
    for (q, v) in benign_path().iter().skip(1) {
        n += 1;
        if q.id == "nerve_signs" {
            answer(&mut p, n, &format!(" {ENTER}"));
            break;
        }
        answer(&mut p, n, &keys_for(q, v));
    }
    p.exp_string("EMERGENCY").expect("the report is shown");
    p.exp_string("not a diagnosis").expect("the whole report");
    p.exp_string("not saved").expect("then the save failure");
    assert_eq!(exit_code(&mut p), 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary file is left: {leftovers:?}"
    );
}

/// At 80x30, the end of a long report (what the person is left looking at) says the
/// verdict again; going back on a list shows the earlier answer highlighted; typing "not
/// sure" on a list records "not sure"; going back from the first question says there is
/// nothing before it.
#[test]
fn a_30_row_terminal_ends_with_the_verdict_and_lists_remember_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let saved = dir.path().join("me.yaml");
    let bin = env!("CARGO_BIN_EXE_massage-check");
    let mut p = spawn_shell(&format!(
        "stty rows 30 cols 80; exec '{bin}' ask --today {} --save '{}'",
        common::TODAY,
        saved.display()
    ));
    let path = benign_path();
    // Back from the first question.
    p.exp_string("Question 1 of about").expect("first question");
    send(&mut p, SHIFT_TAB);
    p.exp_string("nothing before it")
        .expect("says there is nothing before it");
    send(&mut p, &format!("40{ENTER}"));
    answer(&mut p, 2, &format!("3{ENTER}"));
    // pain_duration: choose "More than 3 months", then go back to it from question 4.
    let duration = book()
        .questions
        .iter()
        .find(|q| q.id == "pain_duration")
        .expect("question");
    answer(
        &mut p,
        3,
        &keys_for(duration, &serde_json::json!("over_12_weeks")),
    );
    answer(&mut p, 4, "\x1b[D");
    p.exp_string("Question 3 of about")
        .expect("back at question 3");
    p.exp_string("> 4. More than 3 months")
        .expect("the earlier answer is highlighted");
    // Type "not sure" instead: it must record not sure, never "No" or a guess.
    send(&mut p, &format!("not sure{ENTER}"));
    for (i, (q, v)) in path.iter().enumerate().skip(3) {
        answer(&mut p, i + 1, &keys_for(q, v));
    }
    let rest = p.exp_eof().expect("ends");
    let tail: Vec<&str> = rest.lines().rev().take(7).collect();
    assert!(tail.iter().all(|l| l.chars().count() <= 80), "{tail:?}");
    assert!(
        tail.iter().any(|l| l.starts_with("In short: SUITABLE")),
        "the last screen says the verdict: {tail:?}"
    );
    let text = std::fs::read_to_string(&saved).expect("saved");
    assert!(text.contains("pain_duration: unknown\n"), "{text}");
}

/// With the report going to a file, an interview that stops on an emergency still shows
/// what to do on the screen.
#[test]
fn an_emergency_reaches_the_screen_when_the_report_goes_to_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let bin = env!("CARGO_BIN_EXE_massage-check");
    let mut p = spawn_shell(&format!(
        "'{bin}' ask --today {} --format json > '{}'",
        common::TODAY,
        report.display()
    ));
    let mut n = 0;
    for (q, v) in benign_path() {
        n += 1;
        if q.id == "nerve_signs" {
            answer(&mut p, n, &format!(" {ENTER}"));
            break;
        }
        answer(&mut p, n, &keys_for(q, &v));
    }
    p.exp_string("stopping here").expect("early stop");
    p.exp_string("EMERGENCY: Go to an emergency department")
        .expect("the action on the screen");
    p.exp_eof().expect("ends");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("clean json");
    assert_eq!(json["tier"], "emergency");
}

/// `batch` reading records typed at a terminal says how to end the input, and Ctrl-D
/// on an empty line ends it.
#[test]
fn batch_at_a_terminal_says_how_to_end_input() {
    let mut p = spawn(&["batch", "--today", common::TODAY]);
    p.exp_string("press Ctrl-D").expect("says how to end input");
    send(&mut p, "{\"id\": \"t1\", \"age\": 40}\r");
    p.exp_string("\"id\":\"t1\"").expect("the record's result");
    send(&mut p, "\x04");
    p.exp_eof().expect("Ctrl-D ends the input");
}
