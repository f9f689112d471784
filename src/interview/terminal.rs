//! The terminal adapter: one prompt per question type, drawn by `inquire` on stderr so
//! stdout carries only the report. Everything here is presentation; what counts as a
//! valid answer is decided by the interview's `check`.

use inquire::error::InquireError;
use inquire::list_option::ListOption;
use inquire::validator::Validation;
use inquire::{MultiSelect, Select, Text};

use super::{Progress, Prompter, Stop};
use crate::answers::{self, Value};
use crate::rulebook::{Question, QuestionType};

const NOT_SURE: &str = "Not sure";

/// Prompts on the terminal.
#[derive(Debug, Default)]
pub struct TerminalPrompter;

fn stop(err: InquireError) -> Stop {
    match err {
        InquireError::OperationInterrupted => Stop::Interrupted,
        // Ctrl-D (end of input) and Esc both arrive as a cancel.
        InquireError::OperationCanceled => Stop::EndOfInput,
        InquireError::NotTTY => Stop::Terminal("standard input is not a terminal".into()),
        InquireError::IO(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::BrokenPipe
            ) || e.raw_os_error() == Some(5) =>
        {
            Stop::EndOfInput
        }
        other => Stop::Terminal(other.to_string()),
    }
}

fn title(q: &Question, progress: Progress) -> String {
    format!(
        "(question {} of about {}) {}",
        progress.number, progress.about, q.prompt
    )
}

fn help_line(q: &Question, hint: &str) -> String {
    if q.help.is_empty() {
        hint.to_string()
    } else {
        format!("{} ({hint})", q.help)
    }
}

/// The choices offered for a question, as (label, answer id) pairs and their labels:
/// yes/no or the question's choices, then "Not sure" where allowed.
fn options(q: &Question) -> (Vec<(String, String)>, Vec<String>) {
    let mut options: Vec<(String, String)> = if q.kind == QuestionType::YesNo {
        vec![("Yes".into(), "yes".into()), ("No".into(), "no".into())]
    } else {
        q.choices
            .iter()
            .map(|c| (c.label.clone(), c.id.clone()))
            .collect()
    };
    if q.allow_unknown {
        options.push((NOT_SURE.into(), "unknown".into()));
    }
    let labels = options.iter().map(|(l, _)| l.clone()).collect();
    (options, labels)
}

impl Prompter for TerminalPrompter {
    fn ask(
        &mut self,
        q: &Question,
        progress: Progress,
        check: &dyn Fn(&str) -> Result<Value, String>,
    ) -> Result<Value, Stop> {
        let message = title(q, progress);
        let reply: String = match q.kind {
            QuestionType::YesNo | QuestionType::OneOf => {
                let (options, labels) = options(q);
                let chosen = Select::new(&message, labels)
                    .with_help_message(&help_line(q, "up/down to move, enter to choose"))
                    .with_page_size(8)
                    .raw_prompt()
                    .map_err(stop)?;
                options
                    .get(chosen.index)
                    .map(|(_, id)| id.clone())
                    .unwrap_or_default()
            }
            QuestionType::SeveralOf => {
                let (options, labels) = options(q);
                let chosen = MultiSelect::new(&message, labels)
                    .with_help_message(&help_line(
                        q,
                        "space to pick, enter when done; pick nothing for none",
                    ))
                    .with_page_size(8)
                    .with_validator(|picked: &[ListOption<&String>]| {
                        if picked.len() > 1 && picked.iter().any(|o| o.value == NOT_SURE) {
                            Ok(Validation::Invalid(
                                "\"Not sure\" cannot be combined with other choices".into(),
                            ))
                        } else {
                            Ok(Validation::Valid)
                        }
                    })
                    .raw_prompt()
                    .map_err(stop)?;
                let ids: Vec<&str> = chosen
                    .iter()
                    .filter_map(|o| options.get(o.index).map(|(_, id)| id.as_str()))
                    .collect();
                if ids.is_empty() {
                    // An explicit empty list: "none of these".
                    return Ok(Value::Set(0));
                }
                ids.join(";")
            }
            QuestionType::Number | QuestionType::Scale => {
                let question = q.clone();
                let validator = move |input: &str| {
                    if input.trim() == "?" {
                        let help = if question.help.is_empty() {
                            answers::allowed(&question)
                        } else {
                            format!("{} Answer {}.", question.help, answers::allowed(&question))
                        };
                        return Ok(Validation::Invalid(help.into()));
                    }
                    Ok(match answers::interpret_text(&question, input) {
                        Ok(Value::Unanswered) => Validation::Invalid(
                            format!("please answer: {}", answers::allowed(&question)).into(),
                        ),
                        Ok(_) => Validation::Valid,
                        Err(why) => Validation::Invalid(why.into()),
                    })
                };
                Text::new(&message)
                    .with_help_message(&format!("{}; type ? for help", answers::allowed(q)))
                    .with_validator(validator)
                    .prompt()
                    .map_err(stop)?
            }
        };
        // The prompts above only offer valid replies; check once more so that the rule
        // of what is valid stays in one place.
        check(&reply).map_err(Stop::Terminal)
    }
}
