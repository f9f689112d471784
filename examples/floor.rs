//! The benchmark floor: the least a batch tool must do per JSON Lines record. It parses
//! each line with serde_json into a struct and writes a small JSON line back; no rules.
//!
//! Usage: target/release/examples/floor < profiles.jsonl > /dev/null

use std::io::{BufRead, BufWriter, Write};

use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[allow(dead_code)]
struct Profile {
    id: Option<String>,
    age: Option<f64>,
    pain_intensity: Option<serde_json::Value>,
    pain_duration: Option<String>,
    pain_location: Option<Vec<String>>,
    pain_character: Option<Vec<String>>,
    sudden_worsening: Option<serde_json::Value>,
    saddle_numbness: Option<serde_json::Value>,
    bladder_bowel_changes: Option<serde_json::Value>,
    leg_weakness: Option<serde_json::Value>,
    significant_trauma: Option<serde_json::Value>,
    fever_unwell: Option<serde_json::Value>,
    steroids_or_immunosuppression: Option<serde_json::Value>,
    cancer_history: Option<serde_json::Value>,
    weight_loss: Option<serde_json::Value>,
    night_pain: Option<serde_json::Value>,
    clot_history: Option<serde_json::Value>,
    diagnoses: Option<Vec<String>>,
    recent_injury: Option<bool>,
    injury_days_ago: Option<f64>,
    injury_signs: Option<Vec<String>>,
    recent_surgery: Option<String>,
    surgery_weeks_ago: Option<f64>,
    allergies: Option<Vec<String>>,
    blood_thinners: Option<serde_json::Value>,
    pain_relievers: Option<serde_json::Value>,
    pregnant: Option<bool>,
    pregnancy_high_risk: Option<bool>,
    cleared_by_clinician: Option<bool>,
    massage_worsened_before: Option<serde_json::Value>,
    goal: Option<String>,
    pressure_preference: Option<String>,
    session_frequency: Option<String>,
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
