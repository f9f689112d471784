//! The benchmark's typed floor (`examples/floor.rs`) reads one field per question of the
//! built-in rulebook: when a question is added, renamed or removed, this fails until the
//! floor follows, so "N x the floor" keeps comparing like with like.

mod common;

#[test]
fn the_typed_floor_has_one_field_per_question() {
    let source = std::fs::read_to_string(common::repo_path("examples/floor.rs")).expect("floor");
    let body = source
        .split("struct Profile {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("the floor declares `struct Profile`");
    let fields: Vec<&str> = body
        .lines()
        .filter_map(|l| l.trim().split_once(':').map(|(name, _)| name))
        .filter(|name| *name != "id")
        .collect();
    let book = massage_check::rulebook::Rulebook::builtin().expect("builtin");
    let questions: Vec<&str> = book.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(
        fields, questions,
        "examples/floor.rs and rules/questions.yaml disagree: give the floor one `Option<Answer>` field per question, in order"
    );
    assert!(
        body.lines()
            .filter(|l| l.contains(':') && !l.contains("id: Option<String>"))
            .all(|l| l.trim_end().ends_with("Option<Answer>,")),
        "every question field is an `Option<Answer>`"
    );
}

/// Both floors read the generated profiles: the typed one accepts every valid profile
/// (so it is not skipping records as errors) and both write one line per record.
#[test]
fn both_floors_read_the_generated_profiles() {
    // `cargo test` builds the examples beside the binary (target/<profile>/examples/).
    let examples = std::path::Path::new(env!("CARGO_BIN_EXE_massage-check"))
        .parent()
        .expect("the binary's folder")
        .join("examples");
    let run = |example: &str, args: &[&str], input: &[u8]| {
        let out = std::process::Command::new(examples.join(example))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().expect("stdin").write_all(input)?;
                child.wait_with_output()
            })
            .unwrap_or_else(|e| panic!("{example} runs ({e}); `cargo test` builds the examples, `cargo test --test bench_floor` alone does not: run `cargo build --examples` first"));
        assert!(out.status.success(), "{example}");
        out.stdout
    };
    let generated = run("gen_profiles", &["2000", "7"], b"");
    let records = generated.iter().filter(|&&b| b == b'\n').count();
    for floor in ["floor", "floor_value"] {
        let out = String::from_utf8(run(floor, &[], &generated)).expect("utf-8");
        assert_eq!(out.lines().count(), records, "{floor}: one line per record");
        let valid = out.lines().filter(|l| l.contains("\"ok\":true")).count();
        // The generator makes about 1% of records invalid (a value no question takes);
        // the typed floor refuses only those whose JSON shape is wrong, never a valid one.
        assert!(
            valid * 100 >= records * 97,
            "{floor}: {valid} of {records} read"
        );
    }
}
