//! `massage-check batch`: every record in gets one result out, in order, in every format.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{TODAY, bin, repo_path};
use serde_json::Value;

fn batch(input: &str, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(["batch", "--today", TODAY])
        .args(args)
        .write_stdin(input.to_string())
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf8 stdout"),
        String::from_utf8(out.stderr).expect("utf8 stderr"),
    )
}

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

const MIXED_JSONL: &str = r#"{"id": "a", "goal": "relaxation", "nerve_signs": []}
{"id": "b", "nerve_signs": ["saddle_numbness"]}

{"id": "c", "pain_intensity": 11}
this is not json
{"age": 40, "injury": "minor", "injury_days_ago": 1}
{"id": 7, "injury": "none", "injury_days_ago": 3}
"#;

#[test]
fn jsonl_mixed_valid_and_invalid_gives_one_result_per_record_in_order() {
    let (code, stdout, stderr) = batch(MIXED_JSONL, &[]);
    assert_eq!(code, 1, "invalid records make the exit code 1");
    let results = lines(&stdout);
    assert_eq!(
        results.len(),
        6,
        "six records in (the blank line is not a record)"
    );
    let records: Vec<u64> = results
        .iter()
        .map(|r| r["record"].as_u64().expect("record"))
        .collect();
    assert_eq!(
        records,
        vec![1, 2, 4, 5, 6, 7],
        "line numbers identify records, in input order"
    );
    assert_eq!(results[0]["id"], "a");
    assert_eq!(results[1]["tier"], "emergency");
    assert_eq!(results[2]["id"], "c");
    assert!(results[2]["tier"].is_null());
    assert_eq!(results[2]["errors"][0]["field"], "pain_intensity");
    assert!(
        results[3]["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("cannot read")
    );
    assert!(
        results[4]["id"].is_null(),
        "a record without id is known by its line"
    );
    assert_eq!(results[4]["wait"]["days"], 2);
    assert_eq!(results[5]["id"], "7");
    assert_eq!(results[5]["errors"][0]["field"], "injury_days_ago");
    assert!(
        stderr.contains("6 records:") && stderr.contains("3 invalid"),
        "{stderr}"
    );
}

#[test]
fn all_valid_exits_0_and_fail_on_exits_3() {
    let input = "{\"goal\": \"relaxation\"}\n{\"nerve_signs\": [\"saddle_numbness\"]}\n";
    assert_eq!(batch(input, &[]).0, 0);
    assert_eq!(batch(input, &["--fail-on", "emergency"]).0, 3);
    assert_eq!(
        batch("{\"nerve_signs\": []}\n", &["--fail-on", "emergency"]).0,
        0
    );
}

#[test]
fn csv_input_handles_quoting_newlines_missing_and_extra_columns_and_a_bom() {
    let csv = "\u{feff}id,goal,pain_location,nerve_signs,injury,injury_days_ago\n\
               p1,relaxation,lower_back;one_leg,[],none,\n\
               \"p,2\",pain_relief,\"lower_back\",saddle_numbness,none,\n\
               \"p\n3\",mobility,,unknown,minor,2\n\
               p4,relax,,[],none,\n\
               p5,relaxation,,[],none,,surplus\n\
               p6,maintenance\n";
    let (code, stdout, _) = batch(csv, &["--input-format", "csv"]);
    assert_eq!(code, 1);
    let results = lines(&stdout);
    assert_eq!(results.len(), 6, "{stdout}");
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, vec!["p1", "p,2", "p\n3", "p4", "p5", "p6"]);
    assert_eq!(
        results[1]["tier"], "emergency",
        "quoted fields are read whole"
    );
    assert_eq!(
        results[2]["wait"]["days"], 1,
        "a quoted newline stays inside its field"
    );
    assert_eq!(results[3]["errors"][0]["field"], "goal");
    assert!(
        results[4]["errors"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("7 fields but the header names 6")
    );
    assert!(
        results[5]["tier"].is_string(),
        "missing trailing columns are unanswered"
    );

    // A column that matches no question (and is not close to one) is not read, and is
    // named once on stderr.
    let (_, stdout, stderr) = batch(
        "id,goal,colour\nq1,relaxation,red\n",
        &["--input-format", "csv"],
    );
    let results = lines(&stdout);
    assert_eq!(results.len(), 1);
    assert!(results[0]["errors"].is_null(), "{}", results[0]);
    assert!(stderr.contains("not read: colour"), "{stderr}");
}

#[test]
fn yaml_stream_gives_one_result_per_document() {
    let yaml = "---\nid: y1\ngoal: relaxation\n---\n# only a comment\n---\nid: y2\nnerve_signs: [saddle_numbness]\n---\nid: y3\npain_intensity: eleven\n---\n[not, a, mapping]\n";
    let (code, stdout, _) = batch(yaml, &["--input-format", "yaml"]);
    assert_eq!(code, 1);
    let results = lines(&stdout);
    assert_eq!(
        results.len(),
        4,
        "empty documents are not records: {stdout}"
    );
    assert_eq!(results[0]["id"], "y1");
    assert_eq!(results[1]["tier"], "emergency");
    assert_eq!(results[2]["errors"][0]["field"], "pain_intensity");
    assert!(
        results[3]["errors"][0]["message"]
            .as_str()
            .expect("msg")
            .contains("mapping")
    );
    let numbers: Vec<u64> = results
        .iter()
        .map(|r| r["record"].as_u64().expect("n"))
        .collect();
    assert_eq!(numbers, vec![1, 2, 3, 4], "documents are numbered");
}

#[test]
fn input_format_comes_from_the_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "id,goal\nc1,relaxation\n").expect("write");
    let out = bin()
        .args(["batch", "--today", TODAY])
        .arg(&csv)
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"id\":\"c1\""));
    let odd = dir.path().join("people.txt");
    std::fs::write(&odd, "{}\n").expect("write");
    let out = bin().args(["batch"]).arg(&odd).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--input-format"));
}

