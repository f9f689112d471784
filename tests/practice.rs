//! The twenty practice cases of `../shared/practice-cases.yaml` (narratives people wrote),
//! translated by hand into answers files from the README and `massage-check template` alone
//! (`tests/practice/*.yaml`), against the tier, urgency, techniques to avoid and techniques
//! to prefer that the practice file expects. The rules were not written to these cases
//! (they are general and sourced); this guards against a change that breaks them.

mod common;

use common::{TODAY, bin, repo_path};

/// (case, tier, urgency, techniques a good answer must not recommend, techniques it puts first)
type Expected = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [&'static str],
    &'static [&'static str],
);

const EXPECTED: &[Expected] = &[
    (
        "p01",
        "caution",
        None,
        &["deep_tissue", "trigger_point"],
        &["sports", "swedish"],
    ),
    (
        "p02",
        "emergency",
        Some("now"),
        &["deep_tissue", "trigger_point", "sports", "orthopedic"],
        &[],
    ),
    ("p03", "suitable", None, &[], &["deep_tissue", "swedish"]),
    (
        "p04",
        "see_clinician",
        Some("today"),
        &[
            "deep_tissue",
            "trigger_point",
            "sports",
            "shiatsu",
            "orthopedic",
        ],
        &[],
    ),
    ("p05", "wait", None, &[], &[]),
    (
        "p06",
        "emergency",
        Some("now"),
        &[
            "deep_tissue",
            "trigger_point",
            "sports",
            "myofascial_release",
            "orthopedic",
        ],
        &[],
    ),
    ("p07", "suitable", None, &[], &["swedish"]),
    (
        "p08",
        "see_clinician",
        Some("within_days"),
        &["deep_tissue", "trigger_point", "sports", "orthopedic"],
        &[],
    ),
    ("p09", "wait", None, &[], &[]),
    (
        "p10",
        "caution",
        None,
        &[],
        &["swedish", "myofascial_release"],
    ),
    (
        "p11",
        "emergency",
        Some("now"),
        &["deep_tissue", "trigger_point", "sports", "orthopedic"],
        &[],
    ),
    (
        "p12",
        "see_clinician",
        Some("now"),
        &["deep_tissue", "trigger_point", "sports", "orthopedic"],
        &[],
    ),
    ("p13", "suitable", None, &[], &["swedish"]),
    ("p14", "wait", None, &[], &[]),
    (
        "p15",
        "caution",
        None,
        &["deep_tissue", "trigger_point", "sports"],
        &["swedish", "myofascial_release"],
    ),
    (
        "p16",
        "see_clinician",
        Some("within_days"),
        &["deep_tissue", "trigger_point", "myofascial_release"],
        &[],
    ),
    (
        "p17",
        "emergency",
        Some("now"),
        &[
            "deep_tissue",
            "trigger_point",
            "sports",
            "shiatsu",
            "orthopedic",
        ],
        &[],
    ),
    ("p18", "wait", None, &[], &[]),
    ("p19", "suitable", None, &[], &["swedish"]),
    (
        "p20",
        "see_clinician",
        Some("before_booking"),
        &["deep_tissue", "trigger_point", "sports"],
        &[],
    ),
];

#[test]
fn the_practice_cases_get_the_expected_verdict() {
    let mut wrong = Vec::new();
    for (case, tier, urgency, avoid, prefer) in EXPECTED {
        let out = bin()
            .args(["check", "--format", "json", "--today", TODAY])
            .arg(repo_path(&format!("tests/practice/{case}.yaml")))
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{case}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        if r["tier"] != *tier {
            wrong.push(format!("{case}: tier {} (expected {tier})", r["tier"]));
        }
        if let Some(u) = urgency
            && r["see"][0]["when"] != *u
        {
            wrong.push(format!(
                "{case}: urgency {} (expected {u})",
                r["see"][0]["when"]
            ));
        }
        let listed: Vec<&str> = r["techniques"]
            .as_array()
            .expect("techniques")
            .iter()
            .filter_map(|t| t["id"].as_str())
            .collect();
        for t in *avoid {
            if listed.contains(t) {
                wrong.push(format!("{case}: recommends {t}"));
            }
        }
        for t in *prefer {
            if !listed.iter().take(3).any(|l| l == t) {
                wrong.push(format!(
                    "{case}: {t} is not among the first three {listed:?}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
