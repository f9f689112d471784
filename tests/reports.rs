//! The reports as the person reads them: one clear message, only the facts they gave,
//! and at an emergency nothing but what to do now.

mod common;

use common::{TODAY, bin};
use massage_check::answers::{Answers, Value};
use massage_check::engine::Engine;
use massage_check::rulebook::{Rulebook, Tier};

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Rulebook::builtin().expect("builtin")).expect("compiles"))
}

/// Answers that fire rule `rule` (its witness), with every other question unanswered,
/// written as an answers file.
fn witness_yaml(rules: &[usize]) -> String {
    let e = engine();
    let mut answers = Answers::empty(e.book());
    for &rule in rules {
        for (q, v) in e.witness(rule).expect("a witness") {
            answers.values[q] = match (answers.values[q], v) {
                (Value::Set(a), Value::Set(b)) => Value::Set(a | b),
                (_, v) => v,
            };
        }
    }
    massage_check::answers::to_yaml(e.book(), &answers)
}

fn text_report(answers: &str, extra: &[&str]) -> String {
    let out = bin()
        .args(["check", "-", "--today", TODAY])
        .args(extra)
        .write_stdin(answers.to_string())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn emergency_rules() -> Vec<usize> {
    let book = engine().book();
    (0..book.rules.len())
        .filter(|&i| book.rules[i].tier == Some(Tier::Emergency))
        .collect()
}

/// The checks every emergency report must pass.
fn assert_short_emergency(report: &str, what: &str) {
    let lines: Vec<&str> = report.lines().collect();
    // Short, but every sign the person gave is named: a line more for each sign past two.
    let signs = report
        .split("Tell them about every sign you have: ")
        .nth(1)
        .map_or(0, |rest| rest.split(';').count());
    assert!(
        lines.len() <= 15 + signs.saturating_sub(2),
        "{what}: {} lines at 80 columns:\n{report}",
        lines.len()
    );
    assert!(lines[0].starts_with("EMERGENCY: "), "{what}: verdict first");
    assert!(
        lines.iter().all(|l| l.chars().count() <= 80),
        "{what}: 80 columns"
    );
    assert!(report.contains("No massage of any kind."), "{what}");
    for absent in [
        "When to wait",
        "Questions to settle",
        "What helps",
        "suit best",
        "Tell your therapist",
        "If things change",
        "Rules applied",
    ] {
        assert!(!report.contains(absent), "{what}: {absent:?} in\n{report}");
    }
    // The action is last: the paragraph before the disclaimer is under "What to do now".
    let action = report.find("What to do now").expect("an action");
    let disclaimer = report.find("This is information").expect("disclaimer");
    assert!(action < disclaimer, "{what}");
    assert!(
        report[action..disclaimer].lines().count() >= 2,
        "{what}: an instruction under the heading"
    );
}

#[test]
fn every_emergency_report_is_short_with_the_action_last() {
    let rules = emergency_rules();
    for &rule in &rules {
        let id = &engine().book().rules[rule].id;
        assert_short_emergency(&text_report(&witness_yaml(&[rule]), &[]), id);
    }
    // Two emergencies at once (two places to go) still fit.
    for pair in rules.windows(2) {
        let what = format!("{:?}", pair);
        assert_short_emergency(&text_report(&witness_yaml(pair), &[]), &what);
    }
}

#[test]
fn an_emergency_in_batch_has_no_wait_and_no_techniques() {
    // Saddle numbness with every other question left out: the interview's early stop.
    let out = bin()
        .args(["batch", "--today", TODAY])
        .write_stdin("{\"nerve_signs\": [\"saddle_numbness\"]}\n")
        .output()
        .expect("runs");
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json line");
    assert_eq!(line["tier"], "emergency");
    assert!(line["wait"].is_null(), "{line}");
    assert_eq!(line["techniques"], serde_json::json!([]));
    assert_eq!(line["to_check"], serde_json::json!([]));
    assert_eq!(line["see"][0]["when"], "now");
    assert_eq!(line["see"].as_array().map(Vec::len), Some(1));
}

#[test]
fn whom_to_see_lists_only_what_the_person_reported() {
    // Nerve signs unanswered: the same-day check is a question to settle, not a visit
    // the person's answers call for.
    let mut answers = String::new();
    for (k, v) in massage_check::cases::benign_profile() {
        if k != "nerve_signs" {
            answers.push_str(&format!("{k}: {v}\n"));
        }
    }
    let report = text_report(&answers, &[]);
    assert!(report.starts_with("SEE A CLINICIAN FIRST"), "{report}");
    assert!(!report.contains("Whom to see"), "{report}");
    let flat = report.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "- Not answered: Since this spell of back pain began, have you noticed any of these, new or getting worse? Pick all that apply."
        ),
        "{report}"
    );
    assert!(
        flat.contains("Some answers to it mean getting emergency help."),
        "{report}"
    );
    assert!(
        flat.contains("Until you know: a GP or urgent care clinician, who can check for cauda equina signs, today."),
        "{report}"
    );

    let not_sure = answers.clone() + "nerve_signs: unknown\n";
    let report = text_report(&not_sure, &[]);
    assert!(
        report.contains("  - You were not sure: Since this spell of back pain began, have you"),
        "{report}"
    );
}