#[test]
fn check_and_batch_give_the_same_assessment() {
    for example in [
        "examples/desk-worker.yaml",
        "examples/cauda-equina.yaml",
        "examples/herniated-disc.json",
    ] {
        let check = bin()
            .args(["check", "--format", "json", "--today", TODAY, example])
            .current_dir(repo_path(""))
            .output()
            .expect("check");
        let mut from_check: Value = serde_json::from_slice(&check.stdout).expect("json");
        // The same answers as one YAML document in a batch, full report per line.
        let text = std::fs::read_to_string(repo_path(example)).expect("example");
        let (fmt, input) = if example.ends_with(".json") {
            (
                "jsonl",
                serde_json::to_string(&serde_json::from_str::<Value>(&text).expect("json"))
                    .expect("line")
                    + "\n",
            )
        } else {
            ("yaml", text)
        };
        let (_, stdout, _) = batch(&input, &["--input-format", fmt, "--full"]);
        let mut from_batch: Value = serde_json::from_str(stdout.trim()).expect("one line");
        assert_eq!(from_batch["record"], 1);
        from_batch.as_object_mut().expect("object").remove("record");
        from_check.as_object_mut().expect("object").remove("record");
        assert_eq!(from_batch, from_check, "{example}");
    }
}

#[test]
fn csv_and_summary_outputs() {
    let (_, stdout, _) = batch(MIXED_JSONL, &["--format", "csv"]);
    let mut rows = stdout.lines();
    assert_eq!(
        rows.next(),
        Some("record,id,tier,techniques,avoid,wait_days,wait_until,see,to_check,errors")
    );
    assert_eq!(stdout.lines().count(), 7, "header plus one row per record");
    assert!(stdout.contains("\n2,b,emergency,"));

    let (_, stdout, _) = batch(MIXED_JSONL, &["--format", "summary"]);
    assert!(stdout.contains("records: 6"));
    assert!(stdout.contains("emergency: 1"));
    assert!(stdout.contains("invalid: 3"));
    assert!(stdout.contains("line 2 (id b): emergency"));
}

