//! The eighty practice cases of `../shared/practice-cases.yaml` (p01-p20) and
//! `practice-cases-2.yaml` (p21-p80): narratives people wrote, translated into answers
//! files (`tests/practice/*.yaml`) blind, from the README and `massage-check template`
//! alone, by translators who had not seen `rules/` or the expected answers. The expected
//! tier, urgency, techniques to avoid and techniques to prefer are the practice files'
//! own. The rules were not written to these cases (they are general and sourced): this
//! guards the calibration against a change that breaks it.
//!
//! Target (issue 21): at least 68 of 80 tiers right, and no emergency or same-day case
//! answered more slowly. Every miss is listed in `KNOWN_MISSES` with the tier the tool
//! gives and why, so a change in either direction fails here.

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
    ("p21", "see_clinician", Some("now"), &[], &[]),
    ("p22", "suitable", None, &[], &["swedish", "deep_tissue"]),
    ("p23", "wait", None, &[], &[]),
    (
        "p24",
        "suitable",
        None,
        &[],
        &["sports", "deep_tissue", "swedish"],
    ),
    ("p25", "wait", None, &[], &[]),
    (
        "p26",
        "caution",
        None,
        &["deep_tissue", "trigger_point", "sports"],
        &["swedish"],
    ),
    ("p27", "wait", None, &[], &[]),
    ("p28", "suitable", None, &[], &["sports", "swedish"]),
    (
        "p29",
        "caution",
        None,
        &[],
        &["swedish", "myofascial_release"],
    ),
    (
        "p30",
        "emergency",
        Some("now"),
        &[
            "deep_tissue",
            "trigger_point",
            "sports",
            "orthopedic",
            "ice_massage",
        ],
        &[],
    ),
    (
        "p31",
        "caution",
        None,
        &["ice_massage"],
        &["sports", "swedish"],
    ),
    ("p32", "suitable", None, &[], &["sports", "deep_tissue"]),
    (
        "p33",
        "emergency",
        Some("now"),
        &[
            "deep_tissue",
            "trigger_point",
            "sports",
            "orthopedic",
            "myofascial_release",
            "shiatsu",
        ],
        &[],
    ),
    (
        "p34",
        "suitable",
        None,
        &[],
        &["swedish", "myofascial_release"],
    ),
    (
        "p35",
        "emergency",
        Some("now"),
        &["deep_tissue", "trigger_point", "sports", "orthopedic"],
        &[],
    ),
    ("p36", "see_clinician", Some("today"), &[], &[]),
    (
        "p37",
        "emergency",
        Some("now"),
        &[
            "deep_tissue",
            "trigger_point",
            "sports",
            "orthopedic",
            "myofascial_release",
            "shiatsu",
        ],
        &[],
    ),
    ("p38", "suitable", None, &[], &["swedish", "deep_tissue"]),
    ("p39", "caution", None, &[], &["swedish"]),
    (
        "p40",
        "caution",
        None,
        &[],
        &["swedish", "myofascial_release"],
    ),
    (
        "p41",
        "suitable",
        None,
        &[],
        &["swedish", "myofascial_release"],
    ),
    ("p42", "see_clinician", Some("within_days"), &[], &[]),
    (
        "p43",
        "see_clinician",
        Some("before_booking"),
        &[
            "deep_tissue",
            "trigger_point",
            "sports",
            "myofascial_release",
            "shiatsu",
        ],
        &[],
    ),
    (
        "p44",
        "emergency",
        Some("now"),
        &["deep_tissue", "trigger_point", "sports", "orthopedic"],
        &[],
    ),
    ("p45", "suitable", None, &[], &["deep_tissue", "swedish"]),
    (
        "p46",
        "see_clinician",
        Some("today"),
        &["deep_tissue", "trigger_point", "sports"],
        &[],
    ),
    ("p47", "wait", None, &[], &[]),
    ("p48", "suitable", None, &[], &["swedish", "sports"]),
    ("p49", "see_clinician", Some("today"), &[], &[]),
    ("p50", "caution", None, &[], &["swedish"]),
    ("p51", "suitable", None, &[], &["swedish", "deep_tissue"]),
    ("p52", "suitable", None, &[], &["swedish", "deep_tissue"]),
    ("p53", "see_clinician", Some("now"), &[], &[]),
    ("p54", "see_clinician", Some("before_booking"), &[], &[]),
    ("p55", "see_clinician", Some("within_days"), &[], &[]),
    ("p56", "wait", None, &[], &[]),
    (
        "p57",
        "caution",
        None,
        &["deep_tissue", "orthopedic"],
        &["swedish", "myofascial_release"],
    ),
    ("p58", "see_clinician", Some("within_days"), &[], &[]),
    (
        "p59",
        "caution",
        None,
        &[],
        &["swedish", "myofascial_release"],
    ),
    ("p60", "wait", None, &[], &[]),
    (
        "p61",
        "see_clinician",
        Some("before_booking"),
        &["deep_tissue", "trigger_point", "sports"],
        &[],
    ),
    ("p62", "wait", None, &[], &[]),
    ("p63", "suitable", None, &[], &["deep_tissue", "swedish"]),
    ("p64", "see_clinician", Some("today"), &[], &[]),
    ("p65", "caution", None, &[], &["swedish", "deep_tissue"]),
    ("p66", "wait", None, &[], &[]),
    ("p67", "wait", None, &[], &[]),
    ("p68", "see_clinician", Some("today"), &[], &[]),
    (
        "p69",
        "emergency",
        Some("now"),
        &[
            "deep_tissue",
            "trigger_point",
            "sports",
            "orthopedic",
            "myofascial_release",
            "shiatsu",
        ],
        &[],
    ),
    ("p70", "suitable", None, &[], &["trigger_point", "sports"]),
    (
        "p71",
        "suitable",
        None,
        &[],
        &["sports", "deep_tissue", "swedish"],
    ),
    (
        "p72",
        "emergency",
        Some("now"),
        &["deep_tissue", "trigger_point", "sports", "orthopedic"],
        &[],
    ),
    (
        "p73",
        "emergency",
        Some("now"),
        &["deep_tissue", "trigger_point", "sports", "orthopedic"],
        &[],
    ),
    ("p74", "caution", None, &[], &["swedish"]),
    (
        "p75",
        "caution",
        None,
        &["deep_tissue", "trigger_point"],
        &["swedish", "myofascial_release"],
    ),
    ("p76", "wait", None, &[], &[]),
    (
        "p77",
        "caution",
        None,
        &[],
        &["swedish", "myofascial_release"],
    ),
    ("p78", "see_clinician", Some("within_days"), &[], &[]),
    (
        "p79",
        "caution",
        None,
        &[],
        &["swedish", "myofascial_release"],
    ),
    (
        "p80",
        "caution",
        None,
        &["deep_tissue", "orthopedic"],
        &["swedish", "myofascial_release"],
    ),
];

