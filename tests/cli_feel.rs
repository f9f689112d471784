//! Help, completions, man page, colour, quiet/verbose and version.

mod common;

use clap::CommandFactory;
use common::{TODAY, bin, repo_path};
use massage_check::cli::Cli;
use predicates::prelude::*;

#[test]
fn the_cli_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn every_subcommand_has_help_with_examples_and_short_help_is_shorter() {
    for sub in [
        vec!["check"],
        vec!["ask"],
        vec!["batch"],
        vec!["template"],
        vec!["schema"],
        vec!["completions"],
        vec!["man"],
        vec!["rules", "check"],
        vec!["rules", "test"],
        vec!["rules", "list"],
        vec!["rules", "show"],
    ] {
        let long = bin().args(&sub).arg("--help").output().expect("runs");
        let short = bin().args(&sub).arg("-h").output().expect("runs");
        assert!(long.status.success(), "{sub:?}");
        let long = String::from_utf8_lossy(&long.stdout);
        assert!(
            long.contains("Examples:"),
            "{sub:?} --help has no examples:\n{long}"
        );
        assert!(short.stdout.len() <= long.len(), "{sub:?}");
    }
    let top = bin().arg("--help").output().expect("runs");
    let top = String::from_utf8_lossy(&top.stdout);
    assert!(top.contains("Exit codes:") && top.contains("Examples:"));
}

#[test]
fn typos_get_suggestions() {
    bin()
        .arg("chek")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `check`?"));
    bin()
        .args(["check", "--formt", "json", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--format"));
}

#[test]
fn completions_and_man_page_print_to_stdout() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        bin()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("massage-check"));
    }
    bin().arg("man").assert().success().stdout(
        predicate::str::starts_with(".ie \\n(.g .ds Aq")
            .or(predicate::str::contains(".TH massage-check")),
    );
}

fn report(args: &[&str], envs: &[(&str, &str)]) -> String {
    let mut cmd = bin();
    cmd.args(args).current_dir(repo_path(""));
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf8")
}

#[test]
fn colour_only_when_wanted_and_never_in_pipes() {
    let args = ["check", "examples/desk-worker.yaml", "--today", TODAY];
    let piped = report(&args, &[]);
    assert!(!piped.contains('\x1b'), "no escape codes in a pipe");
    let always = report(&[&args[..], &["--color", "always"]].concat(), &[]);
    assert!(
        always.starts_with("\x1b["),
        "--color always colours the verdict"
    );
    assert!(
        always.contains("SUITABLE"),
        "the tier is a word, not only a colour"
    );
    // A report drawn without colour (a pipe) is the coloured one with its codes removed.
    let mut stripped = String::new();
    let mut rest = always.as_str();
    while let Some(at) = rest.find("\x1b[") {
        stripped.push_str(&rest[..at]);
        let code = &rest[at..];
        rest = &code[code.find('m').expect("a code ends in m") + 1..];
    }
    stripped.push_str(rest);
    assert_eq!(stripped, piped);
    let never = report(
        &[&args[..], &["--color", "never"]].concat(),
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!never.contains('\x1b'));
    let forced = report(&args, &[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.contains('\x1b'),
        "CLICOLOR_FORCE colours a pipe in auto mode"
    );
    let json = report(
        &[
            "check",
            "--format",
            "json",
            "--color",
            "always",
            "examples/desk-worker.yaml",
        ],
        &[],
    );
    assert!(!json.contains('\x1b'), "JSON is never coloured");
}

#[test]
fn quiet_prints_the_verdict_only_and_verbose_adds_the_trace() {
    let quiet = report(
        &["check", "-q", "examples/desk-worker.yaml", "--today", TODAY],
        &[],
    );
    assert_eq!(
        quiet,
        "SUITABLE: Massage suits you now; these techniques fit your answers best.\n"
    );
    let verbose = report(
        &["check", "-v", "examples/desk-worker.yaml", "--today", TODAY],
        &[],
    );
    assert!(verbose.contains("How this was decided (every rule, in order)"));
}

#[test]
fn markdown_summary_has_what_a_therapist_needs() {
    let md = report(
        &[
            "check",
            "--format",
            "markdown",
            "examples/herniated-disc.json",
            "--today",
            TODAY,
        ],
        &[],
    );
    assert!(md.starts_with("# Massage check: SUITABLE WITH CAUTION\n"));
    assert!(md.contains("Date: 2026-11-21"));
    assert!(md.contains("## For the therapist"));
    assert!(md.contains("- **Positioning:** side-lying, or with hips and knees bent"));
    // Answers in words, not ids.
    assert!(
        md.contains("| How long has this spell of back pain lasted so far? | More than 3 months |")
    );
    assert!(md.contains("| A herniated (slipped) or bulging disc |"));
    assert!(!md.contains("over_12_weeks") && !md.contains("herniated_disc"));
    // Sources by title, numbered, never by key or seed file name.
    assert!(md.contains("## Sources\n\n1. "));
    assert!(!md.contains("STENOSIS_MS") && !md.contains(".txt"));
    assert!(md.contains("## If things change"));
    assert!(md.trim_end().ends_with("talk to a clinician._"));
}

#[test]
fn markdown_at_an_emergency_gives_no_therapist_guidance() {
    let md = report(
        &[
            "check",
            "--format",
            "markdown",
            "examples/cauda-equina.yaml",
            "--today",
            TODAY,
        ],
        &[],
    );
    assert!(md.starts_with("# Massage check: EMERGENCY\n"));
    assert!(md.contains("No massage of any kind."));
    for absent in [
        "For the therapist",
        "Pressure",
        "Techniques",
        "When to wait",
        "Questions to settle",
        "What helps",
    ] {
        assert!(!md.contains(absent), "{absent:?} at an emergency:\n{md}");
    }
}

#[test]
fn version_names_the_rulebook_version() {
    bin()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "(built-in rulebook {})",
            rulebook_version()
        )));
}