#[test]
fn reports_for_people_carry_no_internal_ids() {
    let e = engine();
    let book = e.book();
    for example in [
        "examples/desk-worker.yaml",
        "examples/herniated-disc.json",
        "examples/cauda-equina.yaml",
    ] {
        let text = std::fs::read_to_string(common::repo_path(example)).expect("example");
        for format in ["text", "markdown"] {
            let report = text_report(&text, &["--format", format]);
            assert!(!report.contains("Rules applied"), "{example} {format}");
            // Words of the report, without the record's own id.
            let words: Vec<&str> = report
                .lines()
                .filter(|l| !l.starts_with("Record: "))
                .flat_map(|l| {
                    l.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                })
                .collect();
            for rule in &book.rules {
                assert!(
                    !words.contains(&rule.id.as_str()),
                    "{example} {format}: rule id {} in\n{report}",
                    rule.id
                );
            }
            for s in &book.sources {
                assert!(
                    !words.contains(&s.id.as_str()),
                    "{example} {format}: source key {} in\n{report}",
                    s.id
                );
            }
        }
        // --explain keeps the ids for authors.
        let explained = text_report(&text, &["--explain"]);
        assert!(explained.contains("Rules applied: "), "{example}");
    }
}

#[test]
fn no_line_is_repeated_within_a_section() {
    let e = engine();
    // Every rule's witness over the benign profile: the reports people actually get.
    for rule in 0..e.book().rules.len() {
        let mut answers = String::new();
        let witness = witness_yaml(&[rule]);
        let keys: Vec<&str> = witness
            .lines()
            .filter_map(|l| l.split_once(':').map(|(k, _)| k))
            .collect();
        for (k, v) in massage_check::cases::benign_profile() {
            if !keys.contains(&k.as_str()) {
                answers.push_str(&format!("{k}: {v}\n"));
            }
        }
        answers.push_str(&witness.replace(
            "# massage-check answers; check them with: massage-check check FILE\n",
            "",
        ));
        let out = bin()
            .args(["check", "-", "--today", TODAY])
            .write_stdin(answers.clone())
            .output()
            .expect("runs");
        if !out.status.success() {
            // A witness can contradict the benign profile's follow-ups; skip those.
            continue;
        }
        let report = String::from_utf8_lossy(&out.stdout);
        for section in report.split("\n\n") {
            let bullets: Vec<&str> = section.lines().filter(|l| l.starts_with("  - ")).collect();
            for (i, b) in bullets.iter().enumerate() {
                assert!(
                    !bullets[..i].contains(b),
                    "{}: {b:?} twice in\n{section}",
                    e.book().rules[rule].id
                );
            }
        }
    }
}

#[test]
fn a_one_leg_title_never_appears_for_both_legs() {
    let report = text_report(
        "pain_location: [one_leg, both_legs]\nlegs_new: no\ndiagnoses: [spinal_stenosis]\n",
        &[],
    );
    assert!(!report.contains("Pain spreading down one leg"), "{report}");
}

