//! Shared helpers for integration tests: the JSON report read back into typed structs
//! (so the report is a contract: an unknown or missing field fails these tests).
#![allow(dead_code)]

use std::process::Output;

use assert_cmd::Command;
use serde::Deserialize;

pub const TODAY: &str = "2026-11-21";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: u32,
    pub tool_version: String,
    pub rulebook: RulebookInfo,
    pub date: String,
    #[serde(default)]
    pub id: Option<String>,
    pub tier: String,
    pub headline: String,
    pub reasons: Vec<Reason>,
    pub show_techniques: bool,
    pub no_massage: bool,
    pub techniques_heading: String,
    pub techniques: Vec<Technique>,
    pub avoid: Vec<Avoided>,
    pub wait: Option<Wait>,
    pub see: Vec<Referral>,
    pub care: Vec<Care>,
    pub therapist: Therapist,
    pub safety_net: Vec<String>,
    pub to_check: Vec<Check>,
    pub trace: Vec<Trace>,
    pub disclaimer: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulebookInfo {
    pub name: String,
    pub version: String,
    pub lowers: Vec<Lowered>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lowered {
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub rule: String,
    pub title: String,
    pub tier: String,
    pub advice: String,
    pub source: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Technique {
    pub id: String,
    pub name: String,
    pub pressure: String,
    pub score: u8,
    pub base_score: u8,
    pub reasons: Vec<ScoreReason>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreReason {
    pub rule: String,
    pub title: String,
    pub delta: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Avoided {
    pub id: String,
    pub name: String,
    pub reasons: Vec<AvoidReason>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvoidReason {
    pub rule: String,
    pub title: String,
    pub why: String,
    pub precaution: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wait {
    pub days: Option<u32>,
    pub until: Option<String>,
    pub counted_from_event: bool,
    pub ends_when: Vec<String>,
    pub rules: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub who: String,
    pub when: String,
    pub why: String,
    pub rule: String,
    pub precaution: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Care {
    pub id: String,
    pub name: String,
    pub advice: String,
    pub source: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Therapist {
    pub max_pressure: Option<String>,
    pub avoid_areas: Vec<String>,
    pub products: Vec<String>,
    pub positioning: Vec<String>,
    pub tell_therapist: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub rule: String,
    pub title: String,
    pub tier_if_confirmed: String,
    pub advice: String,
    pub questions: Vec<CheckQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckQuestion {
    pub id: String,
    pub prompt: String,
    /// `not_sure` or `not_answered`.
    pub answer: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    pub rule: String,
    pub result: String,
    #[serde(default)]
    pub tier: Option<String>,
    pub source: Vec<String>,
    /// Only with `--explain`.
    #[serde(default)]
    pub conditions: Option<serde_json::Value>,
}

pub fn bin() -> Command {
    let mut cmd = Command::cargo_bin("massage-check").expect("binary builds");
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

/// Runs `check - --format json` on `answers` (any text) and returns the process output.
pub fn check_stdin(answers: &str, extra: &[&str]) -> Output {
    bin()
        .args(["check", "-", "--format", "json", "--today", TODAY])
        .args(extra)
        .write_stdin(answers.to_string())
        .output()
        .expect("binary runs")
}

/// Runs a check that must succeed and parses its report.
pub fn report_for(answers: &str) -> Report {
    let out = check_stdin(answers, &[]);
    assert!(
        out.status.success(),
        "check failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report matches the documented schema")
}

/// Runs `rules check DIR` and returns the process output.
pub fn rules_check(dir: &std::path::Path) -> Output {
    bin()
        .args(["rules", "check"])
        .arg(dir)
        .output()
        .expect("binary runs")
}

pub fn repo_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}
