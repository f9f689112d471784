//! The typed benchmark floor: the least a batch tool must do per JSON Lines record. It
//! parses each line with serde_json into a struct with one field per question of the
//! built-in rulebook and writes a small JSON line back; no rules. `tests/bench_floor.rs`
//! fails when these fields and `rules/questions.yaml` disagree, so the floor keeps
//! reading every key of today's profiles. `floor_value.rs` is the schema-agnostic floor.
//!
//! Usage: target/release/examples/floor < profiles.jsonl > /dev/null

use std::io::{BufRead, BufWriter, Write};

use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Profile {
    id: Option<String>,
    age: Option<Answer>,
    pain_intensity: Option<Answer>,
    pain_duration: Option<Answer>,
    pain_history: Option<Answer>,
    pain_change: Option<Answer>,
    assessed: Option<Answer>,
    pain_location: Option<Answer>,
    legs_new: Option<Answer>,
    pain_character: Option<Answer>,
    nerve_signs: Option<Answer>,
    urgent_signs: Option<Answer>,
    general_signs: Option<Answer>,
    fever_travel: Option<Answer>,
    injury: Option<Answer>,
    injury_days_ago: Option<Answer>,
    injury_checked: Option<Answer>,
    injury_signs: Option<Answer>,
    diagnoses: Option<Answer>,
    spa_features: Option<Answer>,
    health: Option<Answer>,
    cancer_cleared: Option<Answer>,
    clot_cleared: Option<Answer>,
    surgery_weeks_ago: Option<Answer>,
    surgery_cleared: Option<Answer>,
    heart_cleared: Option<Answer>,
    pregnancy_weeks: Option<Answer>,
    pregnancy_signs: Option<Answer>,
    pregnancy_cleared: Option<Answer>,
    birth_weeks_ago: Option<Answer>,
    caesarean: Option<Answer>,
    medicines: Option<Answer>,
    skin: Option<Answer>,
    reactions: Option<Answer>,
    goal: Option<Answer>,
    pressure_preference: Option<Answer>,
    session_frequency: Option<Answer>,
}

/// Any answer a question takes: a number, yes or no, a word (a choice id or "unknown"),
/// or a list of choice ids. Read without buffering, as a typed field would be.
#[allow(dead_code)]
enum Answer {
    Number(f64),
    Bool(bool),
    Word(String),
    List(Vec<String>),
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Answer, D::Error> {
        struct AnswerVisitor;
        impl<'de> serde::de::Visitor<'de> for AnswerVisitor {
            type Value = Answer;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an answer")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Answer, E> {
                Ok(Answer::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Answer, E> {
                Ok(Answer::Number(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Answer, E> {
                Ok(Answer::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Answer, E> {
                Ok(Answer::Number(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Answer, E> {
                Ok(Answer::Word(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Answer, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    items.push(item);
                }
                Ok(Answer::List(items))
            }
        }
        d.deserialize_any(AnswerVisitor)
    }
}

#[derive(Serialize)]
struct Out<'a> {
    record: u64,
    id: Option<&'a str>,
    ok: bool,
}

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = String::new();
    let mut record = 0u64;
    while input.read_line(&mut line)? > 0 {
        record += 1;
        let parsed: Result<Profile, _> = serde_json::from_str(&line);
        let (id, ok) = match &parsed {
            Ok(p) => (p.id.as_deref(), true),
            Err(_) => (None, false),
        };
        serde_json::to_writer(&mut out, &Out { record, id, ok })?;
        out.write_all(b"\n")?;
        line.clear();
    }
    out.flush()
}