#[test]
fn json_lists_no_techniques_when_none_are_shown() {
    // A see-a-clinician verdict that rules out massage until assessed.
    let out = bin()
        .args(["check", "-", "--format", "json", "--today", TODAY])
        .write_stdin("general_signs: [weight_loss]\n")
        .output()
        .expect("runs");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["tier"], "see_clinician");
    assert_eq!(r["show_techniques"], false);
    assert_eq!(r["no_massage"], true);
    assert_eq!(r["techniques"], serde_json::json!([]));
}

#[test]
fn score_lines_add_up_to_the_score_and_only_under_explain() {
    let text =
        std::fs::read_to_string(common::repo_path("examples/desk-worker.yaml")).expect("example");
    let plain = text_report(&text, &[]);
    assert!(plain.contains("/100"), "{plain}");
    assert!(
        !plain.contains("to start with"),
        "score arithmetic only with --explain:\n{plain}"
    );
    let report = text_report(&text, &["--explain"]);
    let mut lines = report.lines().peekable();
    let mut checked = 0;
    while let Some(line) = lines.next() {
        let Some(pos) = line.find("/100") else {
            continue;
        };
        let score: i32 = line[..pos]
            .split_whitespace()
            .last()
            .expect("score")
            .parse()
            .expect("number");
        let mut sum = 0;
        while let Some(next) = lines.peek() {
            let t = next.trim_start();
            let Some(first) = t.split_whitespace().next() else {
                break;
            };
            match first.parse::<i32>() {
                Ok(n) if next.starts_with("       ") => {
                    sum += n;
                    lines.next();
                }
                _ => break,
            }
        }
        assert_eq!(sum, score, "{line}\n{report}");
        checked += 1;
    }
    assert!(checked >= 3, "{report}");
}

/// A report never contradicts its own verdict: when no massage of any kind is allowed
/// (every rule's witness, in text and Markdown), it says nothing about how to massage:
/// no therapist section, no technique scores, no aftercare, no "stop a massage" line, no
/// lower-tier notes about massage.
#[test]
fn no_massage_means_no_massage_talk() {
    let e = engine();
    let mut checked = 0;
    for (i, rule) in e.book().rules.iter().enumerate() {
        if rule.tier.is_none() {
            continue;
        }
        let answers = witness_yaml(&[i]);
        let json: serde_json::Value =
            serde_json::from_str(&text_report(&answers, &["--format", "json"])).expect("json");
        if json["no_massage"] != true {
            continue;
        }
        checked += 1;
        for format in ["text", "markdown"] {
            let report = text_report(&answers, &["--format", format]);
            for absent in [
                "Tell your therapist",
                "For the therapist",
                "/100",
                "Stop a massage",
                "After the massage",
                "take it easy after a massage",
                "Gentle work helps",
                "suit best",
            ] {
                assert!(
                    !report.contains(absent),
                    "{} ({format}): {absent:?} in a no-massage report:\n{report}",
                    rule.id
                );
            }
        }
    }
    assert!(checked >= 40, "only {checked} rules rule massage out");
}

