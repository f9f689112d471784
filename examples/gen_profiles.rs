//! Generates realistic answer profiles as JSON Lines for batch benchmarks and tests:
//! mostly benign, a few percent with red flags or contraindications, every question type,
//! some "unknown" answers, about 1% invalid records. Deterministic for a given count and seed.
//!
//! Usage: cargo run --release --example gen_profiles -- COUNT [SEED] > profiles.jsonl

use std::io::{BufWriter, Write};

/// xorshift64*: small, fast and reproducible; quality is ample for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `per_mille`/1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    /// An index drawn with the given relative weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let mut roll = self.below(weights.iter().sum());
        for (i, w) in weights.iter().enumerate() {
            if roll < *w {
                return i;
            }
            roll -= w;
        }
        weights.len() - 1
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let mut rng = Rng(seed.max(1));
    let book = massage_check::rulebook::Rulebook::builtin().map_err(std::io::Error::other)?;
    // Every profile starts from the built-in benign profile (every question that applies
    // answered, no red flags), so the generator follows the rulebook's questions.
    let benign = massage_check::cases::benign_profile();
    // Checklist items a few percent of people tick: every choice of the top-level
    // several-of questions the benign profile leaves empty, except the catch-alls.
    let checklists: Vec<(&str, Vec<&str>)> = book
        .questions
        .iter()
        .filter(|q| {
            q.ask_if.is_none()
                && benign
                    .get(&q.id)
                    .is_some_and(|v| v == &serde_json::json!([]))
        })
        .map(|q| {
            let items = q
                .choices
                .iter()
                .map(|c| c.id.as_str())
                .filter(|c| !matches!(*c, "none" | "unknown"))
                .collect();
            (q.id.as_str(), items)
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    for i in 1..=count {
        let r = &mut rng;
        let mut profile = benign.clone();
        profile.insert("id".into(), format!("p{i:07}").into());
        // Adults of working age mostly; a few teenagers and over-70s.
        let age = match r.weighted(&[2, 70, 22, 6]) {
            0 => 16 + r.below(4),
            1 => 20 + r.below(30),
            2 => 50 + r.below(20),
            _ => 70 + r.below(20),
        };
        profile.insert("age".into(), age.into());
        // Pain scores cluster at 3 to 6 out of 10; severe pain (8+) is a few percent.
        let intensity = r.weighted(&[2, 4, 11, 18, 20, 18, 13, 9, 3, 1, 1]);
        profile.insert("pain_intensity".into(), intensity.into());
        // A few percent tick something on a checklist: a red flag, a condition, a
        // medicine. Its follow-ups stay unanswered, as in a hurried file.
        for (question, items) in &checklists {
            if r.chance(15) {
                let item = r.pick(items);
                profile.insert((*question).into(), serde_json::json!([item]));
            }
        }
        // Some people are not sure about one checklist.
        if r.chance(10) {
            let (question, _) = checklists[r.below(checklists.len() as u64) as usize];
            profile.insert(question.into(), "unknown".into());
        }
        // About one record in a hundred is invalid, as in a real export: an age no one
        // has, or a choice misspelt.
        if r.chance(10) {
            if r.chance(500) {
                profile.insert("age".into(), 250.into());
            } else {
                profile.insert("goal".into(), "relaxxation".into());
            }
        }
        serde_json::to_writer(&mut out, &profile)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