#[test]
fn output_file_is_written_whole_and_not_overwritten_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("results.jsonl");
    let run = |extra: &[&str]| {
        bin()
            .args(["batch", "--today", TODAY, "--output"])
            .arg(&target)
            .args(extra)
            .write_stdin("{\"goal\": \"relaxation\"}\n")
            .output()
            .expect("runs")
    };
    assert!(run(&[]).status.success());
    assert!(
        std::fs::read_to_string(&target)
            .expect("written")
            .contains("\"record\":1")
    );
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(2), "exists without --force");
    assert!(run(&["--force"]).status.success());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left behind");
}

/// Realistic records cycling through a few profiles, so large inputs need no fixture.
fn generated(count: usize) -> String {
    let profiles = [
        r#""age":38,"pain_intensity":4,"pain_duration":"over_12_weeks","pain_location":["lower_back"],"pain_character":["dull_ache"],"nerve_signs":[],"urgent_signs":[],"general_signs":[],"goal":"pain_relief""#,
        r#""age":61,"pain_intensity":8,"pain_duration":"under_1_week","pain_location":["lower_back","one_leg"],"pain_character":["sharp"],"nerve_signs":[],"medicines":["anticoagulants"],"goal":"relaxation""#,
        r#""age":29,"injury":"minor","injury_days_ago":1,"injury_signs":["swollen"],"reactions":["nut_oils"],"goal":"sports_recovery""#,
        r#""age":45,"nerve_signs":"unknown","diagnoses":["herniated_disc"],"goal":"mobility""#,
        // An invalid record among the valid ones: it gets an error line in its place.
        r#""age":45,"pain_intensity":12"#,
    ];
    let mut out = String::with_capacity(count * 200);
    for i in 0..count {
        out.push_str(&format!(
            "{{\"id\":\"g{i}\",{}}}\n",
            profiles[i % profiles.len()]
        ));
    }
    out
}

#[test]
fn a_large_input_streams_in_order_with_flat_memory() {
    let count = 200_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("big.jsonl");
    std::fs::write(&input, generated(count)).expect("write");
    let output = dir.path().join("out.jsonl");
    // Reaped by wait4 below, which also reports this child's own peak memory.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_massage-check"))
        .args(["batch", "--threads", "2", "--today", TODAY])
        .arg(&input)
        .stdout(std::fs::File::create(&output).expect("out"))
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    let (code, peak_kib) = wait_with_peak_rss_kib(child.id());
    assert_eq!(code, 1, "one record in five is invalid");
    let text = std::fs::read_to_string(&output).expect("read");
    let mut n = 0usize;
    for (i, line) in text.lines().enumerate() {
        assert!(
            line.starts_with(&format!(
                "{{\"schema_version\":2,\"record\":{},\"id\":\"g{i}\"",
                i + 1
            )),
            "line {i}: {line}"
        );
        // Every fifth profile is invalid and must come back as an error in its place.
        let invalid = i % 5 == 4;
        assert_eq!(line.contains("\"tier\":null"), invalid, "line {i}: {line}");
        assert_eq!(line.contains("\"errors\""), invalid, "line {i}: {line}");
        n += 1;
    }
    assert_eq!(n, count, "records in == results out");
    // The input file is ~30 MB; reading it whole would show here.
    assert!(
        peak_kib < 50 * 1024,
        "peak memory {peak_kib} KiB is over 50 MiB"
    );
}

#[test]
fn one_thread_and_several_write_the_same_bytes() {
    // 5,000 records are about twenty chunks: enough for assessing threads to finish
    // them out of order, which the writer must undo.
    let input = generated(5_000);
    for format in [
        &["--format", "jsonl"][..],
        &["--format", "jsonl", "--full"],
        &["--format", "csv"],
        &["--format", "summary"],
    ] {
        let run = |threads: &str| batch(&input, &[&["--threads", threads], format].concat());
        let (code1, out1, err1) = run("1");
        assert_eq!(code1, 1, "{format:?}");
        assert!(
            out1.lines().count() >= 5_000 || format[1] == "summary",
            "{format:?}"
        );
        for threads in ["2", "3", "8"] {
            let (code, out, err) = run(threads);
            assert_eq!(code, code1, "{format:?} --threads {threads}");
            assert!(
                out == out1,
                "{format:?} --threads {threads} changed the output"
            );
            assert_eq!(
                err, err1,
                "{format:?} --threads {threads} changed the counts"
            );
        }
    }
}