/// The rulebook's safety net says what the rules do: each line that names an urgency is
/// checked against the verdict for the answers it describes.
#[test]
fn the_safety_net_agrees_with_the_rules() {
    let benign: String = massage_check::cases::benign_profile()
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}\n"))
        .collect();
    let with = |change: &str| {
        let keys: Vec<&str> = change.lines().filter_map(|l| l.split(':').next()).collect();
        let kept: String = benign
            .lines()
            .filter(|l| !keys.iter().any(|k| l.starts_with(&format!("{k}:"))))
            .map(|l| format!("{l}\n"))
            .collect();
        let json = text_report(&(kept + change), &["--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        (
            v["tier"].as_str().unwrap_or("").to_string(),
            v["see"][0]["when"].as_str().unwrap_or("none").to_string(),
            v["safety_net"].clone(),
        )
    };
    // (what a line promises, the answers it is about, tier, urgency)
    for (line, change, tier, when) in [
        (
            "numbness between your legs",
            "nerve_signs: [saddle_numbness]\n",
            "emergency",
            "now",
        ),
        (
            "trouble passing or holding urine",
            "nerve_signs: [bladder]\n",
            "emergency",
            "now",
        ),
        (
            "weakness or numbness in both legs",
            "nerve_signs: [legs_weak]\n",
            "emergency",
            "now",
        ),
        (
            "a leg or foot becomes weak",
            "nerve_signs: [leg_weak]\n",
            "see_clinician",
            "today",
        ),
        (
            "high temperature that a cold or flu does not explain",
            "general_signs: [fever]\nfever_travel: no\n",
            "see_clinician",
            "today",
        ),
        (
            "keeps getting worse day after day",
            "pain_change: worsening\n",
            "see_clinician",
            "within_days",
        ),
        (
            "waking you at night whatever position",
            "general_signs: [night_pain]\n",
            "see_clinician",
            "within_days",
        ),
    ] {
        let (_, _, net) = with("");
        assert!(
            net.as_array()
                .expect("safety net")
                .iter()
                .any(|l| l.as_str().is_some_and(|l| l.contains(line))),
            "the benign report's safety net has no line about {line:?}: {net}"
        );
        let (got_tier, got_when, net) = with(change);
        assert_eq!(
            (got_tier.as_str(), got_when.as_str()),
            (tier, when),
            "{line:?}: the rules say otherwise"
        );
        // A line about what the person already has is left out: the verdict deals with it.
        assert!(
            !net.as_array()
                .into_iter()
                .flatten()
                .any(|l| l.as_str().is_some_and(|l| l.contains(line))),
            "{line:?} is still promised to someone who has it: {net}"
        );
    }
}

/// Questions to settle list only questions that apply given the answers so far, in the
/// interview's order, never a follow-up whose trigger is itself open (the help's own
/// example printed "Has your midwife said massage is OK?" for someone who never said she
/// was pregnant).
#[test]
fn questions_to_settle_apply_and_follow_the_interview() {
    let report = text_report("{\"pain_intensity\": 4}\n", &[]);
    let section = report
        .split("Questions to settle")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .expect("a questions section");
    for absent in [
        "midwife",
        "surgeon",
        "cancer team",
        "heart team",
        "How many days ago",
        "temperature, does",
    ] {
        assert!(!section.contains(absent), "{absent:?} listed:\n{section}");
    }
    // Each listed question's place in the interview, in the order listed.
    let book = engine().book();
    let flat = section.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut listed: Vec<(usize, usize)> = book
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let prompt = q.prompt.split_whitespace().collect::<Vec<_>>().join(" ");
            ["Not answered: ", "You were not sure: "]
                .iter()
                .find_map(|lead| flat.find(&format!("{lead}{prompt}")))
                .map(|at| (at, i))
        })
        .collect();
    assert!(listed.len() >= 5, "{section}");
    listed.sort_unstable();
    assert!(
        listed.windows(2).all(|w| w[0].1 < w[1].1),
        "listed in the interview's order:\n{section}"
    );
}

/// One "whom to see" line per clinician: a slower referral to the GP joins a faster one,
/// so nobody reads "within a few days" below "today" for the same GP.
#[test]
fn referrals_to_the_same_clinician_merge_into_the_most_urgent() {
    let benign: String = massage_check::cases::benign_profile()
        .into_iter()
        .filter(|(k, _)| k != "general_signs")
        .map(|(k, v)| format!("{k}: {v}\n"))
        .collect();
    let report = text_report(&(benign + "general_signs: [urine, weight_loss]\n"), &[]);
    let section = report
        .split("Whom to see, and how soon")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .expect("a whom-to-see section");
    assert_eq!(section.matches("  - ").count(), 1, "{section}");
    assert!(section.contains("today"), "{section}");
    assert!(!section.contains("within a few days"), "{section}");
    assert!(
        report.starts_with("SEE A CLINICIAN FIRST: See your GP or urgent care today"),
        "{report}"
    );
}
