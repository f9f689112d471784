//! Drives the real binary's interview in a pseudo-terminal. Every expectation has a
//! timeout, so a hung prompt fails the test instead of hanging CI.
#![cfg(unix)]

mod common;

use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

const TIMEOUT_MS: u64 = 15_000;
const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

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
    p.exp_string(&format!("question {n} of about"))
        .unwrap_or_else(|e| panic!("question {n} was not asked: {e}"));
    p.send(keys).expect("send keys");
    p.flush().expect("flush");
}

fn exit_code(p: &mut PtySession) -> i32 {
    match p.process().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("unexpected end: {other:?}"),
    }
}

/// The keys for a benign case, question by question (see rules/questions.yaml).
fn benign_keys() -> Vec<String> {
    let no = format!("{DOWN}{ENTER}");
    let mut keys = vec![
        format!("40{ENTER}"),                 // age
        format!("3{ENTER}"),                  // pain_intensity
        format!("{DOWN}{DOWN}{DOWN}{ENTER}"), // pain_duration: over 12 weeks
        format!(" {ENTER}"),                  // pain_location: lower back
        format!(" {ENTER}"),                  // pain_character: dull ache
        no.clone(),                           // sudden_worsening
    ];
    keys.extend(std::iter::repeat_n(no.clone(), 10)); // the red flags, saddle .. clots
    keys.push(ENTER.into()); // diagnoses: none
    keys.push(no.clone()); // recent_injury
    keys.push(ENTER.into()); // recent_surgery: no
    keys.push(ENTER.into()); // allergies: none
    keys.extend(std::iter::repeat_n(no.clone(), 4)); // thinners, relievers, pregnant, worse before
    keys.push(ENTER.into()); // goal: relaxation
    keys.push(ENTER.into()); // pressure: light
    keys.push(no); // frequency: monthly
    keys
}

#[test]
fn a_benign_interview_ends_with_the_report() {
    let mut p = spawn(&["ask", "--today", common::TODAY]);
    for (i, keys) in benign_keys().iter().enumerate() {
        answer(&mut p, i + 1, keys);
    }
    p.exp_string("SUITABLE: Massage suits you now")
        .expect("verdict");
    p.exp_string("not a diagnosis").expect("disclaimer");
    assert_eq!(exit_code(&mut p), 0);
}

#[test]
fn an_emergency_answer_stops_the_interview_and_shows_the_advice() {
    let mut p = spawn(&["ask", "--today", common::TODAY]);
    answer(&mut p, 1, &format!("40{ENTER}"));
    answer(&mut p, 2, &format!("6{ENTER}"));
    answer(&mut p, 3, ENTER);
    answer(&mut p, 4, ENTER);
    answer(&mut p, 5, ENTER);
    answer(&mut p, 6, &format!("{DOWN}{ENTER}"));
    answer(&mut p, 7, ENTER); // saddle numbness: yes
    p.exp_string("stopping here").expect("early stop");
    p.exp_string("EMERGENCY").expect("emergency verdict");
    let rest = p.exp_eof().expect("ends");
    assert!(
        !rest.contains("question 8 of"),
        "no question after the emergency"
    );
    assert_eq!(exit_code(&mut p), 0);
}

#[test]
fn an_invalid_entry_is_refused_with_the_reason_and_asked_again() {
    let mut p = spawn(&["ask"]);
    answer(&mut p, 1, &format!("150{ENTER}"));
    p.exp_string("150 is out of range").expect("reason shown");
    // Still on question 1: clear the entry and give a valid age.
    p.send("\x7f\x7f\x7f40\r").expect("send");
    p.flush().expect("flush");
    p.exp_string("question 2 of about")
        .expect("moves on after a valid answer");
    p.send_control('c').expect("ctrl-c");
    p.flush().expect("flush");
    p.exp_eof().expect("ends");
}

#[test]
fn ctrl_c_leaves_no_report_and_exits_130() {
    let mut p = spawn(&["ask"]);
    answer(&mut p, 1, &format!("40{ENTER}"));
    p.exp_string("question 2 of about")
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
    let mut keys = benign_keys();
    keys[17] = ENTER.to_string(); // recent_injury: yes
    let mut n = 0;
    for (i, k) in keys.iter().enumerate() {
        n += 1;
        answer(&mut p, n, k);
        if i == 17 {
            // The follow-ups to "yes, recent injury": 5 days ago, bruised.
            n += 1;
            answer(&mut p, n, &format!("5{ENTER}"));
            n += 1;
            answer(&mut p, n, &format!("{DOWN} {ENTER}"));
        }
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
fn end_of_input_leaves_no_report_and_exits_2() {
    let mut p = spawn(&["ask"]);
    answer(&mut p, 1, &format!("40{ENTER}"));
    p.exp_string("question 2 of about")
        .expect("second question");
    p.send_control('d').expect("ctrl-d");
    p.flush().expect("flush");
    let rest = p.exp_eof().expect("ends");
    assert!(rest.contains("nothing was saved"), "{rest:?}");
    assert!(!rest.contains("not a diagnosis"), "no partial report");
    assert_eq!(exit_code(&mut p), 2);
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
    answer(&mut p, 2, &format!("6{ENTER}"));
    answer(&mut p, 3, ENTER);
    answer(&mut p, 4, ENTER);
    answer(&mut p, 5, ENTER);
    answer(&mut p, 6, &format!("{DOWN}{ENTER}"));
    answer(&mut p, 7, ENTER); // saddle numbness: yes
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
