//! Rule tests, like `opa test`: cases of answers and the assessment they must produce,
//! kept beside the rules in `tests/*.yaml`, with coverage of the rules they fire.
//! Owns the case files and their comparison; must not change how the engine decides.
//!
//! Case files are checked as strictly as rules: an unknown key, an answer to a question
//! that does not exist, an expected technique or care item that does not exist, or a
//! case that checks only the tier without saying why, is an error in `rules check` as
//! well as in `rules test`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::answers;
use crate::date::Date;
use crate::engine::{Assessment, Engine, Truth};
use crate::rulebook::{Pressure, Tier, Urgency};
use crate::yaml;

/// One file of cases. `defaults` are answers every case starts from; a file without
/// them, in a rulebook that extends the built-in one, starts from the built-in cases'
/// defaults (write `defaults: {}` to start from nothing).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    #[serde(default)]
    pub defaults: Option<BTreeMap<String, serde_json::Value>>,
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
    /// Why checking the tier alone is enough; required when `expect` holds only `tier`.
    #[serde(default)]
    pub why: Option<String>,
}

/// What the assessment must show. Only `tier` is required.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub tier: Tier,
    /// Techniques that must rank within the first `top_n` (default 3).
    #[serde(default)]
    pub top: Vec<String>,
    #[serde(default)]
    pub top_n: Option<usize>,
    /// Techniques that must be avoided, and ones that must not be.
    #[serde(default)]
    pub avoid: Vec<String>,
    #[serde(default)]
    pub not_avoid: Vec<String>,
    /// Whether massage of every kind is ruled out for now.
    #[serde(default)]
    pub no_massage: Option<bool>,
    /// Care items that must be offered, and ones that must not be.
    #[serde(default)]
    pub care: Vec<String>,
    #[serde(default)]
    pub not_care: Vec<String>,
    /// Days left to wait: a number, `open` (no end date) or `none` (no wait).
    #[serde(default)]
    pub wait_days: Option<WaitExpect>,
    /// The most urgent referral's urgency, or `none`.
    #[serde(default)]
    pub see: Option<String>,
    /// Every referral's urgency, most urgent first.
    #[serde(default)]
    pub see_all: Option<Vec<Urgency>>,
    /// Words the most urgent referral's "who" must contain.
    #[serde(default)]
    pub see_who: Option<String>,
    /// The pressure limit, or `none`.
    #[serde(default)]
    pub max_pressure: Option<String>,
}

impl Expect {
    /// Whether this expectation checks anything besides the tier.
    fn checks_more_than_tier(&self) -> bool {
        !(self.top.is_empty()
            && self.avoid.is_empty()
            && self.not_avoid.is_empty()
            && self.no_massage.is_none()
            && self.care.is_empty()
            && self.not_care.is_empty()
            && self.wait_days.is_none()
            && self.see.is_none()
            && self.see_all.is_none()
            && self.see_who.is_none()
            && self.max_pressure.is_none())
    }
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

/// `value (from rule, rule)`: what came out and which rules made it so.
fn from_rules(value: &str, rules: &[&str]) -> String {
    if rules.is_empty() {
        value.to_string()
    } else {
        format!("{value} (from {})", rules.join(", "))
    }
}

/// The rules that set the assessment's tier: those that fired at it, or the undecided
/// ones whose precaution did.
fn tier_rules<'a>(a: &Assessment<'a>) -> Vec<&'a str> {
    let fired: Vec<&str> = a
        .reasons
        .iter()
        .filter(|r| r.tier == a.tier)
        .map(|r| r.rule)
        .collect();
    if !fired.is_empty() {
        return fired;
    }
    a.to_check.iter().map(|c| c.rule).collect()
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
        mismatch(
            "tier",
            expect.tier.to_string(),
            from_rules(a.tier.as_str(), &tier_rules(a)),
        );
    }
    compare_techniques(expect, a, &mut mismatch);
    compare_care(expect, a, &mut mismatch);
    compare_wait_and_referrals(expect, a, &mut mismatch);
    out
}

/// A mismatch found: (field, expected, actual).
type Found<'m> = dyn FnMut(&str, String, String) + 'm;

