//! The interview: a plain state machine over the rulebook's questions (order, `ask_if`
//! skip logic, validation, going back, early stop on an emergency), driven through the
//! small [`Prompter`] trait. The terminal adapter ([`terminal`]) is one implementation;
//! tests script another.

pub mod terminal;
pub mod widgets;

use crate::answers::{self, Answers, Value};
use crate::date::Date;
use crate::engine::{Detail, Engine};
use crate::rulebook::{Question, Tier};

/// How far along the interview is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// 1-based number of the question being asked.
    pub number: usize,
    /// The likely total: questions answered, this one, and every later question that
    /// will be asked given the answers so far. A follow-up counts once it applies, so
    /// the first estimate is the real count for a person who reports nothing.
    pub about: usize,
    /// The answer given before the person went back to this question, to show again.
    pub previous: Option<Value>,
}

/// Why an interview ended without a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    #[error("interrupted")]
    Interrupted,
    /// The person chose to stop (Esc, then confirmed).
    #[error("stopped at your request")]
    Quit,
    #[error("the input ended before the interview finished")]
    EndOfInput,
    #[error("cannot prompt: {0}")]
    Terminal(String),
}

/// What the person did at a prompt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reply {
    Answer(Value),
    /// Go back to the previous question.
    Back,
}

/// Asks one question and returns a valid answer (or a request to go back). `check`
/// turns what the person typed or chose into an answer, or says why it is refused; the
/// prompter shows the reason and asks again.
pub trait Prompter {
    fn ask(
        &mut self,
        question: &Question,
        progress: Progress,
        check: &dyn Fn(&str) -> Result<Value, String>,
    ) -> Result<Reply, Stop>;
}

/// Where the interview is: which questions are answered, what comes next.
pub struct Interview<'e> {
    engine: &'e Engine,
    answers: Answers,
    /// Questions answered, in the order they were asked.
    history: Vec<usize>,
    /// The answer taken back by going back, shown when its question is asked again.
    recalled: Option<(usize, Value)>,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    Ask {
        question: usize,
        progress: Progress,
    },
    /// An answer confirmed an emergency: stop asking and show the advice now.
    Emergency,
    Done,
}

