//! Faults in the environment: files that cannot be written, rulebook directories holding
//! things that are not files. Nothing may be lost and nothing may be silently skipped.
#![cfg(unix)]

mod common;

use common::{TODAY, bin, repo_path, rules_check};

/// A copy of the built-in rulebook in a fresh directory.
fn rulebook_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(repo_path("rules")).expect("rules/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

/// `rules check DIR` and `--rules DIR check` both fail naming `needle`.
fn rulebook_is_refused(dir: &std::path::Path, needle: &str) {
    let out = rules_check(dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains(needle) || stderr.contains(needle),
        "names {needle}: {stdout}{stderr}"
    );
    let out = bin()
        .arg("--rules")
        .arg(dir)
        .args(["check", "--today", TODAY])
        .arg(repo_path("examples/cauda-equina.yaml"))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unusable rulebook is an error"
    );
    assert!(out.stdout.is_empty(), "no report from a partial rulebook");
    assert!(String::from_utf8_lossy(&out.stderr).contains(needle));
}

#[test]
fn a_dangling_symlink_in_a_rulebook_is_an_error_not_a_skipped_file() {
    let dir = rulebook_copy();
    let red_flags = dir.path().join("red_flags.yaml");
    std::fs::remove_file(&red_flags).expect("remove");
    std::os::unix::fs::symlink(dir.path().join("gone.yaml.bak"), &red_flags).expect("symlink");
    rulebook_is_refused(dir.path(), "red_flags.yaml");
}

#[test]
fn a_symlink_loop_in_a_rulebook_is_an_error() {
    let dir = rulebook_copy();
    let a = dir.path().join("loop_a.yaml");
    let b = dir.path().join("loop_b.yaml");
    std::os::unix::fs::symlink(&b, &a).expect("symlink");
    std::os::unix::fs::symlink(&a, &b).expect("symlink");
    rulebook_is_refused(dir.path(), "loop_a.yaml");
}

#[test]
fn a_fifo_or_directory_named_yaml_in_a_rulebook_is_an_error() {
    let dir = rulebook_copy();
    let fifo = dir.path().join("red_flags.yaml");
    std::fs::remove_file(&fifo).expect("remove");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    // A FIFO must be refused without opening it (opening would block for ever).
    rulebook_is_refused(dir.path(), "FIFO");
    std::fs::remove_file(&fifo).expect("remove fifo");
    std::fs::create_dir(&fifo).expect("mkdir");
    rulebook_is_refused(dir.path(), "a directory");
}

#[test]
fn a_save_target_that_cannot_be_written_is_refused_before_the_first_question() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A directory, even with --force, and a file in a directory that does not exist.
    for (target, needle) in [
        (dir.path().to_path_buf(), "is a directory"),
        (dir.path().join("missing/me.yaml"), "does not exist"),
    ] {
        let out = bin()
            .args(["ask", "--force", "--save"])
            .arg(&target)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
        assert!(
            !stderr.contains("needs a terminal"),
            "the save target is checked first: {stderr}"
        );
    }
}

/// No raw escape character anywhere in `bytes`.
fn no_escape(bytes: &[u8], what: &str) {
    assert!(
        !bytes.contains(&0x1b),
        "{what}: a raw escape code reached the output:\n{}",
        String::from_utf8_lossy(bytes)
    );
}