/// The techniques offered first, those avoided, and whether any massage is allowed.
fn compare_techniques(expect: &Expect, a: &Assessment<'_>, mismatch: &mut Found<'_>) {
    let n = expect.top_n.unwrap_or(3);
    let top: Vec<&str> = a.techniques.iter().take(n).map(|t| t.id).collect();
    if expect.top.iter().any(|t| !top.contains(&t.as_str())) {
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
    let wrongly_avoided: Vec<&String> = expect
        .not_avoid
        .iter()
        .filter(|t| avoided.contains(&t.as_str()))
        .collect();
    if !wrongly_avoided.is_empty() {
        let rules: Vec<&str> = a
            .avoid
            .iter()
            .filter(|t| wrongly_avoided.iter().any(|w| w.as_str() == t.id))
            .flat_map(|t| t.reasons.iter().map(|r| r.rule))
            .collect();
        mismatch(
            "not_avoid",
            format!("excludes {}", list(&expect.not_avoid)),
            from_rules(&list(&avoided), &rules),
        );
    }
    if let Some(want) = expect.no_massage
        && want != a.no_massage
    {
        mismatch("no_massage", want.to_string(), a.no_massage.to_string());
    }
}

/// The care offered and not offered.
fn compare_care(expect: &Expect, a: &Assessment<'_>, mismatch: &mut Found<'_>) {
    let care: Vec<&str> = a.care.iter().map(|c| c.id).collect();
    if expect.care.iter().any(|c| !care.contains(&c.as_str())) {
        mismatch(
            "care",
            format!("includes {}", list(&expect.care)),
            list(&care),
        );
    }
    if expect.not_care.iter().any(|c| care.contains(&c.as_str())) {
        mismatch(
            "not_care",
            format!("excludes {}", list(&expect.not_care)),
            list(&care),
        );
    }
}

/// The wait, the referrals (first, all, whom) and the pressure limit.
fn compare_wait_and_referrals(expect: &Expect, a: &Assessment<'_>, mismatch: &mut Found<'_>) {
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
            let rules: Vec<&str> = a.wait.as_ref().map(|w| w.rules.clone()).unwrap_or_default();
            mismatch("wait_days", expected, from_rules(&actual, &rules));
        }
    }
    if let Some(see) = &expect.see {
        let actual = a.see.first().map_or("none", |s| s.when.as_str());
        if actual != see {
            let rules: Vec<&str> = a
                .see
                .iter()
                .filter(|s| s.when.as_str() == actual)
                .map(|s| s.rule)
                .collect();
            mismatch("see", see.clone(), from_rules(actual, &rules));
        }
    }
    if let Some(all) = &expect.see_all {
        let actual: Vec<&str> = a.see.iter().map(|s| s.when.as_str()).collect();
        let expected: Vec<&str> = all.iter().map(|u| u.as_str()).collect();
        if actual != expected {
            let rules: Vec<&str> = a.see.iter().map(|s| s.rule).collect();
            mismatch(
                "see_all",
                list(&expected),
                from_rules(&list(&actual), &rules),
            );
        }
    }
    if let Some(who) = &expect.see_who {
        let actual = a.see.first().map_or("none", |s| s.who);
        if !actual.contains(who.as_str()) {
            mismatch("see_who", format!("contains {who:?}"), actual.to_string());
        }
    }
    if let Some(p) = &expect.max_pressure {
        let actual = a.therapist.max_pressure.map_or("none", Pressure::as_str);
        if actual != p {
            mismatch("max_pressure", p.clone(), actual.to_string());
        }
    }
}

/// A problem with a case file: it cannot be read, or a case in it is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CaseFileError {
    pub file: String,
    pub message: String,
}

/// Case files read, and the defaults a file without its own starts from.
#[derive(Debug, Clone, Default)]
pub struct CaseSet {
    pub files: Vec<(String, CaseFile)>,
    /// The built-in cases' defaults, for an extending rulebook's files without their own.
    pub inherited: Option<BTreeMap<String, serde_json::Value>>,
}