/// Cases whose tier differs from the practice file: (case, the tier given, why).
const KNOWN_MISSES: &[(&str, &str, &str)] = &[
    (
        "p12",
        "emergency",
        "Statin muscle breakdown with weak legs on the stairs: the person ticks \"weakness or numbness in both legs\", a cauda equina and cord sign that is an emergency on its own (NICE CKS). Muscle weakness cannot be told from nerve weakness by questions, so one step stricter than \"call NHS 111 now\" is kept on purpose.",
    ),
    (
        "p23",
        "caution",
        "Heat exhaustion this morning with little, dark urine: a rare event, and no question asks about heat illness or passing little urine (the urine choice says \"as dark as cola\"); the blind answers file records a lifting strain, a caution. Left as a miss rather than a question for one event.",
    ),
    (
        "p39",
        "wait",
        "Cataract surgery five days ago: counted as an operation in the last two weeks, which waits (NHS keyhole recovery, about two weeks). The expected answer, a caution with no face-down work, names waiting two weeks as also defensible.",
    ),
    (
        "p41",
        "caution",
        "Meralgia paraesthetica (numb outer thigh, examined): the person ticks \"areas of numb skin\", which limits pressure and heat on that skin, a caution; the expected answer is suitable while itself advising care with heat and pressure over that area.",
    ),
    (
        "p48",
        "caution",
        "Cherry angiomas at 60: the blind answers file says \"not sure\" for both how long this spell lasted and whether it is a first spell; at 60 that leaves the first-spell-after-50 rule undecided, a caution with questions to settle, not a silent suitable.",
    ),
    (
        "p60",
        "caution",
        "A shoulder dislocated eight days ago, in a sling: ticked as a recent injury where massage would go, a local caution (no stretching of that arm). The expected answer is to wait for the physiotherapist and names a gentle seated massage (caution) as defensible.",
    ),
    (
        "p62",
        "caution",
        "A spinal cord stimulator trial with wires through the skin for a few more days: a device through the skin is a local caution; a one-week trial is too rare to ask about, and the safety net covers redness or fever at the site.",
    ),
    (
        "p77",
        "wait",
        "Erythema ab igne (a net-like brown patch from a hot water bottle): the person ticks \"a new rash you cannot explain\", which postpones massage until explained and suggests a routine GP visit; no question can tell this harmless heat mark from an unexplained rash.",
    ),
];

