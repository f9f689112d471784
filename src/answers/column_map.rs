//! `batch --columns MAP.yaml`: a clinic's own form wording mapped to the rulebook, for a
//! form whose headers or choice labels differ from the questions' texts and labels.
//!
//! ```yaml
//! columns:                      # a header (as written in the export) -> a question id
//!   "Your age in years": age
//!   "Booking reference": id     # the column that names each record
//! choices:                      # per question: a cell's text -> a choice id
//!   nerve_signs:
//!     "Numb between the legs": saddle_numbness
//! ```
//!
//! Headers and texts are compared without punctuation and case. Every id is checked
//! against the rulebook when the map is read (`rules check --columns MAP.yaml` too).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::rulebook::{Question, QuestionType, Rulebook};
use crate::suggest::{did_you_mean, normalised};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    choices: BTreeMap<String, BTreeMap<String, String>>,
}

/// A checked map: normalised header -> question index; per question index, normalised
/// cell text -> choice id.
#[derive(Debug, Default, Clone)]
pub struct ColumnMap {
    columns: HashMap<String, usize>,
    /// Headers mapped to `id`: the column that names each record.
    id_headers: Vec<String>,
    choices: HashMap<usize, HashMap<String, String>>,
}

impl ColumnMap {
    /// Reads and checks a map; every problem is listed, each naming the entry.
    pub fn parse(book: &Rulebook, text: &str) -> Result<ColumnMap, Vec<String>> {
        let written: Written = crate::yaml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut problems = Vec::new();
        let mut map = ColumnMap::default();
        let ids = || book.questions.iter().map(|q| q.id.as_str());
        for (header, id) in &written.columns {
            if id == "id" {
                map.id_headers.push(normalised(header));
                continue;
            }
            match book.question_index(id) {
                Some(i) => {
                    map.columns.insert(normalised(header), i);
                }
                None => problems.push(format!(
                    "columns: \"{header}\" maps to `{id}`, which is no question{}",
                    did_you_mean(id, ids())
                )),
            }
        }
        for (id, texts) in &written.choices {
            let Some(i) = book.question_index(id) else {
                problems.push(format!(
                    "choices: `{id}` is no question{}",
                    did_you_mean(id, ids())
                ));
                continue;
            };
            let q = &book.questions[i];
            if !matches!(q.kind, QuestionType::OneOf | QuestionType::SeveralOf) {
                problems.push(format!("choices: `{id}` has no choices to map"));
                continue;
            }
            for (text, choice) in texts {
                if q.choices.iter().any(|c| &c.id == choice) {
                    map.choices
                        .entry(i)
                        .or_default()
                        .insert(normalised(text), choice.clone());
                } else {
                    problems.push(format!(
                        "choices: {id}: \"{text}\" maps to `{choice}`, which is no choice of `{id}`{}",
                        did_you_mean(choice, q.choices.iter().map(|c| c.id.as_str()))
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems)
        }
    }

    /// Whether the map names this header as the record's id column.
    pub fn is_id(&self, header: &str) -> bool {
        self.id_headers.contains(&normalised(header))
    }

    /// The question a header names in this map, if it does.
    pub fn column(&self, header: &str) -> Option<usize> {
        self.columns.get(&normalised(header)).copied()
    }

    /// A cell with every `;`-separated part the map knows replaced by its choice id.
    pub fn translate<'c>(&self, question: usize, cell: &'c str) -> Cow<'c, str> {
        let Some(texts) = self.choices.get(&question) else {
            return Cow::Borrowed(cell);
        };
        let parts: Vec<&str> = cell
            .split(';')
            .map(|part| texts.get(&normalised(part)).map_or(part, String::as_str))
            .collect();
        Cow::Owned(parts.join(";"))
    }
}

/// A map to start from (`template --format columns`): every question's text to its id,
/// and every choice's label to its id.
pub fn starting_map(book: &Rulebook) -> String {
    let quoted = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from(
        "# A column map for `massage-check batch --columns THIS_FILE`: change the texts on the\n\
         # left to your form's wording; keep the ids on the right. Check it with\n\
         # `massage-check rules check --columns THIS_FILE`.\ncolumns:\n",
    );
    for q in &book.questions {
        out.push_str(&format!("  {}: {}\n", quoted(&q.prompt), q.id));
    }
    out.push_str("choices:\n");
    let with_choices =
        |q: &&Question| matches!(q.kind, QuestionType::OneOf | QuestionType::SeveralOf);
    for q in book.questions.iter().filter(with_choices) {
        out.push_str(&format!("  {}:\n", q.id));
        for c in &q.choices {
            out.push_str(&format!("    {}: {}\n", quoted(&c.label), c.id));
        }
    }
    out
}