impl CaseSet {
    fn defaults(&self, file: &CaseFile) -> BTreeMap<String, serde_json::Value> {
        file.defaults
            .clone()
            .or_else(|| self.inherited.clone())
            .unwrap_or_default()
    }
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

/// Everything wrong with the cases that can be found without running them: answers that
/// do not fit the rulebook, ids that do not exist, duplicate names, tier-only cases with
/// no reason given.
pub fn check(engine: &Engine, set: &CaseSet) -> Vec<CaseFileError> {
    let book = engine.book();
    let mut problems = Vec::new();
    for (file, cases) in &set.files {
        let mut report = |name: &str, message: String| {
            problems.push(CaseFileError {
                file: file.clone(),
                message: format!("case {name:?}: {message}"),
            })
        };
        let defaults = set.defaults(cases);
        let mut names: Vec<&str> = Vec::new();
        for case in &cases.cases {
            if names.contains(&case.name.as_str()) {
                report(
                    &case.name,
                    "another case in this file has the same name".into(),
                );
            }
            names.push(&case.name);
            if let Err(e) = merged_answers(engine, &defaults, case) {
                report(&case.name, format!("answers: {}", e.replace('\n', "; ")));
            }
            let e = &case.expect;
            for t in e.top.iter().chain(&e.avoid).chain(&e.not_avoid) {
                if book.technique_index(t).is_none() {
                    report(
                        &case.name,
                        format!("expects technique `{t}`, which does not exist"),
                    );
                }
            }
            for c in e.care.iter().chain(&e.not_care) {
                if !book.care.iter().any(|x| &x.id == c) {
                    report(
                        &case.name,
                        format!("expects care item `{c}`, which does not exist"),
                    );
                }
            }
            if let Some(see) = &e.see
                && see != "none"
                && !matches!(
                    see.as_str(),
                    "now" | "today" | "within_days" | "before_booking" | "routine"
                )
            {
                report(
                    &case.name,
                    format!(
                        "`see: {see}` is not an urgency; expected now, today, within_days, before_booking, routine or none"
                    ),
                );
            }
            if let Some(p) = &e.max_pressure
                && !matches!(p.as_str(), "none" | "light" | "medium" | "firm")
            {
                report(
                    &case.name,
                    format!(
                        "`max_pressure: {p}` is not a pressure; expected light, medium, firm or none"
                    ),
                );
            }
            if let Some(WaitExpect::Word(w)) = &e.wait_days
                && w != "open"
                && w != "none"
            {
                report(
                    &case.name,
                    format!("`wait_days: {w}` is not a number of days, `open` or `none`"),
                );
            }
            for s in &case.source {
                if book.source_title(s).is_none() {
                    report(
                        &case.name,
                        format!("cites source `{s}`, which is not defined"),
                    );
                }
            }
            if !e.checks_more_than_tier() && case.why.as_deref().is_none_or(|w| w.trim().is_empty())
            {
                report(
                    &case.name,
                    "checks only the tier; add what else must hold (see, avoid, care, ...) or say in `why:` why the tier is enough".into(),
                );
            }
        }
    }
    problems
}

/// The case's answers laid over the defaults, read and checked for this rulebook.
fn merged_answers(
    engine: &Engine,
    defaults: &BTreeMap<String, serde_json::Value>,
    case: &Case,
) -> Result<answers::Answers, String> {
    let mut merged = serde_json::Map::new();
    for (k, v) in defaults.iter().chain(&case.answers) {
        merged.insert(k.clone(), v.clone());
    }
    let answers = answers::from_json_value(engine.book(), serde_json::Value::Object(merged))
        .map_err(|e| e.to_string())?;
    engine.check_answers(&answers).map_err(|e| e.to_string())?;
    Ok(answers)
}

/// Runs every case against the engine and measures rule coverage.
pub fn run(engine: &Engine, set: &CaseSet, today: Date) -> TestReport {
    let book = engine.book();
    let mut fired = vec![false; book.rules.len()];
    let mut results: Vec<CaseResult> = Vec::new();
    for (file, cases) in &set.files {
        let defaults = set.defaults(cases);
        for case in &cases.cases {
            let outcome =
                merged_answers(engine, &defaults, case).map(|a| (engine.assess(&a, today), a));
            let mismatches = match outcome {
                Ok((assessment, _)) => {
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
                    actual: e.replace('\n', "; "),
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

/// The built-in benign profile: the `defaults` of the built-in scenario cases (no red
/// flags, no conditions, every question answered that applies). Tests, the benchmark
/// generator and the property generators start from it, so it is written once.
pub fn benign_profile() -> serde_json::Map<String, serde_json::Value> {
    load(&crate::rulebook::builtin::test_files())
        .ok()
        .and_then(|files| files.into_iter().find_map(|(_, f)| f.defaults))
        .map(|defaults| defaults.into_iter().collect())
        .unwrap_or_default()
}