/// JSON Lines are parsed on the assessing threads when there are several: every kind
/// of line the reader treats specially (a byte-order mark, CRLF and CR endings, blank and
/// whitespace-only lines, invalid UTF-8, a line over the 64 KiB limit) reads the same
/// there as on one thread, with the same line numbers.
#[test]
fn awkward_lines_read_the_same_on_several_threads() {
    let good = generated(1);
    let good = good.trim_end();
    let mut input: Vec<u8> = b"\xef\xbb\xbf".to_vec();
    input.extend_from_slice(good.as_bytes());
    input.extend_from_slice(b"\r\n\n   \n\xe3\x80\x80\n");
    input.extend_from_slice(good.as_bytes());
    input.extend_from_slice(b"\r{\"age\": \xff}\n{\"id\": \"");
    input.extend(std::iter::repeat_n(b'x', 70 * 1024));
    input.extend_from_slice(b"\"}\n");
    input.extend_from_slice(generated(600).as_bytes());
    let run = |threads: &str| {
        let out = bin()
            .args(["batch", "--today", TODAY, "--threads", threads])
            .write_stdin(input.clone())
            .output()
            .expect("runs");
        (out.status.code(), out.stdout, out.stderr)
    };
    let one = run("1");
    let text = String::from_utf8_lossy(&one.1);
    assert!(text.contains("not valid UTF-8"), "{text}");
    assert!(text.contains("longer than the limit"), "{text}");
    // Lines 2-4 are blank (one holds only an ideographic space): no result for them.
    let records: Vec<u64> = text
        .lines()
        .take(4)
        .filter_map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()?
                .get("record")?
                .as_u64()
        })
        .collect();
    assert_eq!(records, [1, 5, 6, 7], "{text}");
    for threads in ["2", "3"] {
        assert!(run(threads) == one, "--threads {threads} read differently");
    }
}

/// The largest resident set of any child waited for so far, in KiB.
/// Waits for child `pid` and returns its exit code and its own peak memory. Measured for
/// this child alone (wait4), not for every child the test process has had, which other
/// tests running at the same time would add to.
fn wait_with_peak_rss_kib(pid: u32) -> (i32, i64) {
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 on our own child; it writes a full rusage into memory we own.
    let waited = unsafe { libc::wait4(pid as i32, &mut status, 0, usage.as_mut_ptr()) };
    assert_eq!(waited, pid as i32, "wait4");
    assert!(libc::WIFEXITED(status), "exited normally: {status}");
    // SAFETY: initialised by the successful call above.
    (
        libc::WEXITSTATUS(status),
        unsafe { usage.assume_init() }.ru_maxrss,
    )
}

#[test]
fn batch_into_head_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_massage-check"))
        .args(["batch", "--today", TODAY])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(generated(50_000).as_bytes());
    });
    // Read three lines, then close our end like `head -n 3` does.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = Vec::new();
    let mut byte = [0u8; 1];
    while first.iter().filter(|&&b| b == b'\n').count() < 3 {
        use std::io::Read;
        if stdout.read(&mut byte).expect("read") == 0 {
            break;
        }
        first.push(byte[0]);
    }
    drop(stdout);
    let out = child.wait_with_output().expect("ends");
    let _ = writer.join();
    assert_eq!(String::from_utf8_lossy(&first).lines().count(), 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.code().is_some(),
        "ends by itself, not by a signal: {:?}",
        out.status
    );
}

