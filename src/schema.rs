//! JSON Schemas for the answers file (built from the rulebook's questions), the JSON
//! report and the rulebook files, so editors and other tools can validate them.
//! Must not duplicate the model: every schema is derived from the types or the rulebook.

use serde_json::{Map, Value, json};

use crate::rulebook::{QuestionType, Rulebook, RulebookFile};

/// What `massage-check schema` can describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Subject {
    /// An answers file for the rulebook in use (`check FILE`, batch records).
    Answers,
    /// The JSON report (`check --format json`).
    Report,
    /// One rulebook file (`rules/*.yaml`).
    Rulebook,
}

pub fn render(subject: Subject, book: &Rulebook) -> String {
    let schema = match subject {
        Subject::Answers => answers(book),
        Subject::Report => serde_json::to_value(schemars::schema_for!(
            crate::report::json::JsonReport<'static>
        ))
        .unwrap_or(Value::Null),
        Subject::Rulebook => {
            serde_json::to_value(schemars::schema_for!(RulebookFile)).unwrap_or(Value::Null)
        }
    };
    let mut out = serde_json::to_string_pretty(&schema).unwrap_or_default();
    out.push('\n');
    out
}

/// The answers schema: one property per question, typed and ranged as the question is.
pub fn answers(book: &Rulebook) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "id".into(),
        json!({ "description": "The record's own id", "type": ["string", "number"] }),
    );
    for q in &book.questions {
        let unknown = |schema: Value| {
            if q.allow_unknown {
                json!({ "anyOf": [schema, { "const": "unknown" }, { "type": "null" }] })
            } else {
                json!({ "anyOf": [schema, { "type": "null" }] })
            }
        };
        let ids: Vec<&str> = q.choices.iter().map(|c| c.id.as_str()).collect();
        let base = match q.kind {
            QuestionType::YesNo => json!({ "anyOf": [
                { "type": "boolean" },
                { "enum": ["yes", "no", "true", "false", "y", "n", "Yes", "No"] }
            ]}),
            QuestionType::Scale => json!({ "type": "integer", "minimum": 0, "maximum": 10 }),
            QuestionType::Number => {
                let (min, max) = q.range();
                let kind = if q.integer { "integer" } else { "number" };
                json!({ "type": kind, "minimum": min, "maximum": max })
            }
            QuestionType::OneOf => json!({ "enum": ids }),
            QuestionType::SeveralOf => json!({ "anyOf": [
                { "type": "array", "items": { "enum": ids }, "uniqueItems": true },
                { "enum": ids }
            ]}),
        };
        let mut schema = unknown(base);
        if let Some(obj) = schema.as_object_mut() {
            obj.insert("description".into(), json!(q.prompt));
        }
        properties.insert(q.id.clone(), schema);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("massage-check answers ({} {})", book.meta.name, book.meta.version),
        "type": "object",
        "properties": properties,
        "additionalProperties": false
    })
}