/// Cases where none of the preferred techniques ranks in the first three: (case, why).
const KNOWN_RANKING_MISSES: &[(&str, &str)] = &[(
    "p70",
    "A sharp knot by the shoulder blade in a climber who wants trigger point work: nothing in the answers marks a localised, pressable knot, so trigger point and sports massage rank below the gentle techniques that lead by default (CHERKIN_2011); they are offered, not excluded.",
)];

const TIERS: [&str; 5] = ["suitable", "caution", "wait", "see_clinician", "emergency"];
const URGENCIES: [&str; 5] = ["routine", "before_booking", "within_days", "today", "now"];

fn assess(case: &str) -> serde_json::Value {
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
    serde_json::from_slice(&out.stdout).expect("json")
}

/// How urgently the report sends the person: `now` for an emergency, the most urgent
/// referral for see_clinician, nothing below.
fn urgency_given(r: &serde_json::Value) -> Option<usize> {
    match r["tier"].as_str() {
        Some("emergency") => Some(4),
        Some("see_clinician") => r["see"][0]["when"]
            .as_str()
            .and_then(|w| URGENCIES.iter().position(|u| *u == w)),
        _ => None,
    }
}

#[test]
fn the_practice_cases_get_the_expected_verdict() {
    let mut wrong = Vec::new();
    let mut right = 0;
    for (case, tier, urgency, avoid, prefer) in EXPECTED {
        let r = assess(case);
        let given = r["tier"].as_str().unwrap_or("").to_string();
        match KNOWN_MISSES.iter().find(|(c, _, _)| c == case) {
            Some((_, missed_as, _)) if given != *missed_as => wrong.push(format!(
                "{case}: tier {given}; KNOWN_MISSES says {missed_as} (expected {tier}): update it"
            )),
            Some(_) => {}
            None if given != *tier => wrong.push(format!("{case}: tier {given} (expected {tier})")),
            None => right += 1,
        }
        // No emergency or same-day case is answered more slowly.
        if let Some(u) = urgency
            && matches!(*u, "now" | "today")
        {
            let wanted = URGENCIES.iter().position(|x| x == u).expect("urgency");
            let got = urgency_given(&r);
            if got.is_none_or(|g| g < wanted) {
                wrong.push(format!(
                    "{case}: answered more slowly than {u} ({given}, {})",
                    r["see"][0]["when"]
                ));
            }
        }
        // The urgency is right wherever the tier is.
        if let Some(u) = urgency
            && given == *tier
            && given == "see_clinician"
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
        let ranked =
            prefer.is_empty() || prefer.iter().any(|t| listed.iter().take(3).any(|l| l == t));
        let excused = KNOWN_RANKING_MISSES.iter().any(|(c, _)| c == case);
        if given == *tier && !ranked && !excused {
            wrong.push(format!(
                "{case}: none of {prefer:?} among the first three {listed:?}"
            ));
        }
        if excused && ranked {
            wrong.push(format!(
                "{case}: ranks as preferred now; remove it from KNOWN_RANKING_MISSES"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        right >= 68,
        "{right} of {} tiers right; the target is 68",
        EXPECTED.len()
    );
    assert_eq!(right + KNOWN_MISSES.len(), EXPECTED.len());
}

/// A miss is never an under-triage of an urgent case, and over-triage is at most one step.
#[test]
fn every_known_miss_is_explained_and_no_urgent_case_is_under_triaged() {
    for (case, given, why) in KNOWN_MISSES {
        let (_, tier, urgency, _, _) = EXPECTED
            .iter()
            .find(|(c, ..)| c == case)
            .expect("a practice case");
        assert!(why.len() > 60, "{case}: say why");
        let rank = |t: &str| TIERS.iter().position(|x| *x == t).expect("tier");
        if matches!(urgency, Some("now" | "today")) {
            assert!(
                rank(given) >= rank(tier),
                "{case}: an urgent case under-triaged"
            );
        }
    }
}
