//! The interview: a plain state machine over the rulebook's questions (order, `ask_if`
//! skip logic, validation, early stop on an emergency), driven through the small
//! [`Prompter`] trait. The terminal adapter ([`terminal`]) is one implementation; tests
//! script another.

pub mod terminal;

use crate::answers::{self, Answers, Value};
use crate::date::Date;
use crate::engine::Engine;
use crate::rulebook::{Question, Tier};

/// How far along the interview is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// 1-based number of the question being asked.
    pub number: usize,
    /// The likely total: answered so far plus every remaining question that may apply.
    pub about: usize,
}

/// Why an interview ended without a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    #[error("interrupted")]
    Interrupted,
    #[error("the input ended before the interview finished")]
    EndOfInput,
    #[error("cannot prompt: {0}")]
    Terminal(String),
}

/// Asks one question and returns a valid answer. `check` turns what the person typed or
/// chose into an answer, or says why it is refused; the prompter shows the reason and
/// asks again.
pub trait Prompter {
    fn ask(
        &mut self,
        question: &Question,
        progress: Progress,
        check: &dyn Fn(&str) -> Result<Value, String>,
    ) -> Result<Value, Stop>;
}

/// Where the interview is: which questions are answered, what comes next.
pub struct Interview<'e> {
    engine: &'e Engine,
    answers: Answers,
    /// Questions already asked (answered), in order.
    asked: usize,
    next: usize,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
            asked: 0,
            next: 0,
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
        let Some(question) = (self.next..applicable.len()).find(|&i| applicable[i]) else {
            return Step::Done;
        };
        self.next = question;
        let remaining = (question..applicable.len())
            .filter(|&i| applicable[i])
            .count();
        Step::Ask {
            question,
            progress: Progress {
                number: self.asked + 1,
                about: self.asked + remaining,
            },
        }
    }

    /// Checks what was typed for a question, without recording it.
    pub fn check(&self, question: usize, text: &str) -> Result<Value, String> {
        let q = &self.engine.book().questions[question];
        match answers::interpret_text(q, text)? {
            Value::Unanswered => Err(format!("please answer: {}", answers::allowed(q))),
            value => Ok(value),
        }
    }

    /// Records the answer to the question `step` asked, and moves on.
    pub fn answer(&mut self, question: usize, value: Value) {
        if let Some(slot) = self.answers.values.get_mut(question) {
            *slot = value;
            self.asked += 1;
            self.next = question + 1;
        }
    }

    fn emergency_confirmed(&self, today: Date) -> bool {
        // Only a rule that fired counts; an unanswered later question must not stop the
        // interview early.
        self.engine
            .assess(&self.answers, today)
            .reasons
            .iter()
            .any(|r| r.tier == Tier::Emergency)
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
                let value = prompter.ask(q, progress, &check)?;
                interview.answer(question, value);
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
        replies: std::collections::HashMap<&'static str, VecDeque<&'static str>>,
        asked: Vec<String>,
        refused: Vec<(String, String)>,
        progress: Vec<Progress>,
    }

    impl Scripted {
        fn new(script: &[(&'static str, &[&'static str])]) -> Scripted {
            Scripted {
                replies: script
                    .iter()
                    .map(|(id, r)| (*id, r.iter().copied().collect()))
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
        ) -> Result<Value, Stop> {
            self.asked.push(q.id.clone());
            self.progress.push(progress);
            let queue = self
                .replies
                .get_mut(q.id.as_str())
                .ok_or(Stop::EndOfInput)?;
            while let Some(reply) = queue.pop_front() {
                match check(reply) {
                    Ok(v) => return Ok(v),
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

    const BENIGN: &[(&str, &[&str])] = &[
        ("age", &["40"]),
        ("pain_intensity", &["3"]),
        ("pain_duration", &["over_12_weeks"]),
        ("pain_location", &["lower_back"]),
        ("pain_character", &["dull_ache"]),
        ("sudden_worsening", &["no"]),
        ("saddle_numbness", &["no"]),
        ("bladder_bowel_changes", &["no"]),
        ("leg_weakness", &["no"]),
        ("significant_trauma", &["no"]),
        ("fever_unwell", &["no"]),
        ("steroids_or_immunosuppression", &["no"]),
        ("cancer_history", &["no"]),
        ("weight_loss", &["no"]),
        ("night_pain", &["no"]),
        ("clot_history", &["no"]),
        ("diagnoses", &["[]"]),
        ("recent_injury", &["no"]),
        ("recent_surgery", &["none"]),
        ("allergies", &["[]"]),
        ("blood_thinners", &["no"]),
        ("pain_relievers", &["no"]),
        ("pregnant", &["no"]),
        ("massage_worsened_before", &["no"]),
        ("goal", &["relaxation"]),
        ("pressure_preference", &["light"]),
        ("session_frequency", &["monthly"]),
    ];

    fn with(
        overrides: &[(&'static str, &'static [&'static str])],
    ) -> Vec<(&'static str, &'static [&'static str])> {
        let mut script: Vec<_> = BENIGN.to_vec();
        for (id, r) in overrides {
            match script.iter_mut().find(|(k, _)| k == id) {
                Some(entry) => entry.1 = r,
                None => script.push((id, r)),
            }
        }
        script
    }

    #[test]
    fn a_benign_interview_skips_questions_that_do_not_apply() {
        let e = engine();
        let mut p = Scripted::new(BENIGN);
        let (answers, emergency) = run(&e, &mut p, today()).expect("completes");
        assert!(!emergency);
        for skipped in [
            "injury_days_ago",
            "injury_signs",
            "surgery_weeks_ago",
            "pregnancy_high_risk",
            "cleared_by_clinician",
        ] {
            assert!(
                !p.asked.iter().any(|a| a == skipped),
                "{skipped} should be skipped"
            );
        }
        assert_eq!(p.asked.len(), BENIGN.len());
        assert_eq!(e.assess(&answers, today()).tier, Tier::Suitable);
    }

    #[test]
    fn follow_up_questions_are_asked_when_they_apply() {
        let e = engine();
        let script = with(&[
            ("recent_injury", &["yes"]),
            ("injury_days_ago", &["1"]),
            ("injury_signs", &["swollen"]),
        ]);
        let mut p = Scripted::new(&script);
        let (answers, _) = run(&e, &mut p, today()).expect("completes");
        let pos = |id: &str| p.asked.iter().position(|a| a == id);
        assert!(pos("injury_days_ago") > pos("recent_injury"));
        assert!(pos("injury_signs").is_some());
        assert_eq!(e.assess(&answers, today()).tier, Tier::Wait);
    }

    #[test]
    fn an_emergency_answer_stops_the_interview_at_once() {
        let e = engine();
        let script = with(&[("saddle_numbness", &["yes"])]);
        let mut p = Scripted::new(&script);
        let (answers, emergency) = run(&e, &mut p, today()).expect("stops");
        assert!(emergency);
        assert_eq!(p.asked.last().map(String::as_str), Some("saddle_numbness"));
        assert!(
            !p.asked.iter().any(|a| a == "goal"),
            "nothing is asked after an emergency"
        );
        assert_eq!(e.assess(&answers, today()).tier, Tier::Emergency);
    }

    #[test]
    fn not_sure_does_not_stop_the_interview_but_is_never_suitable() {
        let e = engine();
        let script = with(&[("saddle_numbness", &["not sure"])]);
        let mut p = Scripted::new(&script);
        let (answers, emergency) = run(&e, &mut p, today()).expect("completes");
        assert!(!emergency);
        assert_eq!(
            answers.get(e.book().question_index("saddle_numbness").expect("q")),
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
        assert!(reasons[3].contains("please answer"), "{reasons:#?}");
        assert!(
            reasons[4].contains("\"unknown\" is not accepted here"),
            "{reasons:#?}"
        );
    }

    #[test]
    fn progress_counts_up_and_estimates_the_total() {
        let e = engine();
        let mut p = Scripted::new(BENIGN);
        run(&e, &mut p, today()).expect("completes");
        let numbers: Vec<usize> = p.progress.iter().map(|pr| pr.number).collect();
        assert_eq!(numbers, (1..=BENIGN.len()).collect::<Vec<_>>());
        let last = p.progress.last().expect("asked");
        assert_eq!(
            last.about,
            BENIGN.len(),
            "the estimate settles on the real count"
        );
        assert!(
            p.progress[0].about >= BENIGN.len(),
            "the first estimate is not too low"
        );
    }

    #[test]
    fn end_of_input_stops_without_answers() {
        let e = engine();
        let mut p = Scripted::new(&[("age", &["40"])]);
        assert_eq!(run(&e, &mut p, today()).map(|_| ()), Err(Stop::EndOfInput));
    }
}
