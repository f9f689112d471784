//! Safety invariants as property tests over generated answer sets, and "never panics"
//! over arbitrary bytes and values fed to every parser.

use std::collections::BTreeSet;

use massage_check::answers::{self, Answers, Value};
use massage_check::date::Date;
use massage_check::engine::{Engine, Truth};
use massage_check::report::{self, Context, Format};
use massage_check::rulebook::{Question, QuestionType, Rulebook, Tier};
use proptest::prelude::*;

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Rulebook::builtin().expect("builtin")).expect("compiles"))
}

fn today() -> Date {
    Date::from_ymd(2026, 11, 21).expect("date")
}

/// A valid answer for `q` chosen by `seed`: sometimes unanswered or unknown.
fn value_for(q: &Question, seed: u32) -> Value {
    let roll = seed % 100;
    if roll < 8 {
        return Value::Unanswered;
    }
    if roll < 13 && q.allow_unknown {
        return Value::Unknown;
    }
    let s = seed / 100;
    match q.kind {
        QuestionType::YesNo => Value::Bool(s % 4 == 0),
        QuestionType::Scale => Value::Number(f64::from(s % 11)),
        QuestionType::Number => {
            let (min, max) = q.range();
            // Mostly small numbers, where the thresholds are.
            let span = (max - min).min(40.0);
            Value::Number(min + f64::from(s % (span as u32 + 1)))
        }
        QuestionType::OneOf => Value::Choice((s as usize % q.choices.len()) as u16),
        QuestionType::SeveralOf => {
            let all = (1u64 << q.choices.len()) - 1;
            // Sparse sets: AND of two random masks.
            Value::Set(u64::from(s) & u64::from(s.rotate_left(13)) & all)
        }
    }
}

/// Clears answers to questions that do not apply, as a person answering would.
fn consistent(mut answers: Answers) -> Answers {
    let applicable = engine().applicable(&answers);
    for (v, applies) in answers.values.iter_mut().zip(applicable) {
        if !applies {
            *v = Value::Unanswered;
        }
    }
    answers
}

fn answer_sets() -> impl Strategy<Value = Answers> {
    let book = engine().book();
    prop::collection::vec(any::<u32>(), book.questions.len()).prop_map(move |seeds| {
        let values = book
            .questions
            .iter()
            .zip(seeds)
            .map(|(q, s)| value_for(q, s))
            .collect();
        consistent(Answers { values, id: None })
    })
}

fn index(id: &str) -> usize {
    engine().book().question_index(id).expect("question exists")
}

fn avoided(a: &massage_check::engine::Assessment<'_>) -> BTreeSet<String> {
    a.avoid.iter().map(|t| t.id.to_string()).collect()
}