#[test]
fn escape_codes_in_answers_never_reach_the_terminal() {
    // In the record id, shown in the text report and the batch summary.
    let answers = "id: \"evil\\e[2J\\e]0;title\\a\"\nnerve_signs: []\n";
    let out = bin()
        .args(["check", "-", "--today", TODAY, "--color", "never"])
        .write_stdin(answers)
        .output()
        .expect("runs");
    assert!(out.status.success());
    no_escape(&out.stdout, "text report");
    assert!(String::from_utf8_lossy(&out.stdout).contains("evil\\u{1b}[2J"));
    let out = bin()
        .args(["batch", "--format", "summary", "--today", TODAY])
        .write_stdin("{\"id\":\"x\\u001b[31m\",\"nerve_signs\":[\"bladder\"]}\n")
        .output()
        .expect("runs");
    no_escape(&out.stdout, "batch summary");
    assert!(String::from_utf8_lossy(&out.stdout).contains("x\\u{1b}[31m"));
    // An unknown key and a bad value, echoed in the error.
    let out = bin()
        .args(["check", "-"])
        .write_stdin("\"key\\e[31m\": 1\ngoal: \"relax\\e[2J\"\n")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    no_escape(&out.stderr, "error messages");
    assert!(String::from_utf8_lossy(&out.stderr).contains("key\\u{1b}[31m"));
}

#[test]
fn a_rulebook_text_with_a_control_character_is_refused() {
    let dir = rulebook_copy();
    let path = dir.path().join("red_flags.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replacen(
            "advice: Go to an emergency department now",
            "advice: \"\\e[8mGo to an emergency department now",
            1,
        )
        .replacen(
            "with numbness between your legs or around your bottom.",
            "with numbness between your legs or around your bottom.\"",
            1,
        ),
    )
    .expect("write");
    let out = rules_check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    no_escape(&out.stdout, "rules check");
    assert!(String::from_utf8_lossy(&out.stdout).contains("`advice` holds a control character"));
    // An id with an escape code is named escaped.
    std::fs::write(
        dir.path().join("local.yaml"),
        "sources: [{ id: \"X\\e[31m\", title: t }]\n",
    )
    .expect("write");
    let out = rules_check(dir.path());
    no_escape(&out.stdout, "rules check ids");
    assert!(String::from_utf8_lossy(&out.stdout).contains("X\\u{1b}[31m"));
}

fn batch_csv(input: &[u8]) -> (i32, String, String) {
    let out = bin()
        .args(["batch", "--input-format", "csv", "--today", TODAY])
        .write_stdin(input.to_vec())
        .output()
        .expect("runs");
    (
        out.status.code().expect("exits"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A header naming thousands of unknown columns: each row lists 100 problems and counts
/// the rest, and the suggestion for each unknown column is worked out once (per row it
/// took three minutes for 2,000 rows of 6,000 columns, and memory grew with the columns).
#[test]
fn a_header_of_thousands_of_unknown_columns_is_reported_briefly() {
    let columns = 5_000;
    // Close to a question id, so each column is an error (not an ignored column); 2,000
    // of them keep the header row under the record limit.
    let header: Vec<String> = (0..2_000).map(|i| format!("pain_intensit{i}")).collect();
    let mut input = header.join(",") + "\n";
    for _ in 0..200 {
        input += &vec!["1"; 2_000].join(",");
        input += "\n";
    }
    let out = bin()
        .args(["batch", "--input-format", "csv", "--today", TODAY])
        .write_stdin(input)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 200);
    let first: serde_json::Value =
        serde_json::from_str(stdout.lines().next().expect("a line")).expect("JSON");
    let errors = first["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 101);
    assert_eq!(errors[100]["message"], "and 1900 more problems");

    // Thousands of columns that match nothing are not read, and named briefly.
    let header: Vec<String> = (0..columns).map(|i| format!("col{i}")).collect();
    let input = header.join(",") + "\n" + &vec!["1"; columns].join(",") + "\n";
    let out = bin()
        .args(["batch", "--input-format", "csv", "--today", TODAY])
        .write_stdin(input)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("col19, and 4980 more"), "{stderr}");
    assert!(stderr.len() < 1_000, "{stderr}");
}

#[test]
fn a_stray_quote_or_a_lone_carriage_return_loses_no_person() {
    // The quote inside `4"0` is a literal character: the next line is its own record.
    let (_, stdout, _) = batch_csv(b"id,age\na,4\"0\nb,50\n");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].contains("\"id\":\"a\"") && lines[0].contains("4\\\"0"),
        "{stdout}"
    );
    assert!(
        lines[1].contains("\"id\":\"b\"") && lines[1].contains("\"tier\":\""),
        "{stdout}"
    );
    // A carriage return alone ends a line: two people, two results.
    let (_, stdout, _) = batch_csv(b"id,age\na,40\rb,50\n");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[1].contains("\"id\":\"b\""), "{stdout}");
}