#[test]
#[ignore = "needs GNU parallel, which a fresh machine lacks; .ci/run installs it and runs `cargo test -- --ignored`"]
fn the_documented_gnu_parallel_recipe_keeps_every_record_in_order() {
    assert!(
        Command::new("parallel").arg("--version").output().is_ok(),
        "GNU parallel is not installed (apt-get install parallel)"
    );
    let count = 20_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("big.jsonl");
    std::fs::write(&input, generated(count)).expect("write");
    let bin = env!("CARGO_BIN_EXE_massage-check");
    // The recipe from the README, with small blocks so the input is really split.
    let script = format!(
        "parallel --pipe --keep-order --block 200k -j2 '{bin}' batch --threads 1 --today {TODAY} < '{}'",
        input.display()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .output()
        .expect("runs");
    // Every block holds invalid records, so each batch exits 1 and parallel reports how
    // many jobs failed; the point here is that every record comes back once, in order.
    assert!(
        out.status.code().is_some(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf8");
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("json")["id"]
                .as_str()
                .expect("id")
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), count, "records in == results out");
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(id, &format!("g{i}"), "order kept");
    }
}

#[test]
fn csv_and_json_lines_carry_the_same_facts() {
    // Varied records: suitable, emergencies, waits, several referrals (confirmed and
    // precautionary), invalid ones.
    let mut input = generated(40);
    input.push_str("{\"id\":\"two-referrals\",\"age\":58,\"pain_history\":\"first_time\",\"health\":[\"heart_recent\"],\"heart_cleared\":\"unknown\",\"nerve_signs\":\"unknown\"}\n");
    let (_, jsonl, _) = batch(&input, &[]);
    let (_, csv, _) = batch(&input, &["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    let lines = lines(&jsonl);
    assert_eq!(rows.len(), lines.len());
    let list = |v: &Value, f: &dyn Fn(&Value) -> String| -> String {
        v.as_array()
            .map(|a| a.iter().map(f).collect::<Vec<_>>())
            .unwrap_or_default()
            .join(";")
    };
    let mut several_referrals = false;
    for (row, line) in rows.iter().zip(&lines) {
        let get = |name: &str| {
            let i = reader_headers()
                .iter()
                .position(|h| *h == name)
                .expect("column");
            row.get(i).expect("field").to_string()
        };
        assert_eq!(get("record"), line["record"].to_string());
        assert_eq!(get("id"), line["id"].as_str().unwrap_or(""));
        assert_eq!(get("tier"), line["tier"].as_str().unwrap_or(""));
        assert_eq!(
            get("techniques"),
            list(&line["techniques"], &|t| format!(
                "{}:{}",
                t["id"].as_str().expect("id"),
                t["score"]
            ))
        );
        assert_eq!(
            get("avoid"),
            list(&line["avoid"], &|t| t.as_str().expect("id").to_string())
        );
        let wait = &line["wait"];
        let days = if wait.is_null() {
            String::new()
        } else if wait["days"].is_null() {
            "open".to_string()
        } else {
            wait["days"].to_string()
        };
        assert_eq!(get("wait_days"), days);
        assert_eq!(get("wait_until"), wait["until"].as_str().unwrap_or(""));
        let see: Vec<String> = line["see"]
            .as_array()
            .expect("see")
            .iter()
            .map(|s| {
                let precaution = if s["precaution"] == true {
                    ", precaution"
                } else {
                    ""
                };
                format!(
                    "{} ({}{precaution})",
                    s["who"].as_str().expect("who"),
                    s["when"].as_str().expect("when")
                )
            })
            .collect();
        several_referrals |= see.len() > 1;
        assert_eq!(get("see"), see.join("; "));
        assert_eq!(
            get("to_check"),
            list(&line["to_check"], &|q| q.as_str().expect("id").to_string())
        );
        let errors: Vec<String> = line["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .map(|p| {
                        format!(
                            "{}: {}",
                            p["field"].as_str().expect("f"),
                            p["message"].as_str().expect("m")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(get("errors"), errors.join("; "));
    }
    assert!(
        several_referrals,
        "the input should include a record with several referrals"
    );
}

fn reader_headers() -> Vec<&'static str> {
    massage_check::report::csv::COLUMNS.to_vec()
}

/// A form builder's CSV export is read as it comes: headers that are the questions'
/// texts (punctuation and case aside), cells that are choice labels, checklists joined
/// with "; " or ", ", "Not sure" and "None of these"; columns that match no question are
/// reported once and not read; --id-column names each record; a misspelt question
/// header is an error, never ignored.
#[test]
fn a_form_export_is_read_as_it_comes() {
    let export = "Timestamp,E-mail,how old are you,\"Where do you feel the pain? Pick all that apply.\",Since this spell of back pain began have you noticed any of these new or getting worse Pick all that apply,What do you most want from a massage?,Notes\n\
                  2026-12-01,a@example.org,40,\"Lower back, Buttock or hip\",None of these,Relaxation and stress relief,desk job\n\
                  2026-12-01,b@example.org,50,Lower back; Neck and shoulders,Weakness or numbness in both legs,PAIN RELIEF,\n\
                  2026-12-02,c@example.org,30,lower_back,Not sure,Pain relief,\n\
                  2026-12-02,d@example.org,30,Lower bak,None of these,Pain relief,\n";
    let (_, stdout, stderr) = batch(
        export,
        &["--input-format", "csv", "--id-column", "E-mail", "--full"],
    );
    assert_eq!(
        stderr.matches("not read: Timestamp, Notes").count(),
        1,
        "unmatched columns are reported once: {stderr}"
    );
    let results = lines(&stdout);
    assert_eq!(results.len(), 4);
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        ids,
        [
            "a@example.org",
            "b@example.org",
            "c@example.org",
            "d@example.org"
        ]
    );
    // Row a: both locations read from one ", "-joined cell, no red flags.
    assert!(results[0]["errors"].is_null(), "{}", results[0]);
    assert_ne!(results[0]["tier"], "emergency");
    // Row b: a red flag given by its label reaches the person.
    assert_eq!(results[1]["tier"], "emergency", "{}", results[1]);
    // Row c: "Not sure" on the nerve signs is never read as "no".
    assert!(
        results[2]["to_check"].as_array().is_some_and(|c| c
            .iter()
            .any(|q| q["questions"].to_string().contains("nerve_signs"))),
        "{}",
        results[2]
    );
    // Row d: a misspelt label is an error naming the column and the closest label.
    let error = results[3]["errors"][0].to_string();
    assert!(
        error.contains("pain_location") && error.contains("Lower back"),
        "{error}"
    );

    // A header close to a question's id or text is an error in every row, not ignored.
    let (_, stdout, _) = batch(
        "id,nerve_sign,goal\nx,Weakness or numbness in both legs,Pain relief\n",
        &["--input-format", "csv"],
    );
    let result = &lines(&stdout)[0];
    assert!(
        result["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("did you mean `nerve_signs`")),
        "{result}"
    );
}

/// Two questions with the same text could not be told apart in a form export: the
/// rulebook is refused.
#[test]
fn two_questions_with_the_same_text_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("extra.yaml"),
        "rulebook:\n  extends: builtin\n  name: t\n  version: \"1\"\nquestions:\n  - id: extra_q\n    prompt: \"How old are you\"\n    type: yes_no\n    rationale: test\n    source: NICE_NG59\n",
    )
    .expect("write");
    let out = common::rules_check(dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("extra_q") && stdout.contains("same text as the question `age`"),
        "{stdout}"
    );
}

/// `--format markdown --output-dir DIR` writes, per assessed record, the summary `check
/// --format markdown` writes for the same answers, under a safe name from its id; the
/// summary table goes to stdout; files are owner-only and never replaced without --force.
#[test]
fn markdown_summaries_per_record_go_to_a_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("summaries");
    let people = "{\"id\": \"../a b\", \"age\": 40, \"goal\": \"relaxation\"}\n{\"id\": \"bee\", \"nerve_signs\": [\"saddle_numbness\"]}\n{\"id\": \"bad\", \"age\": 999}\n";
    let run = |extra: &[&str]| {
        bin()
            .args([
                "batch",
                "--today",
                TODAY,
                "--format",
                "markdown",
                "--output-dir",
            ])
            .arg(&out_dir)
            .args(extra)
            .write_stdin(people)
            .output()
            .expect("runs")
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(1), "one record is invalid");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("emergency: 1") && stdout.contains("(id bee): emergency"),
        "{stdout}"
    );
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("folder made")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["bee.md", "record-.._a_b.md"],
        "safe names; none for the invalid record"
    );
    for (name, answers) in [
        (
            "bee.md",
            "{\"id\": \"bee\", \"nerve_signs\": [\"saddle_numbness\"]}",
        ),
        (
            "record-.._a_b.md",
            "{\"id\": \"../a b\", \"age\": 40, \"goal\": \"relaxation\"}",
        ),
    ] {
        let check = bin()
            .args(["check", "--today", TODAY, "--format", "markdown", "-"])
            .write_stdin(answers)
            .output()
            .expect("runs");
        let file = out_dir.join(name);
        assert_eq!(
            std::fs::read(&file).expect("written"),
            check.stdout,
            "{name}"
        );
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Again: the files exist, so each is refused (exit 1) and left as it was.
    let before = std::fs::read(out_dir.join("bee.md")).expect("read");
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read(out_dir.join("bee.md")).expect("read"), before);
    // Without a folder, markdown is refused before anything is read.
    let no_dir = bin()
        .args(["batch", "--format", "markdown"])
        .write_stdin(people)
        .output()
        .expect("runs");
    assert_eq!(no_dir.status.code(), Some(2));
    assert!(no_dir.stdout.is_empty());
}

