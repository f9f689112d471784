//! Generates realistic answer profiles as JSON Lines for batch benchmarks and tests:
//! mostly benign, a few percent with red flags or contraindications, every question type,
//! some "unknown" answers. Deterministic for a given count and seed.
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
    fn some<'a>(&mut self, items: &[&'a str], per_mille: u64) -> Vec<&'a str> {
        items
            .iter()
            .copied()
            .filter(|_| self.chance(per_mille))
            .collect()
    }
}

fn yes_no(rng: &mut Rng, yes_per_mille: u64) -> &'static str {
    if rng.chance(5) {
        "\"unknown\""
    } else if rng.chance(yes_per_mille) {
        "true"
    } else {
        "false"
    }
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(","))
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let mut rng = Rng(seed.max(1));
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    for i in 1..=count {
        let r = &mut rng;
        let mut fields: Vec<String> = vec![format!("\"id\":\"p{i:07}\"")];
        // Adults of working age mostly; a few teenagers and over-70s.
        let age = match r.weighted(&[2, 70, 22, 6]) {
            0 => 16 + r.below(4),
            1 => 20 + r.below(30),
            2 => 50 + r.below(20),
            _ => 70 + r.below(20),
        };
        fields.push(format!("\"age\":{age}"));
        // Pain scores cluster at 3 to 6 out of 10; severe pain (8+) is a few percent.
        let intensity = r.weighted(&[2, 4, 11, 18, 20, 18, 13, 9, 3, 1, 1]);
        fields.push(format!("\"pain_intensity\":{intensity}"));
        // Most people seeking massage have had their back pain for a while.
        let durations = [
            "under_1_week",
            "weeks_1_to_6",
            "weeks_6_to_12",
            "over_12_weeks",
        ];
        let duration = durations[r.weighted(&[8, 17, 20, 55])];
        fields.push(format!("\"pain_duration\":\"{duration}\""));
        let mut location = r.some(
            &["lower_back", "upper_back", "neck_shoulders", "buttock_hip"],
            300,
        );
        if r.chance(80) {
            location.push("one_leg");
        }
        if r.chance(5) {
            location.push("both_legs");
        }
        fields.push(format!("\"pain_location\":{}", list(&location)));
        let mut character = r.some(&["dull_ache", "stiffness", "burning"], 400);
        if r.chance(100) {
            character.push("sharp");
        }
        fields.push(format!("\"pain_character\":{}", list(&character)));
        for (q, rate) in [
            ("sudden_worsening", 30),
            ("saddle_numbness", 5),
            ("bladder_bowel_changes", 5),
            ("leg_weakness", 5),
            ("significant_trauma", 10),
            ("fever_unwell", 10),
            ("steroids_or_immunosuppression", 15),
            ("cancer_history", 20),
            ("weight_loss", 10),
            ("night_pain", 20),
            ("clot_history", 10),
        ] {
            fields.push(format!("\"{q}\":{}", yes_no(r, rate)));
        }
        let diagnoses = r.some(
            &[
                "herniated_disc",
                "spinal_stenosis",
                "spondylolisthesis",
                "osteoporosis",
                "degenerative_disc_disease",
                "fibromyalgia",
            ],
            25,
        );
        let needs_clearance = diagnoses.iter().any(|d| {
            matches!(
                *d,
                "herniated_disc" | "spinal_stenosis" | "spondylolisthesis"
            )
        });
        fields.push(format!("\"diagnoses\":{}", list(&diagnoses)));
        let injured = r.chance(60);
        fields.push(format!("\"recent_injury\":{injured}"));
        if injured {
            fields.push(format!("\"injury_days_ago\":{}", r.below(30)));
            fields.push(format!(
                "\"injury_signs\":{}",
                list(&r.some(&["torn", "bruised", "swollen", "inflamed"], 150))
            ));
        }
        let surgery = if r.chance(20) {
            r.pick(&["spine", "other"])
        } else {
            "none"
        };
        fields.push(format!("\"recent_surgery\":\"{surgery}\""));
        if surgery != "none" {
            fields.push(format!("\"surgery_weeks_ago\":{}", r.below(13)));
        }
        fields.push(format!(
            "\"allergies\":{}",
            list(&r.some(
                &[
                    "massage_oils",
                    "nut_oils",
                    "lotions",
                    "latex",
                    "fragrance",
                    "sensitive_skin"
                ],
                20
            ))
        ));
        fields.push(format!("\"blood_thinners\":{}", yes_no(r, 30)));
        fields.push(format!("\"pain_relievers\":{}", yes_no(r, 150)));
        let pregnant = r.chance(20);
        fields.push(format!("\"pregnant\":{pregnant}"));
        if pregnant {
            fields.push(format!("\"pregnancy_high_risk\":{}", r.chance(100)));
        }
        if needs_clearance || surgery != "none" {
            fields.push(format!("\"cleared_by_clinician\":{}", r.chance(500)));
        }
        fields.push(format!("\"massage_worsened_before\":{}", yes_no(r, 40)));
        fields.push(format!(
            "\"goal\":\"{}\"",
            r.pick(&[
                "relaxation",
                "pain_relief",
                "mobility",
                "sports_recovery",
                "maintenance"
            ])
        ));
        fields.push(format!(
            "\"pressure_preference\":\"{}\"",
            r.pick(&["light", "medium", "firm", "no_preference"])
        ));
        fields.push(format!(
            "\"session_frequency\":\"{}\"",
            ["once", "monthly", "weekly", "several_a_week", "daily"]
                [r.weighted(&[20, 35, 30, 10, 5])]
        ));
        writeln!(out, "{{{}}}", fields.join(","))?;
    }
    out.flush()
}