#[test]
fn an_over_long_csv_record_is_an_error_record_and_reading_goes_on() {
    let mut input = b"id,goal\n".to_vec();
    input.extend_from_slice(b"big,");
    input.extend(std::iter::repeat_n(b'x', 200_000));
    input.extend_from_slice(b"\nsmall,relaxation\n");
    let (code, stdout, _) = batch_csv(&input);
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].contains("longer than the limit of 65536 bytes"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("\"id\":\"small\"") && lines[1].contains("\"tier\":\""));
    // A header row over the limit: no records come out, and that is not a success.
    let mut header = vec![b'a'; 100_000];
    header.push(b'\n');
    let (code, _, stderr) = batch_csv(&header);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no records in the input"), "{stderr}");
}

#[test]
fn a_quote_left_open_at_the_end_is_an_error_record() {
    let (code, stdout, _) = batch_csv(b"id,age\na,40\nb,\"4");
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[1].contains("ends inside a quoted field"),
        "{}",
        lines[1]
    );
    assert!(
        !lines[1].contains("\"tier\":\""),
        "not assessed with a truncated age"
    );
}

#[test]
fn a_column_named_twice_is_reported_as_such() {
    let (code, stdout, _) = batch_csv(b"id,goal,goal\na,relaxation,mobility\n");
    assert_eq!(code, 1);
    assert!(
        stdout.contains("is a column twice in the header"),
        "{stdout}"
    );
}

#[test]
fn csv_results_stream_as_rows_arrive() {
    use std::io::{BufRead, Write};
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("in.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    for threads in ["1", "2"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_massage-check"))
            .args([
                "batch",
                "--input-format",
                "csv",
                "--threads",
                threads,
                "--today",
                TODAY,
            ])
            .arg(&fifo)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let mut writer = std::fs::OpenOptions::new()
            .write(true)
            .open(&fifo)
            .expect("open fifo");
        let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        writer
            .write_all(b"id,goal\nfirst,relaxation\n")
            .expect("write");
        writer.flush().expect("flush");
        // The first row's result comes while the input is still open.
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(move || {
            let mut line = String::new();
            reader.read_line(&mut line).expect("read");
            tx.send(line).expect("send");
            reader
        });
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("--threads {threads}: no result before the input ended"));
        assert!(line.contains("\"id\":\"first\""), "{line}");
        writer.write_all(b"second,mobility\n").expect("write");
        drop(writer);
        let mut reader = handle.join().expect("reader");
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut reader, &mut rest).expect("read");
        assert!(rest.contains("\"id\":\"second\""), "{rest}");
        child.wait().expect("wait");
    }
}

fn sh(script: &str) -> std::process::Output {
    std::process::Command::new("sh")
        .args(["-c", script])
        .env("BIN", env!("CARGO_BIN_EXE_massage-check"))
        .current_dir(repo_path(""))
        .output()
        .expect("sh runs")
}

#[test]
fn a_closed_or_full_stdout_is_an_error_not_a_silent_success() {
    for script in [
        "\"$BIN\" check examples/desk-worker.yaml >&-",
        "\"$BIN\" batch examples/people.jsonl >&-",
        "\"$BIN\" --help > /dev/full",
        "\"$BIN\" --version > /dev/full",
        "\"$BIN\" check examples/desk-worker.yaml > /dev/full",
    ] {
        let out = sh(script);
        assert_eq!(out.status.code(), Some(1), "{script}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("cannot write to standard output"),
            "{script}: {err}"
        );
        assert!(
            !err.contains("records:"),
            "{script}: the batch did not run: {err}"
        );
    }
    // /dev/null and a reader that goes away are fine.
    for script in [
        "\"$BIN\" check examples/desk-worker.yaml > /dev/null",
        "\"$BIN\" --version > /dev/null",
        "\"$BIN\" check examples/desk-worker.yaml | head -1 > /dev/null; exit ${PIPESTATUS:-0}",
    ] {
        assert_eq!(sh(script).status.code(), Some(0), "{script}");
    }
}