/// Changes that make a person's situation worse (or no better): more risk answered yes,
/// more pain, a more recent injury or surgery, a clearance withdrawn, a condition added.
fn worsen(answers: &Answers, change: u32) -> Answers {
    let book = engine().book();
    let mut out = answers.clone();
    // Clearance and the conditions that need it are drawn often: they are where a change
    // could most plausibly lower a verdict.
    const OFTEN: [&str; 6] = [
        "cleared_by_clinician",
        "diagnoses",
        "recent_surgery",
        "clot_history",
        "cancer_history",
        "recent_injury",
    ];
    let q = if change % 3 == 0 {
        index(OFTEN[(change / 3) as usize % OFTEN.len()])
    } else {
        change as usize % book.questions.len()
    };
    let question = &book.questions[q];
    let v = out.values[q];
    out.values[q] = match (question.kind, v) {
        (QuestionType::YesNo, _) if question.id == "cleared_by_clinician" => match v {
            Value::Bool(true) => Value::Bool(false),
            other => other,
        },
        (QuestionType::YesNo, Value::Bool(false) | Value::Unanswered | Value::Unknown) => {
            Value::Bool(true)
        }
        (QuestionType::Scale, Value::Number(n)) if question.id == "pain_intensity" => {
            Value::Number((n + 1.0 + f64::from(change % 5)).min(10.0))
        }
        (QuestionType::Number, Value::Number(n))
            if matches!(
                question.id.as_str(),
                "injury_days_ago" | "surgery_weeks_ago"
            ) =>
        {
            Value::Number((n - 1.0 - f64::from(change % 7)).max(0.0))
        }
        (QuestionType::SeveralOf, Value::Set(set)) => {
            Value::Set(set | (1u64 << ((change / 7) as usize % question.choices.len())))
        }
        (QuestionType::OneOf, Value::Choice(0)) if question.id == "recent_surgery" => {
            // From "none" to a surgery.
            Value::Choice(1 + (change % 2) as u16)
        }
        (_, other) => other,
    };
    consistent(out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn an_emergency_red_flag_always_yields_emergency(answers in answer_sets(), which in 0usize..4) {
        let mut answers = answers;
        match which {
            0 => answers.values[index("saddle_numbness")] = Value::Bool(true),
            1 => answers.values[index("bladder_bowel_changes")] = Value::Bool(true),
            2 => answers.values[index("leg_weakness")] = Value::Bool(true),
            _ => {
                let q = index("pain_location");
                let both = 1u64 << engine().book().questions[q].choices.iter().position(|c| c.id == "both_legs").expect("choice");
                let set = match answers.values[q] { Value::Set(s) => s, _ => 0 };
                answers.values[q] = Value::Set(set | both);
            }
        }
        let a = engine().assess(&answers, today());
        prop_assert_eq!(a.tier, Tier::Emergency);
        prop_assert!(a.see.first().is_some_and(|s| s.when == massage_check::rulebook::Urgency::Now));
    }

    #[test]
    fn worsening_never_lowers_the_tier_or_brings_back_an_excluded_technique(
        answers in answer_sets(),
        changes in prop::collection::vec(any::<u32>(), 1..4),
    ) {
        let before = engine().assess(&answers, today());
        let mut worse = answers.clone();
        for c in changes {
            worse = worsen(&worse, c);
        }
        let after = engine().assess(&worse, today());
        prop_assert!(after.tier >= before.tier, "{:?} -> {:?}", before.tier, after.tier);
        let (b, a) = (avoided(&before), avoided(&after));
        prop_assert!(b.is_subset(&a), "excluded before {:?}, after {:?}", b, a);
    }

    #[test]
    fn an_unanswered_red_flag_is_never_suitable_and_is_named(answers in answer_sets(), which in 0usize..5) {
        let flags = ["saddle_numbness", "bladder_bowel_changes", "leg_weakness", "significant_trauma", "fever_unwell"];
        let mut answers = answers;
        let q = index(flags[which]);
        answers.values[q] = if which % 2 == 0 { Value::Unknown } else { Value::Unanswered };
        let a = engine().assess(&answers, today());
        prop_assert_ne!(a.tier, Tier::Suitable);
        let named = a.to_check.iter().flat_map(|c| c.questions.iter()).any(|cq| cq.id == flags[which]);
        prop_assert!(named, "{} should be listed to check", flags[which]);
    }

    #[test]
    fn a_technique_to_avoid_never_appears_among_those_that_suit(answers in answer_sets()) {
        let a = engine().assess(&answers, today());
        let avoid = avoided(&a);
        for t in &a.techniques {
            prop_assert!(!avoid.contains(t.id), "{} is both avoided and ranked", t.id);
        }
    }

    #[test]
    fn output_is_deterministic_and_independent_of_key_order(answers in answer_sets(), rotate in 0usize..40) {
        let book = engine().book();
        let yaml = answers::to_yaml(book, &answers);
        let mut lines: Vec<&str> = yaml.lines().filter(|l| !l.starts_with('#')).collect();
        let n = lines.len().max(1);
        lines.rotate_left(rotate % n);
        let shuffled = lines.join("\n") + "\n";
        let parsed = answers::parse(book, &shuffled);
        // A file of only unanswered questions is empty; that is an error, not a panic.
        prop_assume!(parsed.is_ok());
        let parsed = parsed.expect("parsed");
        prop_assert_eq!(&parsed.values, &answers.values);
        let ctx = Context { book, date: today(), width: 80, answers: None };
        for format in [Format::Json, Format::Text] {
            let one = report::render(&engine().assess(&answers, today()), &ctx, format);
            let two = report::render(&engine().assess(&parsed, today()), &ctx, format);
            prop_assert_eq!(one, two);
        }
    }

    #[test]
    fn brief_assessments_decide_exactly_as_full_ones(answers in answer_sets()) {
        use massage_check::engine::Detail;
        use massage_check::report::{BatchFormat, BatchItem, BatchRecord, csv::CsvRows, jsonl::JsonLines};
        let book = engine().book();
        let ctx = Context { book, date: today(), width: 80, answers: None };
        let full = engine().check_and_assess_with(&answers, today(), Detail::Full).expect("consistent");
        let brief = engine().check_and_assess_with(&answers, today(), Detail::Brief).expect("consistent");
        // What every brief batch format shows, from each.
        let lines = |a: &massage_check::engine::Assessment<'_>| {
            let record = BatchRecord { number: 1, unit: "line", item: BatchItem::Assessed(a) };
            let mut out = Vec::new();
            JsonLines { full: false }.item(&record, &ctx, &mut out);
            CsvRows.item(&record, &ctx, &mut out);
            String::from_utf8(out).expect("UTF-8")
        };
        prop_assert_eq!(lines(&full), lines(&brief));
        prop_assert_eq!(full.tier, brief.tier);
        prop_assert_eq!(avoided(&full), avoided(&brief));
        let ranked = |a: &massage_check::engine::Assessment<'_>| -> Vec<(String, u8)> {
            a.techniques.iter().map(|t| (t.id.to_string(), t.score)).collect()
        };
        prop_assert_eq!(ranked(&full), ranked(&brief));
    }

    #[test]
    fn check_and_batch_share_one_assessment(answers in answer_sets()) {
        let book = engine().book();
        let a = engine().assess(&answers, today());
        let checked = engine().check_and_assess(&answers, today()).expect("consistent answers");
        let ctx = Context { book, date: today(), width: 80, answers: None };
        prop_assert_eq!(report::render(&a, &ctx, Format::Json), report::render(&checked, &ctx, Format::Json));
    }
}

