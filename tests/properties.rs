//! Safety invariants as property tests over generated answer sets, and "never panics"
//! over arbitrary bytes and values fed to every parser.
//!
//! Answer sets are drawn the way people are: from the built-in benign profile, or from
//! a rule's witness (the answers that fire it) laid over that profile, then changed in
//! zero to three places. A generator that drew every question at random would make
//! nearly everyone an emergency, and the properties would hold vacuously; the test
//! `the_generator_reaches_every_tier` asserts that each tier is a real share of the draws.

use std::collections::BTreeSet;

use massage_check::answers::{self, Answers, Value};
use massage_check::date::Date;
use massage_check::engine::{Assessment, Engine, Truth};
use massage_check::report::{self, Context, Format};
use massage_check::rulebook::{Question, QuestionType, Rulebook, Tier, Urgency};
use proptest::prelude::*;

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(Rulebook::builtin().expect("builtin")).expect("compiles"))
}

fn today() -> Date {
    Date::from_ymd(2026, 11, 21).expect("date")
}

fn index(id: &str) -> usize {
    engine().book().question_index(id).expect("question exists")
}

/// The built-in benign profile as answers.
fn benign() -> Answers {
    let profile = massage_check::cases::benign_profile();
    answers::from_json_value(engine().book(), serde_json::Value::Object(profile))
        .expect("the benign profile is valid")
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

/// A valid answer for `q` chosen by `seed`: sometimes unanswered or unknown.
fn value_for(q: &Question, seed: u32) -> Value {
    let roll = seed % 100;
    if roll < 6 {
        return Value::Unanswered;
    }
    if roll < 12 && q.allow_unknown {
        return Value::Unknown;
    }
    let s = seed / 100;
    match q.kind {
        QuestionType::YesNo => Value::Bool(s % 2 == 0),
        QuestionType::Scale => Value::Number(f64::from(s % 11)),
        QuestionType::Number => {
            let (min, max) = q.range();
            // Mostly small numbers, where the thresholds are.
            let span = (max - min).min(80.0);
            Value::Number(min + f64::from(s % (span as u32 + 1)))
        }
        QuestionType::OneOf => Value::Choice((s as usize % q.choices.len()) as u16),
        QuestionType::SeveralOf => {
            // One or two choices, or none.
            let n = q.choices.len() as u32;
            match s % 4 {
                0 => Value::Set(0),
                1 => Value::Set(1 << (s / 4 % n)),
                _ => Value::Set((1 << (s / 4 % n)) | (1 << (s / 64 % n))),
            }
        }
    }
}

/// One change to one question.
fn perturb(answers: &mut Answers, seed: u32) {
    let book = engine().book();
    let q = (seed as usize / 7) % book.questions.len();
    answers.values[q] = value_for(&book.questions[q], seed.rotate_left(11));
}

/// Where a draw starts: the benign profile, or a rule's witness laid over it.
fn starting_point(start: u32) -> Answers {
    let e = engine();
    let mut answers = benign();
    let rules = e.book().rules.len() as u32;
    // Half of the draws start from a witness, so every rule is a starting point.
    if start % 2 == 1 {
        let rule = (start / 2 % rules) as usize;
        for (q, v) in e.witness(rule).unwrap_or_default() {
            answers.values[q] = v;
        }
    }
    answers
}

fn draw(start: u32, changes: &[u32]) -> Answers {
    let mut answers = starting_point(start);
    for &c in changes {
        perturb(&mut answers, c);
    }
    consistent(answers)
}

fn answer_sets() -> impl Strategy<Value = Answers> {
    (any::<u32>(), prop::collection::vec(any::<u32>(), 0..=3))
        .prop_map(|(start, changes)| draw(start, &changes))
}

fn avoided(a: &Assessment<'_>) -> BTreeSet<String> {
    a.avoid.iter().map(|t| t.id.to_string()).collect()
}

/// The choice bit of `choice` in several-of question `q`.
fn bit(q: usize, choice: &str) -> u64 {
    let question = &engine().book().questions[q];
    1u64 << question
        .choices
        .iter()
        .position(|c| c.id == choice)
        .unwrap_or_else(|| panic!("{} has no choice {choice}", question.id))
}

/// Several-of questions where ticking one more line means more risk, never less.
const RISK_LISTS: [&str; 11] = [
    "nerve_signs",
    "urgent_signs",
    "general_signs",
    "diagnoses",
    "health",
    "medicines",
    "skin",
    "reactions",
    "pregnancy_signs",
    "pain_location",
    "pain_character",
];

/// Checklist lines that explain a sign rather than add a risk, so ticking one may lower
/// the verdict by design (the third edition's calibration): a cold or flu explains a
/// fever or vomiting [NICE_CKS_LBP]; an untreated abscess explains a fever with worse
/// pain (still a same-day visit); a diagnosed disc problem or stenosis explains
/// long-standing pain in both legs [STENOSIS_MS]; diagnosed fibromyalgia explains aches
/// all over [EULAR_FM]. Everything else on a checklist is a risk.
const EXPLANATIONS: [(&str, &str); 6] = [
    ("general_signs", "ill"),
    ("general_signs", "infection"),
    ("diagnoses", "herniated_disc"),
    ("diagnoses", "spinal_stenosis"),
    ("diagnoses", "spondylolisthesis"),
    ("diagnoses", "fibromyalgia"),
];

/// Whether ticking `choice` of `question` adds a risk (see EXPLANATIONS).
fn is_risk(question: &str, choice: &str) -> bool {
    !EXPLANATIONS.contains(&(question, choice))
}

/// `answers` with every explanation unticked.
fn without_explanations(mut answers: Answers) -> Answers {
    for (id, choice) in EXPLANATIONS {
        let q = index(id);
        if let Value::Set(set) = answers.values[q] {
            answers.values[q] = Value::Set(set & !bit(q, choice));
        }
    }
    answers
}

/// One-of questions ordered from least to most worrying.
const WORSE_ORDERS: [(&str, &[&str]); 3] = [
    ("injury", &["none", "minor", "major"]),
    (
        "pain_change",
        &["improving", "steady", "flare", "different"],
    ),
    ("assessed", &["this_bout", "earlier_bouts", "never"]),
];

/// Yes/no questions where "yes" is the worse answer, and clearances where "no" is.
const WORSE_YES: [&str; 1] = ["legs_new"];
const CLEARANCES: [&str; 5] = [
    "cancer_cleared",
    "clot_cleared",
    "surgery_cleared",
    "heart_cleared",
    "pregnancy_cleared",
];

/// A change that makes a person's situation worse (or no better).
fn worsen(answers: &Answers, change: u32) -> Answers {
    let book = engine().book();
    let mut out = answers.clone();
    let pick = |n: usize| (change / 8) as usize % n;
    match change % 8 {
        0..=2 => {
            let q = index(RISK_LISTS[pick(RISK_LISTS.len())]);
            let question = &book.questions[q];
            let i = (change / 97) as usize % question.choices.len();
            let add = 1u64 << i;
            if let Value::Set(set) = out.values[q]
                && is_risk(&question.id, &question.choices[i].id)
            {
                out.values[q] = Value::Set(set | add);
            }
        }
        3 => {
            let (id, order) = WORSE_ORDERS[pick(WORSE_ORDERS.len())];
            let q = index(id);
            let question = &book.questions[q];
            let rank = |c: u16| {
                order
                    .iter()
                    .position(|o| question.choices[usize::from(c)].id == *o)
            };
            if let Value::Choice(c) = out.values[q]
                && let Some(r) = rank(c)
                && let Some(next) = order.get(r + 1)
            {
                let i = question.choices.iter().position(|x| x.id == *next);
                out.values[q] = Value::Choice(i.expect("choice") as u16);
            }
        }
        4 => {
            let q = index(WORSE_YES[pick(WORSE_YES.len())]);
            out.values[q] = Value::Bool(true);
        }
        5 => {
            let q = index(CLEARANCES[pick(CLEARANCES.len())]);
            if out.values[q] == Value::Bool(true) {
                out.values[q] = Value::Bool(false);
            }
        }
        6 => {
            let q = index("pain_intensity");
            if let Value::Number(n) = out.values[q] {
                out.values[q] = Value::Number((n + 1.0 + f64::from(change % 5)).min(10.0));
            }
        }
        _ => {
            let q = index(["injury_days_ago", "surgery_weeks_ago"][pick(2)]);
            if let Value::Number(n) = out.values[q] {
                out.values[q] = Value::Number((n - 1.0 - f64::from(change % 7)).max(0.0));
            }
        }
    }
    consistent(out)
}

/// Every single worsening step from `answers`, each as the changed answers.
fn every_single_worsening(answers: &Answers) -> Vec<(String, Answers)> {
    let book = engine().book();
    let mut out = Vec::new();
    let mut push = |what: String, q: usize, v: Value| {
        let mut changed = answers.clone();
        changed.values[q] = v;
        out.push((what, consistent(changed)));
    };
    for id in RISK_LISTS {
        let q = index(id);
        if let Value::Set(set) = answers.values[q] {
            for (i, c) in book.questions[q].choices.iter().enumerate() {
                if set & (1 << i) == 0 && is_risk(id, &c.id) {
                    push(format!("{id} + {}", c.id), q, Value::Set(set | (1 << i)));
                }
            }
        }
    }
    for (id, order) in WORSE_ORDERS {
        let q = index(id);
        let choices = &book.questions[q].choices;
        if let Value::Choice(c) = answers.values[q]
            && let Some(r) = order.iter().position(|o| choices[usize::from(c)].id == *o)
            && let Some(next) = order.get(r + 1)
        {
            let i = choices.iter().position(|x| x.id == *next).expect("choice");
            push(format!("{id} -> {next}"), q, Value::Choice(i as u16));
        }
    }
    for id in WORSE_YES {
        push(format!("{id} -> yes"), index(id), Value::Bool(true));
    }
    for id in CLEARANCES {
        let q = index(id);
        if answers.values[q] == Value::Bool(true) {
            push(format!("{id} -> no"), q, Value::Bool(false));
        }
    }
    let pain = index("pain_intensity");
    if let Value::Number(n) = answers.values[pain]
        && n < 10.0
    {
        push("pain + 1".into(), pain, Value::Number(n + 1.0));
    }
    for id in ["injury_days_ago", "surgery_weeks_ago"] {
        let q = index(id);
        if let Value::Number(n) = answers.values[q]
            && n >= 1.0
        {
            push(format!("{id} - 1"), q, Value::Number(n - 1.0));
        }
    }
    out
}

#[test]
fn no_single_worsening_step_from_any_rule_lowers_the_tier() {
    // Exhaustive where random draws are thin: from the benign profile and from every
    // rule's witness, every single step that adds a risk.
    let e = engine();
    let mut starts = vec![("benign".to_string(), consistent(benign()))];
    for (i, rule) in e.book().rules.iter().enumerate() {
        starts.push((
            rule.id.clone(),
            consistent(starting_point(2 * i as u32 + 1)),
        ));
    }
    let mut checked = 0;
    for (start, answers) in &starts {
        let before = e.assess(answers, today());
        for (step, worse) in every_single_worsening(answers) {
            let after = e.assess(&worse, today());
            checked += 1;
            assert!(
                after.tier >= before.tier,
                "from {start}, {step}: {} -> {}",
                before.tier,
                after.tier
            );
            let (b, a) = (avoided(&before), avoided(&after));
            assert!(
                b.is_subset(&a),
                "from {start}, {step}: excluded {b:?}, then {a:?}"
            );
        }
    }
    assert!(checked > 5000, "only {checked} steps checked");
}

/// Every rule of the emergency tier, by index.
fn emergency_rules() -> Vec<usize> {
    let book = engine().book();
    (0..book.rules.len())
        .filter(|&i| book.rules[i].tier == Some(Tier::Emergency))
        .collect()
}

#[test]
fn the_generator_reaches_every_tier() {
    // Deterministic draws, so the mix is the same on every run.
    let mut counts = [0usize; 5];
    let draws = 4000u32;
    for i in 0..draws {
        let seed = i.wrapping_mul(2_654_435_761);
        let changes: Vec<u32> = (0..(i % 4))
            .map(|k| seed.rotate_left(5 * k + 3) ^ k)
            .collect();
        let a = engine().assess(&draw(seed, &changes), today());
        counts[a.tier as usize] += 1;
    }
    let share = |t: Tier| counts[t as usize] as f64 / f64::from(draws);
    let mix: Vec<String> = Tier::ALL
        .iter()
        .map(|&t| format!("{t} {:.0}%", share(t) * 100.0))
        .collect();
    println!("tier mix of {draws} draws: {}", mix.join(", "));
    for t in Tier::ALL {
        assert!(
            share(t) >= 0.03,
            "{t} is only {:.1}% of the draws ({})",
            share(t) * 100.0,
            mix.join(", ")
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn an_emergency_red_flag_always_yields_emergency(answers in answer_sets(), which in any::<usize>()) {
        let e = engine();
        let rules = emergency_rules();
        let rule = rules[which % rules.len()];
        // Whatever else is answered, except the explanations (a cold or flu explaining a
        // fever, ...), which lower some red flags by design; the scenario cases pin what
        // each does (flu with diabetes waits, a cold on steroids is a same-day check).
        let mut answers = without_explanations(answers);
        for (q, v) in e.witness(rule).expect("every emergency rule has a witness") {
            answers.values[q] = match (answers.values[q], v) {
                // Ticking the sign on top of what was ticked already.
                (Value::Set(have), Value::Set(add)) => Value::Set(have | add),
                (_, v) => v,
            };
        }
        let answers = consistent(answers);
        let a = e.assess(&answers, today());
        prop_assert_eq!(a.tier, Tier::Emergency, "{} did not win", e.book().rules[rule].id);
        prop_assert!(a.see.first().is_some_and(|s| s.when == Urgency::Now));
        prop_assert!(a.no_massage && a.techniques.is_empty() && a.wait.is_none());
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
        prop_assert!(!before.no_massage || after.no_massage);
    }

    #[test]
    fn an_unanswered_red_flag_is_never_suitable_and_is_named(
        answers in answer_sets(),
        which in 0usize..6,
        not_sure in any::<bool>(),
    ) {
        let flags = ["nerve_signs", "urgent_signs", "general_signs", "injury", "pain_location", "legs_new"];
        let mut answers = answers;
        let q = index(flags[which]);
        if flags[which] == "legs_new" {
            // A follow-up: only undecided where it applies.
            let loc = index("pain_location");
            answers.values[loc] = Value::Set(bit(loc, "both_legs"));
        }
        answers.values[q] = if not_sure { Value::Unknown } else { Value::Unanswered };
        let answers = consistent(answers);
        let a = engine().assess(&answers, today());
        prop_assert_ne!(a.tier, Tier::Suitable);
        if a.tier != Tier::Emergency {
            let named = a.to_check.iter().flat_map(|c| c.questions.iter()).any(|cq| cq.id == flags[which]);
            prop_assert!(named, "{} should be listed to check", flags[which]);
        }
    }

    #[test]
    fn questions_to_check_are_undecided_and_apply(answers in answer_sets()) {
        let e = engine();
        let a = e.assess(&answers, today());
        let applicable = e.applicable(&answers);
        for q in a.to_check.iter().flat_map(|c| c.questions.iter()) {
            let i = index(q.id);
            prop_assert!(answers.values[i].is_undecided(), "{} is answered but listed", q.id);
            prop_assert!(applicable[i], "{} does not apply but is listed", q.id);
        }
    }

    #[test]
    fn a_technique_to_avoid_never_appears_among_those_that_suit(answers in answer_sets()) {
        let a = engine().assess(&answers, today());
        let avoid = avoided(&a);
        for t in &a.techniques {
            prop_assert!(!avoid.contains(t.id), "{} is both avoided and ranked", t.id);
        }
        prop_assert!(a.show_techniques || a.techniques.is_empty());
    }

    #[test]
    fn a_rule_that_avoids_a_technique_keeps_it_out_of_every_list_and_format(answers in answer_sets()) {
        let e = engine();
        let book = e.book();
        let a = e.assess(&answers, today());
        let fired: Vec<&str> = a.trace.iter().filter(|t| t.result == Truth::True).map(|t| t.rule).collect();
        let ctx = Context { book, date: today(), width: 80, answers: Some(&answers), styled: true };
        let text = report::render(&a, &ctx, Format::Text);
        let markdown = report::render(&a, &ctx, Format::Markdown);
        let json: serde_json::Value = serde_json::from_str(&report::render(&a, &ctx, Format::Json)).expect("json");
        let listed: Vec<&str> = json["techniques"].as_array().expect("array").iter().filter_map(|t| t["id"].as_str()).collect();
        for rule in book.rules.iter().filter(|r| fired.contains(&r.id.as_str())) {
            let excluded: Vec<&massage_check::rulebook::Technique> = if rule.avoid.is_all() {
                book.techniques.iter().collect()
            } else {
                book.techniques.iter().filter(|t| rule.avoid.listed().contains(&t.id)).collect()
            };
            for t in excluded {
                prop_assert!(!listed.contains(&t.id.as_str()), "{} lists {} in JSON", rule.id, t.id);
                // Ranked lines in the text and Markdown reports name the technique with
                // its score; an avoided one may appear only under "Avoid".
                let ranked_text = text.lines().any(|l| l.contains("/100") && l.contains(t.name.as_str()));
                prop_assert!(!ranked_text, "{} ranks {} in the text report", rule.id, t.id);
                let suits_line = markdown.lines().find(|l| l.contains("Techniques that suit"));
                prop_assert!(!suits_line.is_some_and(|l| l.contains(t.name.as_str())), "{} lists {} in Markdown", rule.id, t.id);
            }
        }
    }

    #[test]
    fn every_report_short_of_an_emergency_carries_the_safety_net_and_stay_active(answers in answer_sets()) {
        let e = engine();
        let book = e.book();
        let a = e.assess(&answers, today());
        prop_assume!(a.tier != Tier::Emergency);
        for line in &book.meta.safety_net {
            let shown = a.safety_net.contains(&line.text.as_str());
            if line.unless.is_some() {
                // Left out only when the verdict already deals with what it names
                // (tests/reports.rs checks each such line).
                continue;
            }
            if line.about_massage {
                prop_assert_eq!(shown, !a.no_massage, "{:?} with no_massage {}", line.text, a.no_massage);
            } else {
                prop_assert!(shown, "missing safety net line {:?}", line.text);
            }
        }
        let stay_active = a.care.iter().any(|c| c.id == "exercise");
        if !stay_active {
            // Only a rule that fired may withhold it, and it must say so in the rulebook.
            let fired: Vec<&str> = a.trace.iter().filter(|t| t.result == Truth::True).map(|t| t.rule).collect();
            let withheld = book.rules.iter().filter(|r| fired.contains(&r.id.as_str())).any(|r| {
                r.avoid_care.is_all() || r.avoid_care.listed().iter().any(|c| c == "exercise")
            });
            prop_assert!(withheld, "stay-active advice missing at {} with no rule withholding it", a.tier);
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
        let ctx = Context { book, date: today(), width: 80, answers: None, styled: true };
        for format in [Format::Json, Format::Text, Format::Markdown] {
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
        let ctx = Context { book, date: today(), width: 80, answers: None, styled: true };
        let full = engine().check_and_assess_with(&answers, today(), Detail::Full).expect("consistent");
        let brief = engine().check_and_assess_with(&answers, today(), Detail::Brief).expect("consistent");
        // What every brief batch format shows, from each.
        let lines = |a: &Assessment<'_>| {
            let record = BatchRecord { number: 1, unit: "line", item: BatchItem::Assessed(a) };
            let mut out = Vec::new();
            JsonLines { full: false }.item(&record, &ctx, &mut out);
            CsvRows.item(&record, &ctx, &mut out);
            String::from_utf8(out).expect("UTF-8")
        };
        prop_assert_eq!(lines(&full), lines(&brief));
        prop_assert_eq!(full.tier, brief.tier);
        prop_assert_eq!(full.confirmed_tier, brief.confirmed_tier);
        prop_assert_eq!(avoided(&full), avoided(&brief));
        let ranked = |a: &Assessment<'_>| -> Vec<(String, u8)> {
            a.techniques.iter().map(|t| (t.id.to_string(), t.score)).collect()
        };
        prop_assert_eq!(ranked(&full), ranked(&brief));
    }

    #[test]
    fn check_and_batch_share_one_assessment(answers in answer_sets()) {
        let book = engine().book();
        let a = engine().assess(&answers, today());
        let checked = engine().check_and_assess(&answers, today()).expect("consistent answers");
        let ctx = Context { book, date: today(), width: 80, answers: None, styled: true };
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
            "saddle_numbness",
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
                    "nerve_signs",
                    "injury",
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
    run_batch_on(input, format, 1)
}

fn run_batch_on(input: &[u8], format: massage_check::batch::InputFormat, threads: usize) -> String {
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
            styled: true,
        },
        fail_on: None,
        on_progress: None,
        threads,
        id_column: None,
        column_map: None,
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
        let _ = answers::parse_json_record(book, &text, &mut answers::KeyOrder::new(book));
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

#[path = "common/record_count.rs"]
mod record_count;

/// Inputs built from the pieces that decide where records end: quotes, separators, line
/// ends of every kind, document markers, comments, directives and answers.
fn record_soup() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        "\"",
        ",",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "---",
        "...",
        "--- ",
        "#",
        "%YAML 1.2",
        " ",
        "age",
        "40",
        "id",
        "p1",
        "age: 40",
        "{\"age\": 40}",
        "a",
        "\u{a0}",
        "\u{feff}",
        "<not utf-8>",
    ]);
    prop::collection::vec(piece, 0..40).prop_map(|pieces| {
        pieces
            .iter()
            .flat_map(|p| {
                if *p == "<not utf-8>" {
                    vec![0xff]
                } else {
                    p.as_bytes().to_vec()
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every record in gives one result out, counted independently of the tool's readers
    /// (`common/record_count.rs`), in every input format.
    #[test]
    fn results_match_an_independent_count_of_records(input in record_soup()) {
        use massage_check::batch::InputFormat;
        for (format, name) in [(InputFormat::Jsonl, "jsonl"), (InputFormat::Csv, "csv"), (InputFormat::Tsv, "tsv"), (InputFormat::Yaml, "yaml")] {
            let out = run_batch(&input, format);
            // Several assessing threads write the same bytes, however records split.
            prop_assert_eq!(&run_batch_on(&input, format, 3), &out, "{} on three threads", name);
            let results = out.lines().count() as u64;
            let (least, most) = record_count::expected_records(&input, name);
            prop_assert!(
                (least..=most).contains(&results),
                "{}: {} results, expected {}..={} for {:?}",
                name, results, least, most, String::from_utf8_lossy(&input)
            );
        }
    }
}

/// Inputs the csv fuzz target found where the tool and the independent count disagreed
/// (the count had assumed a reader never joins lines the csv crate reads apart; after a
/// failed join, a quote that opens again may join lines anew). Each keeps every record.
#[test]
fn csv_fuzz_findings_keep_every_record() {
    use massage_check::batch::InputFormat;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_findings");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("findings") {
        let path = entry.expect("entry").path();
        let input = std::fs::read(&path).expect("read");
        let results = run_batch(&input, InputFormat::Csv).lines().count() as u64;
        let (least, most) = record_count::expected_records(&input, "csv");
        assert!(
            (least..=most).contains(&results),
            "{}: {results} results, expected {least}..={most}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 3);
}