#[test]
fn error_messages_say_what_is_true() {
    // The size: the file's real size, or the limit for a stream.
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, vec![b'a'; 2_000_000]).expect("write");
    let out = bin().arg("check").arg(&big).output().expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("the answers are 2000000 bytes; the limit is 1048576 bytes")
    );
    let out = bin()
        .args(["check", "-"])
        .write_stdin(vec![b'a'; 2_000_000])
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("longer than the limit of 1048576 bytes")
    );
    // A number too large to hold exactly is not echoed as a different number.
    let out = bin()
        .args(["check", "-"])
        .write_stdin("age: 18446744073709551616\n")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("age: a number far too large"), "{err}");
    assert!(!err.contains("18446744073709552000"), "{err}");
    // Two files extending the built-in rulebook: one problem, not a spurious list.
    let two = tempfile::tempdir().expect("tempdir");
    for name in ["a.yaml", "b.yaml"] {
        std::fs::write(
            two.path().join(name),
            "rulebook: { extends: builtin, name: x, version: \"1\" }\n",
        )
        .expect("write");
    }
    let out = rules_check(two.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("more than one file has a `rulebook:` section"),
        "{text}"
    );
}

#[test]
fn dates_stay_within_the_calendar() {
    let out = bin()
        .args(["check", "-", "--today", "9999-12-30"])
        .write_stdin("injury: minor\ninjury_days_ago: 0\n")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 1900-01-01 and 9899-12-31"));
    let dir = rulebook_copy();
    std::fs::write(
        dir.path().join("local.yaml"),
        "rules:\n  - { id: forever, title: F, when: { fact: pain_intensity, at_least: 9 }, tier: wait, advice: a, wait: { weeks: 4294967295, ends_when: never }, rationale: r, source: WERNER }\n",
    )
    .expect("write");
    let out = rules_check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("the longest wait is 521 weeks"));
}

#[test]
fn output_refuses_an_existing_link_without_force_and_writes_devices_directly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me").expect("write");
    let link = dir.path().join("out.jsonl");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let run = |target: &std::path::Path, force: bool| {
        let mut cmd = bin();
        cmd.args(["batch", "--today", TODAY, "--output"])
            .arg(target);
        if force {
            cmd.arg("--force");
        }
        cmd.write_stdin("{\"goal\": \"relaxation\"}\n")
            .output()
            .expect("runs")
    };
    // Without --force an existing link is an existing file: refused, its target untouched.
    // (With --force the link is written through: `force_keeps_the_mode_and_writes_through_a_link`.)
    assert_eq!(run(&link, false).status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
    // A dangling link is an existing entry too.
    let dangling = dir.path().join("dangling.jsonl");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).expect("symlink");
    assert_eq!(run(&dangling, false).status.code(), Some(2));
    // A character device is written directly, not replaced by a file.
    let out = run(std::path::Path::new("/dev/null"), true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/null")
            .expect("stat")
            .file_type()
            .is_char_device()
    );
    // A directory is refused before any work.
    let out = run(dir.path(), true);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_interrupted_batch_leaves_no_temporary_file() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.jsonl");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_massage-check"))
            .args(["batch", "--today", TODAY, "--output"])
            .arg(&target)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        std::io::Write::write_all(&mut stdin, b"{\"goal\": \"relaxation\"}\n").expect("write");
        // Wait until the temporary file exists, then interrupt the run.
        let appeared = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            std::fs::read_dir(dir.path()).expect("dir").count() > 0
        });
        assert!(appeared, "the temporary file was never created");
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(128 + signal), "{status:?}");
        drop(stdin);
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert!(left.is_empty(), "signal {signal}: {left:?} left behind");
    }
}