/// The version written in rules/rulebook.yaml.
fn rulebook_version() -> String {
    let text = std::fs::read_to_string(common::repo_path("rules/rulebook.yaml")).expect("read");
    let value: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
    value["rulebook"]["version"]
        .as_str()
        .expect("a version")
        .to_string()
}

#[test]
fn the_manual_documents_every_command_and_option() {
    use clap::CommandFactory;
    let roff = report(&["man"], &[]);
    fn walk(cmd: &clap::Command, path: &str, roff: &str) {
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                // roff writes a hyphen as `\-`.
                let shown = format!("\\-\\-{}", long.replace('-', "\\-"));
                assert!(
                    roff.contains(&shown),
                    "{path}: --{long} is not in the manual"
                );
            }
        }
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("{path} {}", sub.get_name());
            if !sub.has_subcommands() {
                assert!(
                    roff.contains(&format!(".SH \"{}\"", name.to_uppercase())),
                    "no section for {name}"
                );
            }
            walk(sub, &name, roff);
        }
    }
    walk(&massage_check::cli::Cli::command(), "massage-check", &roff);
    assert!(roff.contains("EXAMPLES AND EXIT CODES"));
    assert!(
        !roff.contains("massage\\-check\\-check(1)"),
        "refers to a page that does not exist"
    );
}

#[test]
fn bash_completion_completes_commands_and_options() {
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("bash is needed for this test");
    }
    let script = report(&["completions", "bash"], &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("massage-check.bash");
    std::fs::write(&path, script).expect("write");
    let complete = |words: &str| -> String {
        let shell = format!(
            // The function bash would call, from the registration the script made.
            "source '{}'; f=$(complete -p massage-check | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p'); COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \"$f\" massage-check \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &shell])
            .output()
            .expect("bash runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let commands = complete("massage-check ch");
    assert!(
        commands.split_whitespace().any(|w| w == "check"),
        "{commands:?}"
    );
    let options = complete("massage-check check --fo");
    assert!(
        options.split_whitespace().any(|w| w == "--format"),
        "{options:?}"
    );
}