/// `--columns MAP.yaml` maps a form's own wording to the rulebook: a header to a question,
/// a cell text to a choice; `template --format columns` prints a map that checks clean,
/// and `rules check --columns` names a map's wrong ids.
#[test]
fn a_column_map_reads_a_form_in_its_own_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let map = dir.path().join("map.yaml");
    std::fs::write(
        &map,
        "columns:\n  \"Client\": id\n  \"Symptoms below the waist\": nerve_signs\n  \"Your age\": age\nchoices:\n  nerve_signs:\n    \"Numb between the legs\": saddle_numbness\n",
    )
    .expect("write");
    let (_, stdout, stderr) = batch(
        "Your age,Client,Symptoms below the waist\n40,c1,Numb between the legs\n40,c2,None of these\n",
        &[
            "--input-format",
            "csv",
            "--id-column",
            "Client",
            "--columns",
            map.to_str().expect("utf-8"),
        ],
    );
    let results = lines(&stdout);
    assert_eq!(results[0]["id"], "c1", "{stderr}");
    assert_eq!(
        results[0]["tier"], "emergency",
        "the mapped red flag reaches the person"
    );
    assert_ne!(results[1]["tier"], "emergency");
    assert!(!stderr.contains("not read"), "{stderr}");

    let start = bin()
        .args(["template", "--format", "columns"])
        .output()
        .expect("runs");
    let start_map = dir.path().join("start.yaml");
    std::fs::write(&start_map, &start.stdout).expect("write");
    let clean = bin()
        .args(["rules", "check", "--columns"])
        .arg(&start_map)
        .output()
        .expect("runs");
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );

    std::fs::write(&map, "columns:\n  \"Your age\": agee\n").expect("write");
    let wrong = bin()
        .args(["rules", "check", "--columns"])
        .arg(&map)
        .output()
        .expect("runs");
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("did you mean `age`"));
    let refused = bin()
        .args(["batch", "--input-format", "csv", "--columns"])
        .arg(&map)
        .write_stdin("x\n1\n")
        .output()
        .expect("runs");
    assert_eq!(
        refused.status.code(),
        Some(2),
        "a wrong map is refused before reading"
    );
    assert!(refused.stdout.is_empty());
}