/// `batch IN --output IN --force` (the same file, or a link to it) is refused before
/// anything is read or written; the input is left whole.
#[test]
fn batch_refuses_to_write_its_results_over_its_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("people.jsonl");
    let original = std::fs::read(repo_path("examples/people.jsonl")).expect("example");
    std::fs::write(&input, &original).expect("write");
    let link = dir.path().join("link.jsonl");
    std::os::unix::fs::symlink(&input, &link).expect("symlink");
    for output in [&input, &link] {
        let out = bin()
            .args(["batch", "--force", "--output"])
            .arg(output)
            .arg(&input)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is the input file"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            std::fs::read(&input).expect("input"),
            original,
            "input intact"
        );
    }
}

/// `--force` keeps the replaced file's mode, and writes through a symbolic link instead of
/// replacing the link with a regular file.
#[test]
fn force_keeps_the_mode_and_writes_through_a_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("results.jsonl");
    std::fs::write(&real, "old\n").expect("write");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = dir.path().join("latest.jsonl");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let out = bin()
        .args(["batch", "--force", "--today", TODAY, "--output"])
        .arg(&link)
        .arg(repo_path("examples/people.jsonl"))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "one invalid record in the example"
    );
    let meta = std::fs::symlink_metadata(&link).expect("link");
    assert!(meta.file_type().is_symlink(), "the link is still a link");
    let written = std::fs::read_to_string(&real).expect("written through the link");
    assert_eq!(written.lines().count(), 4, "{written}");
    let mode = std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "the mode is kept");
}

/// A batch writing to a pipe that is stopped by SIGTERM leaves only whole lines: the
/// results already written end with a newline, whatever moment the signal arrives.
#[test]
fn sigterm_with_output_to_a_pipe_leaves_only_whole_lines() {
    use std::io::Read;
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("many.jsonl");
    let people = std::fs::read_to_string(repo_path("examples/people.jsonl")).expect("example");
    std::fs::write(&input, people.repeat(100_000)).expect("write input");
    for attempt in 0..5 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_massage-check"))
            .args(["batch", "--today", TODAY, "--format", "jsonl"])
            .arg(&input)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut got = Vec::new();
        let mut piece = vec![0u8; 1000 + attempt * 777];
        while got.len() < 300_000 {
            let n = stdout.read(&mut piece).expect("read");
            assert!(n > 0, "the batch ended before the signal");
            got.extend_from_slice(&piece[..n]);
        }
        // Stop reading so the pipe fills and the writer blocks part-way through a write.
        std::thread::sleep(std::time::Duration::from_millis(150));
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        stdout.read_to_end(&mut got).expect("read the rest");
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{status:?}");
        assert_eq!(
            got.last(),
            Some(&b'\n'),
            "attempt {attempt}: a partial line was left"
        );
        for line in got.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            serde_json::from_slice::<serde_json::Value>(line).expect("every line is whole JSON");
        }
    }
}

/// Files holding answers or reports are created readable by their owner only, unless
/// --mode says otherwise; a bad --mode is a usage error naming what is allowed.
#[test]
fn written_files_are_owner_only_unless_mode_says_otherwise() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let mode_of =
        |p: &std::path::Path| std::fs::metadata(p).expect("written").permissions().mode() & 0o777;
    let people = repo_path("examples/people.jsonl");
    let default = dir.path().join("default.jsonl");
    bin()
        .args(["batch", "--today", TODAY, "-o"])
        .arg(&default)
        .arg(&people)
        .output()
        .expect("runs");
    assert_eq!(mode_of(&default), 0o600);
    let shared = dir.path().join("shared.jsonl");
    bin()
        .args(["batch", "--today", TODAY, "--mode", "640", "-o"])
        .arg(&shared)
        .arg(&people)
        .output()
        .expect("runs");
    assert_eq!(mode_of(&shared), 0o640);
    let out = bin()
        .args(["batch", "--mode", "999", "-o"])
        .arg(dir.path().join("x.jsonl"))
        .arg(&people)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("octal"));
}

