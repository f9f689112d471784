//! Rule tests, like `opa test`: cases of answers and the assessment they must produce,
//! kept beside the rules in `tests/*.yaml`, with coverage of the rules they fire.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::answers;
use crate::date::Date;
use crate::engine::{Assessment, Engine, Truth};
use crate::rulebook::{Pressure, Tier, Urgency};
use crate::yaml;

/// One file of cases. `defaults` are answers every case starts from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    #[serde(default)]
    pub defaults: BTreeMap<String, serde_json::Value>,
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    /// Where the scenario comes from (a seed file or a guideline key).
    #[serde(default)]
    pub source: Vec<String>,
    #[serde(default)]
    pub answers: BTreeMap<String, serde_json::Value>,
    pub expect: Expect,
}

/// What the assessment must show. Only `tier` is required.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub tier: Tier,
    /// Techniques that must rank within the first `top_n` (default 3).
    #[serde(default)]
    pub top: Vec<String>,
    #[serde(default)]
    pub top_n: Option<usize>,
    #[serde(default)]
    pub avoid: Vec<String>,
    #[serde(default)]
    pub care: Vec<String>,
    /// Days left to wait: a number, `open` (no end date) or `none` (no wait).
    #[serde(default)]
    pub wait_days: Option<WaitExpect>,
    /// The most urgent referral.
    #[serde(default)]
    pub see: Option<Urgency>,
    #[serde(default)]
    pub max_pressure: Option<Pressure>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum WaitExpect {
    Days(u32),
    Word(String),
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub field: String,
    pub expected: String,
    pub actual: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub file: String,
    pub name: String,
    pub passed: bool,
    pub mismatches: Vec<Mismatch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub fired: usize,
    pub total: usize,
    pub percent: f64,
    /// Rules no case fired, in rulebook order.
    pub not_fired: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    pub cases: Vec<CaseResult>,
    pub passed: usize,
    pub failed: usize,
    pub coverage: Coverage,
}

impl TestReport {
    pub fn ok(&self, min_coverage: f64) -> bool {
        self.failed == 0 && !self.cases.is_empty() && self.coverage.percent + 1e-9 >= min_coverage
    }
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| s.as_ref().to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// Compares an assessment with what a case expects.
pub fn compare(expect: &Expect, a: &Assessment<'_>) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut mismatch = |field: &str, expected: String, actual: String| {
        out.push(Mismatch {
            field: field.to_string(),
            expected,
            actual,
        })
    };
    if a.tier != expect.tier {
        mismatch("tier", expect.tier.to_string(), a.tier.to_string());
    }
    let n = expect.top_n.unwrap_or(3);
    let top: Vec<&str> = a.techniques.iter().take(n).map(|t| t.id).collect();
    let missing: Vec<&String> = expect
        .top
        .iter()
        .filter(|t| !top.contains(&t.as_str()))
        .collect();
    if !missing.is_empty() {
        mismatch(
            &format!("top {n}"),
            format!("includes {}", list(&expect.top)),
            list(&top),
        );
    }
    let avoided: Vec<&str> = a.avoid.iter().map(|t| t.id).collect();
    if expect.avoid.iter().any(|t| !avoided.contains(&t.as_str())) {
        mismatch(
            "avoid",
            format!("includes {}", list(&expect.avoid)),
            list(&avoided),
        );
    }
    let care: Vec<&str> = a.care.iter().map(|c| c.id).collect();
    if expect.care.iter().any(|c| !care.contains(&c.as_str())) {
        mismatch(
            "care",
            format!("includes {}", list(&expect.care)),
            list(&care),
        );
    }
    if let Some(w) = &expect.wait_days {
        let actual = match &a.wait {
            None => "none".to_string(),
            Some(wait) => wait.days.map_or("open".to_string(), |d| d.to_string()),
        };
        let expected = match w {
            WaitExpect::Days(d) => d.to_string(),
            WaitExpect::Word(s) => s.clone(),
        };
        if actual != expected {
            mismatch("wait_days", expected, actual);
        }
    }
    if let Some(see) = expect.see {
        let actual = a.see.first().map_or("none", |s| s.when.as_str());
        if actual != see.as_str() {
            mismatch("see", see.as_str().to_string(), actual.to_string());
        }
    }
    if let Some(p) = expect.max_pressure {
        let actual = a.therapist.max_pressure.map_or("none", Pressure::as_str);
        if actual != p.as_str() {
            mismatch("max_pressure", p.as_str().to_string(), actual.to_string());
        }
    }
    out
}

