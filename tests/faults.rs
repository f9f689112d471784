//! Faults in the environment: files that cannot be written, rulebook directories holding
//! things that are not files. Nothing may be lost and nothing may be silently skipped.
#![cfg(unix)]

mod common;

use common::{TODAY, bin, repo_path};

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
    let out = bin()
        .args(["rules", "check"])
        .arg(dir)
        .output()
        .expect("runs");
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
