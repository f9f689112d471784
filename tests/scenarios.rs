//! Runs every scenario in rules/tests/*.yaml through the real binary and checks the
//! assessment against the case's expectations.

mod common;

use std::collections::BTreeMap;

use common::{Report, repo_path, report_for};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    defaults: BTreeMap<String, serde_json::Value>,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    source: Vec<String>,
    answers: BTreeMap<String, serde_json::Value>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    tier: String,
    #[serde(default)]
    top: Vec<String>,
    #[serde(default)]
    top_n: Option<usize>,
    #[serde(default)]
    avoid: Vec<String>,
    #[serde(default)]
    care: Vec<String>,
    #[serde(default)]
    wait_days: Option<serde_json::Value>,
    #[serde(default)]
    see: Option<String>,
    #[serde(default)]
    max_pressure: Option<String>,
}

fn failures(case: &Case, r: &Report) -> Vec<String> {
    let e = &case.expect;
    let mut out = Vec::new();
    if r.tier != e.tier {
        out.push(format!("tier: expected {}, got {}", e.tier, r.tier));
    }
    let n = e.top_n.unwrap_or(3);
    let top: Vec<&str> = r.techniques.iter().take(n).map(|t| t.id.as_str()).collect();
    for t in &e.top {
        if !top.contains(&t.as_str()) {
            out.push(format!("top {n}: expected {t} in {top:?}"));
        }
    }
    let avoided: Vec<&str> = r.avoid.iter().map(|t| t.id.as_str()).collect();
    for t in &e.avoid {
        if !avoided.contains(&t.as_str()) {
            out.push(format!("avoid: expected {t} in {avoided:?}"));
        }
    }
    let care: Vec<&str> = r.care.iter().map(|c| c.id.as_str()).collect();
    for c in &e.care {
        if !care.contains(&c.as_str()) {
            out.push(format!("care: expected {c} in {care:?}"));
        }
    }
    if let Some(w) = &e.wait_days {
        let actual = match &r.wait {
            None => "none".to_string(),
            Some(wait) => wait.days.map_or("open".to_string(), |d| d.to_string()),
        };
        let expected = match w {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if actual != expected {
            out.push(format!("wait_days: expected {expected}, got {actual}"));
        }
    }
    if let Some(see) = &e.see {
        let actual = r.see.first().map(|s| s.when.as_str()).unwrap_or("none");
        if actual != see {
            out.push(format!("see: expected {see}, got {actual}"));
        }
    }
    if let Some(p) = &e.max_pressure
        && r.therapist.max_pressure.as_deref() != Some(p.as_str())
    {
        out.push(format!(
            "max_pressure: expected {p}, got {:?}",
            r.therapist.max_pressure
        ));
    }
    out
}

#[test]
fn every_scenario_gives_its_expected_assessment() {
    let dir = repo_path("rules/tests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules/tests exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut ran = 0;
    let mut failed = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let book: CaseFile = serde_yaml::from_str(&text).expect("valid case file");
        for case in &book.cases {
            assert!(!case.source.is_empty(), "{}: names no source", case.name);
            let mut answers = book.defaults.clone();
            answers.extend(case.answers.clone());
            let json = serde_json::to_string(&answers).expect("answers serialise");
            let report = report_for(&json);
            let problems = failures(case, &report);
            if !problems.is_empty() {
                failed.push(format!("{}: {}", case.name, problems.join("; ")));
            }
            ran += 1;
        }
    }
    assert!(ran >= 25, "expected at least 25 scenarios, ran {ran}");
    assert!(
        failed.is_empty(),
        "{} scenario(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