/// A case file that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CaseFileError {
    pub file: String,
    pub message: String,
}

/// Parses case files `(name, text)`. A case in a later file replaces an earlier case of
/// the same name, so a rulebook that extends another can restate a case it changes.
pub fn load(files: &[(String, String)]) -> Result<Vec<(String, CaseFile)>, CaseFileError> {
    let mut out = Vec::new();
    for (name, text) in files {
        let file: CaseFile = yaml::from_str(text).map_err(|e| CaseFileError {
            file: name.clone(),
            message: e.to_string(),
        })?;
        out.push((name.clone(), file));
    }
    Ok(out)
}

/// Runs every case against the engine and measures rule coverage.
pub fn run(engine: &Engine, files: &[(String, CaseFile)], today: Date) -> TestReport {
    let book = engine.book();
    let mut fired = vec![false; book.rules.len()];
    let mut results: Vec<CaseResult> = Vec::new();
    for (file, cases) in files {
        for case in &cases.cases {
            let mut merged = serde_json::Map::new();
            for (k, v) in cases.defaults.iter().chain(&case.answers) {
                merged.insert(k.clone(), v.clone());
            }
            let outcome = answers::from_json_value(book, serde_json::Value::Object(merged))
                .and_then(|a| engine.check_and_assess(&a, today));
            let mismatches = match outcome {
                Ok(assessment) => {
                    for entry in assessment.trace.iter().filter(|t| t.result == Truth::True) {
                        if let Some(i) = book.rules.iter().position(|r| r.id == entry.rule) {
                            fired[i] = true;
                        }
                    }
                    compare(&case.expect, &assessment)
                }
                Err(e) => vec![Mismatch {
                    field: "answers".into(),
                    expected: "valid answers".into(),
                    actual: e.to_string().replace('\n', "; "),
                }],
            };
            let result = CaseResult {
                file: file.clone(),
                name: case.name.clone(),
                passed: mismatches.is_empty(),
                mismatches,
            };
            match results.iter_mut().find(|r| r.name == result.name) {
                Some(existing) => *existing = result,
                None => results.push(result),
            }
        }
    }
    let total = book.rules.len();
    let fired_count = fired.iter().filter(|f| **f).count();
    let passed = results.iter().filter(|r| r.passed).count();
    TestReport {
        failed: results.len() - passed,
        passed,
        cases: results,
        coverage: Coverage {
            fired: fired_count,
            total,
            percent: if total == 0 {
                100.0
            } else {
                fired_count as f64 * 100.0 / total as f64
            },
            not_fired: book
                .rules
                .iter()
                .zip(&fired)
                .filter(|(_, f)| !**f)
                .map(|(r, _)| r.id.clone())
                .collect(),
        },
    }
}

/// The report for people: PASS/FAIL per case, a diff for each failure, then coverage.
pub fn render_text(report: &TestReport) -> String {
    let mut out = String::new();
    for case in &report.cases {
        let status = if case.passed { "PASS" } else { "FAIL" };
        out.push_str(&format!("{status}  {}: {}\n", case.file, case.name));
        for m in &case.mismatches {
            out.push_str(&format!("        {}\n", m.field));
            out.push_str(&format!("          - expected: {}\n", m.expected));
            out.push_str(&format!("          + actual:   {}\n", m.actual));
        }
    }
    out.push_str(&format!(
        "\n{} cases: {} passed, {} failed\n",
        report.cases.len(),
        report.passed,
        report.failed
    ));
    let c = &report.coverage;
    out.push_str(&format!(
        "coverage: {} of {} rules fired by some case ({:.1}%)\n",
        c.fired, c.total, c.percent
    ));
    if !c.not_fired.is_empty() {
        out.push_str(&format!("  not fired: {}\n", c.not_fired.join(", ")));
    }
    out
}