impl<'e> Interview<'e> {
    pub fn new(engine: &'e Engine) -> Interview<'e> {
        Interview {
            engine,
            answers: Answers::empty(engine.book()),
            history: Vec::new(),
            recalled: None,
        }
    }

    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    pub fn into_answers(self) -> Answers {
        self.answers
    }

    /// The next question that applies given the answers so far, or the end.
    pub fn step(&mut self, today: Date) -> Step {
        if self.emergency_confirmed(today) {
            return Step::Emergency;
        }
        let applicable = self.engine.applicable(&self.answers);
        let from = self.history.last().map_or(0, |&q| q + 1);
        let Some(question) = (from..applicable.len()).find(|&i| applicable[i]) else {
            return Step::Done;
        };
        let later = (question + 1..applicable.len())
            .filter(|&i| self.engine.will_ask(&self.answers, i))
            .count();
        Step::Ask {
            question,
            progress: Progress {
                number: self.history.len() + 1,
                about: self.history.len() + 1 + later,
                previous: self
                    .recalled
                    .filter(|(q, _)| *q == question)
                    .map(|(_, v)| v),
            },
        }
    }

    /// Checks what was typed for a question, without recording it.
    pub fn check(&self, question: usize, text: &str) -> Result<Value, String> {
        let q = &self.engine.book().questions[question];
        match answers::interpret_text(q, text)? {
            Value::Unanswered => Err(format!("Please answer: {}.", answers::allowed(q))),
            value => Ok(value),
        }
    }

    /// Records the answer to the question `step` asked, and moves on.
    pub fn answer(&mut self, question: usize, value: Value) {
        if let Some(slot) = self.answers.values.get_mut(question) {
            *slot = value;
            self.history.push(question);
            self.recalled = None;
        }
    }

    /// Goes back to the previous question: its answer is cleared and it is asked again.
    /// At the first question there is nowhere to go, and nothing changes.
    pub fn back(&mut self) {
        if let Some(q) = self.history.pop()
            && let Some(slot) = self.answers.values.get_mut(q)
        {
            self.recalled = Some((q, *slot));
            *slot = Value::Unanswered;
        }
    }

    fn emergency_confirmed(&self, today: Date) -> bool {
        // Only a rule that fired counts (not a precaution for a question still to come),
        // and it is read from the decision, not from the words that explain it.
        let (_, assessment) = self
            .engine
            .assess_detail(&self.answers, today, Detail::Brief);
        assessment.confirmed_tier == Tier::Emergency
    }
}

/// Runs a whole interview through `prompter`. Returns the answers, and whether it stopped
/// early on an emergency.
pub fn run(
    engine: &Engine,
    prompter: &mut dyn Prompter,
    today: Date,
) -> Result<(Answers, bool), Stop> {
    let mut interview = Interview::new(engine);
    loop {
        match interview.step(today) {
            Step::Done => return Ok((interview.into_answers(), false)),
            Step::Emergency => return Ok((interview.into_answers(), true)),
            Step::Ask { question, progress } => {
                let q = &engine.book().questions[question];
                let check = |text: &str| interview.check(question, text);
                match prompter.ask(q, progress, &check)? {
                    Reply::Answer(value) => interview.answer(question, value),
                    Reply::Back => interview.back(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;
    use crate::rulebook::Rulebook;

    /// Answers from a script keyed by question id; records what was asked and refused.
    struct Scripted {
        replies: std::collections::HashMap<String, VecDeque<String>>,
        asked: Vec<String>,
        refused: Vec<(String, String)>,
        progress: Vec<Progress>,
    }

    impl Scripted {
        fn new(script: &[(String, Vec<String>)]) -> Scripted {
            Scripted {
                replies: script
                    .iter()
                    .map(|(id, r)| (id.clone(), r.iter().cloned().collect()))
                    .collect(),
                asked: Vec::new(),
                refused: Vec::new(),
                progress: Vec::new(),
            }
        }
    }

    impl Prompter for Scripted {
        fn ask(
            &mut self,
            q: &Question,
            progress: Progress,
            check: &dyn Fn(&str) -> Result<Value, String>,
        ) -> Result<Reply, Stop> {
            self.asked.push(q.id.clone());
            self.progress.push(progress);
            let queue = self
                .replies
                .get_mut(q.id.as_str())
                .ok_or(Stop::EndOfInput)?;
            while let Some(reply) = queue.pop_front() {
                if reply == "<back>" {
                    return Ok(Reply::Back);
                }
                match check(&reply) {
                    Ok(v) => return Ok(Reply::Answer(v)),
                    Err(why) => self.refused.push((q.id.clone(), why)),
                }
            }
            Err(Stop::EndOfInput)
        }
    }

    fn engine() -> Engine {
        Engine::new(Rulebook::builtin().expect("builtin")).expect("compiles")
    }

    fn today() -> Date {
        Date::from_ymd(2026, 11, 21).expect("date")
    }

    /// The built-in benign profile as typed replies, one per question.
    fn benign() -> Vec<(String, Vec<String>)> {
        crate::cases::benign_profile()
            .into_iter()
            .map(|(id, v)| {
                let reply = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Array(items) if items.is_empty() => "[]".into(),
                    serde_json::Value::Array(items) => items
                        .iter()
                        .filter_map(|i| i.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                    other => other.to_string(),
                };
                (id, vec![reply])
            })
            .collect()
    }

    fn with(overrides: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        let mut script = benign();
        for (id, r) in overrides {
            let replies: Vec<String> = r.iter().map(|s| s.to_string()).collect();
            match script.iter_mut().find(|(k, _)| k == id) {
                Some(entry) => entry.1 = replies,
                None => script.push((id.to_string(), replies)),
            }
        }
        script
    }

    #[test]
    fn a_benign_interview_skips_questions_that_do_not_apply() {
        let e = engine();
        let script = benign();
        let mut p = Scripted::new(&script);
        let (answers, emergency) = run(&e, &mut p, today()).expect("completes");
        assert!(!emergency);
        for skipped in [
            "legs_new",
            "fever_travel",
            "injury_days_ago",
            "injury_checked",
            "injury_signs",
            "spa_features",
            "cancer_cleared",
            "surgery_weeks_ago",
            "pregnancy_signs",
        ] {
            assert!(
                !p.asked.iter().any(|a| a == skipped),
                "{skipped} should be skipped"
            );
        }
        assert_eq!(p.asked.len(), script.len());
        assert_eq!(e.assess(&answers, today()).tier, Tier::Suitable);
    }

    #[test]
    fn the_benign_path_fits_the_prompt_budget() {
        let e = engine();
        let mut p = Scripted::new(&benign());
        run(&e, &mut p, today()).expect("completes");
        assert!(
            p.asked.len() <= 20,
            "{} prompts on the benign path: {:?}",
            p.asked.len(),
            p.asked
        );
        // Every cauda equina sign is still asked about explicitly.
        assert!(p.asked.iter().any(|a| a == "nerve_signs"));
    }

    #[test]
    fn follow_up_questions_are_asked_when_they_apply() {
        let e = engine();
        let script = with(&[
            ("injury", &["minor"]),
            ("injury_days_ago", &["1"]),
            ("injury_checked", &["not_checked"]),
            ("injury_signs", &["swollen"]),
        ]);
        let mut p = Scripted::new(&script);
        let (answers, _) = run(&e, &mut p, today()).expect("completes");
        let pos = |id: &str| p.asked.iter().position(|a| a == id);
        assert!(pos("injury_days_ago") > pos("injury"));
        assert!(pos("injury_signs").is_some());
        assert_eq!(e.assess(&answers, today()).tier, Tier::Wait);
    }

    #[test]
    fn an_emergency_answer_stops_the_interview_at_once() {
        let e = engine();
        let script = with(&[("nerve_signs", &["saddle_numbness"])]);
        let mut p = Scripted::new(&script);
        let (answers, emergency) = run(&e, &mut p, today()).expect("stops");
        assert!(emergency);
        assert_eq!(p.asked.last().map(String::as_str), Some("nerve_signs"));
        assert!(
            !p.asked.iter().any(|a| a == "goal"),
            "nothing is asked after an emergency"
        );
        assert_eq!(e.assess(&answers, today()).tier, Tier::Emergency);
    }

    #[test]
    fn not_sure_does_not_stop_the_interview_but_is_never_suitable() {
        let e = engine();
        let script = with(&[("nerve_signs", &["not sure"])]);
        let mut p = Scripted::new(&script);
        let (answers, emergency) = run(&e, &mut p, today()).expect("completes");
        assert!(!emergency);
        assert_eq!(
            answers.get(e.book().question_index("nerve_signs").expect("q")),
            Value::Unknown
        );
        assert_ne!(e.assess(&answers, today()).tier, Tier::Suitable);
    }

    #[test]
    fn invalid_entries_are_refused_with_the_reason_and_asked_again() {
        let e = engine();
        let script = with(&[
            ("age", &["forty", "-3", "40"]),
            ("pain_intensity", &["11", "", "5"]),
            ("goal", &["unknown", "relaxation"]),
        ]);
        let mut p = Scripted::new(&script);
        run(&e, &mut p, today()).expect("completes");
        let reasons: Vec<String> = p
            .refused
            .iter()
            .map(|(q, why)| format!("{q}: {why}"))
            .collect();
        assert_eq!(p.refused.len(), 5, "{reasons:#?}");
        assert!(
            reasons[0].starts_with("age: expected a whole number of years"),
            "{reasons:#?}"
        );
        assert!(reasons[1].contains("-3 is out of range"), "{reasons:#?}");
        assert!(reasons[2].contains("11 is out of range"), "{reasons:#?}");
        assert!(reasons[3].contains("Please answer"), "{reasons:#?}");
        assert!(
            reasons[4].contains("\"unknown\" is not accepted here"),
            "{reasons:#?}"
        );
    }

    #[test]
    fn progress_counts_up_and_estimates_the_total() {
        let e = engine();
        let script = benign();
        let mut p = Scripted::new(&script);
        run(&e, &mut p, today()).expect("completes");
        let numbers: Vec<usize> = p.progress.iter().map(|pr| pr.number).collect();
        assert_eq!(numbers, (1..=script.len()).collect::<Vec<_>>());
        let last = p.progress.last().expect("asked");
        assert_eq!(
            last.about,
            script.len(),
            "the estimate settles on the real count"
        );
    }

    #[test]
    fn going_back_clears_the_answer_and_asks_again() {
        let e = engine();
        // At question 3, go back to question 2 and change the pain from 3 to 9.
        let script = with(&[
            ("pain_intensity", &["3", "9"]),
            ("pain_duration", &["<back>", "weeks_6_to_12"]),
        ]);
        let mut p = Scripted::new(&script);
        let (answers, _) = run(&e, &mut p, today()).expect("completes");
        let order: Vec<&str> = p.asked.iter().take(5).map(String::as_str).collect();
        assert_eq!(
            order,
            [
                "age",
                "pain_intensity",
                "pain_duration",
                "pain_intensity",
                "pain_duration"
            ]
        );
        let pain = e.book().question_index("pain_intensity").expect("q");
        assert_eq!(answers.get(pain), Value::Number(9.0));
        assert_eq!(e.assess(&answers, today()).tier, Tier::SeeClinician);
        // Progress counts the answers actually kept.
        assert_eq!(p.progress[3].number, 2);
        // Going back shows the earlier answer; a question asked afresh shows none.
        assert_eq!(p.progress[3].previous, Some(Value::Number(3.0)));
        assert_eq!(p.progress[2].previous, None);
        assert_eq!(p.progress[4].previous, None);
    }

    #[test]
    fn going_back_from_the_first_question_stays_there() {
        let e = engine();
        let script = with(&[("age", &["<back>", "40"])]);
        let mut p = Scripted::new(&script);
        run(&e, &mut p, today()).expect("completes");
        assert_eq!(p.asked[..2], ["age".to_string(), "age".to_string()]);
    }

    #[test]
    fn the_first_estimate_is_the_real_count_for_a_benign_person() {
        let e = engine();
        let script = benign();
        let mut p = Scripted::new(&script);
        run(&e, &mut p, today()).expect("completes");
        assert!(
            p.progress.iter().all(|pr| pr.about == script.len()),
            "{:?}",
            p.progress
        );
    }

    #[test]
    fn the_early_emergency_path_is_short() {
        let e = engine();
        let script = with(&[("nerve_signs", &["saddle_numbness"])]);
        let mut p = Scripted::new(&script);
        let (_, emergency) = run(&e, &mut p, today()).expect("stops");
        assert!(emergency);
        let at = e.book().question_index("nerve_signs").expect("q");
        assert!(
            p.asked.len() <= 12,
            "{} prompts: {:?}",
            p.asked.len(),
            p.asked
        );
        assert_eq!(
            p.asked.len(),
            e.book().questions[..=at]
                .iter()
                .filter(|q| q.ask_if.is_none())
                .count()
        );
    }

    #[test]
    fn every_emergency_rule_stops_the_interview_once_its_answers_are_given() {
        let e = engine();
        let book = e.book();
        for (i, rule) in book.rules.iter().enumerate() {
            if rule.tier != Some(Tier::Emergency) {
                continue;
            }
            let witness = e.witness(i).expect("a witness");
            // The benign replies, with the witness's answers instead.
            let mut script = benign();
            for (q, v) in &witness {
                let id = book.questions[*q].id.clone();
                let reply = answers::display_value(&book.questions[*q], *v)
                    .expect("a value")
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .replace(", ", ";");
                match script.iter_mut().find(|(k, _)| *k == id) {
                    Some(entry) => entry.1 = vec![reply],
                    None => script.push((id, vec![reply])),
                }
            }
            // A follow-up the witness opens (a fever's travel question) gets "not sure".
            for q in &book.questions {
                if q.allow_unknown && !script.iter().any(|(k, _)| *k == q.id) {
                    script.push((q.id.clone(), vec!["unknown".into()]));
                }
            }
            let mut p = Scripted::new(&script);
            let (answers, emergency) = run(&e, &mut p, today()).expect("runs");
            assert!(emergency, "{} did not stop the interview", rule.id);
            let last = book
                .question_index(p.asked.last().expect("asked"))
                .expect("q");
            assert!(
                witness.iter().any(|(q, _)| *q == last),
                "{}: stopped at {} rather than at its own answer",
                rule.id,
                book.questions[last].id
            );
            assert_eq!(e.assess(&answers, today()).tier, Tier::Emergency);
        }
    }

    #[test]
    fn end_of_input_stops_without_answers() {
        let e = engine();
        let mut p = Scripted::new(&[("age".to_string(), vec!["40".to_string()])]);
        assert_eq!(run(&e, &mut p, today()).map(|_| ()), Err(Stop::EndOfInput));
    }
}