/// Waits (up to 20 s) until process `pid` sleeps in the kernel function named `place`
/// (`/proc/PID/wchan`), so a signal reaches it at a known point.
fn wait_until_blocked_in(pid: u32, place: &str) -> bool {
    (0..2000).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::read_to_string(format!("/proc/{pid}/wchan")).is_ok_and(|w| w.contains(place))
    })
}

/// A pipe whose buffer is one page and already full, so the next write to it blocks
/// until the reader takes the filler.
fn full_pipe() -> (std::fs::File, std::fs::File, Vec<u8>) {
    use std::os::fd::{AsRawFd, FromRawFd};
    let mut fds = [0; 2];
    // SAFETY: pipe writes two new descriptors into the array, which we then own.
    assert_eq!(
        unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) },
        0,
        "pipe"
    );
    // SAFETY: each descriptor was just created and is owned by one File only.
    let (reader, mut writer) = unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            std::fs::File::from_raw_fd(fds[1]),
        )
    };
    // SAFETY: fcntl on a descriptor we own, with plain integers.
    let size = unsafe { libc::fcntl(writer.as_raw_fd(), libc::F_SETPIPE_SZ, 4096) };
    assert!(size > 0, "F_SETPIPE_SZ");
    let filler = vec![b'#'; usize::try_from(size).expect("size")];
    std::io::Write::write_all(&mut writer, &filler).expect("fill");
    (reader, writer, filler)
}

/// `check` of the desk worker writing its report into `writer` (a full pipe), once it
/// is blocked in that write.
fn check_blocked_on(writer: std::fs::File) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_massage-check"))
        .args(["check", "--today", TODAY])
        .arg(repo_path("examples/desk-worker.yaml"))
        .stdout(writer)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    assert!(
        wait_until_blocked_in(child.id(), "pipe_write"),
        "the report never blocked"
    );
    child
}

/// `check` (no handler thread: the signal handler acts itself) receiving SIGTERM while its
/// report is blocked on a full pipe finishes the report, then ends with 128 + 15.
#[test]
fn a_short_command_finishes_its_write_before_a_signal_ends_it() {
    use std::io::Read;
    let expected = bin()
        .args(["check", "--today", TODAY])
        .arg(repo_path("examples/desk-worker.yaml"))
        .output()
        .expect("runs");
    let (mut reader, writer, filler) = full_pipe();
    let mut child = check_blocked_on(writer);
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let mut got = Vec::new();
    reader.read_to_end(&mut got).expect("read");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "{status:?}");
    assert_eq!(&got[..filler.len()], &filler[..]);
    assert_eq!(
        String::from_utf8_lossy(&got[filler.len()..]),
        String::from_utf8_lossy(&expected.stdout),
        "the report is whole"
    );
}

/// A reader that never reads again cannot hold a short command forever: 2 s after the
/// signal the process ends anyway, with 128 + the signal.
#[test]
fn a_signal_waits_at_most_two_seconds_for_a_stalled_reader() {
    let (reader, writer, _) = full_pipe();
    let mut child = check_blocked_on(writer);
    let sent = std::time::Instant::now();
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().expect("wait");
    let waited = sent.elapsed();
    drop(reader);
    assert_eq!(status.code(), Some(128 + libc::SIGINT), "{status:?}");
    assert!(
        waited >= std::time::Duration::from_millis(1500),
        "ended after {waited:?}, before the write's 2 s"
    );
}

/// A short command that is not writing (here waiting for its answers on stdin) ends at
/// once on a signal, with nothing on stdout.
#[test]
fn a_signal_ends_a_short_command_that_is_not_writing() {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_massage-check"))
        .args(["check", "--today", TODAY, "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    assert!(wait_until_blocked_in(child.id(), "pipe_read"));
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(128 + libc::SIGHUP),
        "{:?}",
        out.status
    );
    assert!(out.stdout.is_empty());
}