#[test]
fn every_rule_has_an_answer_set_that_fires_it() {
    let e = engine();
    let book = e.book();
    for (i, rule) in book.rules.iter().enumerate() {
        let witness = e
            .witness(i)
            .unwrap_or_else(|| panic!("{}: no answers fire it", rule.id));
        let mut answers = Answers::empty(book);
        for (q, v) in witness {
            answers.values[q] = v;
        }
        let a = e.assess(&answers, today());
        let fired = a
            .trace
            .iter()
            .any(|t| t.rule == rule.id && t.result == Truth::True);
        assert!(fired, "{}: the witness did not fire it", rule.id);
    }
}

// ---- Never panics -----------------------------------------------------------------

fn json_values() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)),
        "[a-z_]{0,20}".prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "yes",
            "no",
            "unknown",
            "lower_back",
            "age",
            "pain_intensity"
        ])
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "age",
                    "pain_intensity",
                    "goal",
                    "diagnoses",
                    "recent_injury",
                    "injury_days_ago",
                    "id",
                    "x"
                ])
                .prop_map(String::from),
                inner,
                0..8,
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn run_batch(input: &[u8], format: massage_check::batch::InputFormat) -> String {
    let e = engine();
    let reader: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(input.to_vec()));
    let mut out = Vec::new();
    let mut formatter = report::BatchOutput::Jsonl.formatter(false);
    let options = massage_check::batch::Options {
        input_format: format,
        ctx: Context {
            book: e.book(),
            date: today(),
            width: 80,
            answers: None,
        },
        fail_on: None,
        on_progress: None,
        threads: 1,
    };
    massage_check::batch::run(
        e,
        std::io::BufReader::new(reader),
        &mut out,
        formatter.as_mut(),
        &options,
    )
    .expect("in-memory batch");
    String::from_utf8(out).expect("utf8 output")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_any_parser(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let book = engine().book();
        let text = String::from_utf8_lossy(&bytes);
        let _ = answers::parse(book, &text);
        let _ = answers::parse_json_record(book, &text);
        let _ = answers::parse_yaml_record(book, &text);
        let _ = Rulebook::from_texts(vec![("fuzz.yaml".into(), text.to_string())]);
        for format in [massage_check::batch::InputFormat::Jsonl, massage_check::batch::InputFormat::Csv, massage_check::batch::InputFormat::Yaml] {
            let _ = run_batch(&bytes, format);
        }
    }

    #[test]
    fn arbitrary_values_never_panic_and_batch_keeps_one_result_per_record(values in prop::collection::vec(json_values(), 1..6)) {
        let book = engine().book();
        let mut jsonl = String::new();
        for v in &values {
            let json = serde_json::to_string(v).expect("json");
            let yaml = serde_yaml::to_string(v).expect("yaml");
            if let Ok(a) = answers::parse(book, &json) {
                let _ = engine().check_and_assess(&a, today());
            }
            if let Ok(a) = answers::parse(book, &yaml) {
                let _ = engine().check_and_assess(&a, today());
            }
            jsonl.push_str(&json);
            jsonl.push('\n');
        }
        let out = run_batch(jsonl.as_bytes(), massage_check::batch::InputFormat::Jsonl);
        prop_assert_eq!(out.lines().count(), values.len());
    }
}
