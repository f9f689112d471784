//! Runs a parsed command line: builds the engine, reads input, writes output, and says
//! which exit code applies. `main.rs` only calls [`run`] and [`exit_code`].

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::answers::{self, Answers, AnswersError, MAX_ANSWERS_BYTES};
use crate::cli::{CheckArgs, Cli, Command, GlobalArgs, RulesCommand};
use crate::date::Date;
use crate::engine::Engine;
use crate::report::{self, Context};
use crate::rulebook::{Rulebook, RulebookError, Tier};

/// Exit code for a printed assessment (whatever the verdict) or a successful command.
pub const EXIT_OK: u8 = 0;
/// Runtime or rulebook error.
pub const EXIT_ERROR: u8 = 1;
/// Usage error or invalid answers.
pub const EXIT_USAGE: u8 = 2;
/// `--fail-on` matched.
pub const EXIT_FAIL_ON: u8 = 3;

/// An error in what the user supplied (as opposed to the program or the rulebook).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The exit code for an error returned by [`run`].
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<AnswersError>().is_some() || err.downcast_ref::<UsageError>().is_some() {
        EXIT_USAGE
    } else {
        EXIT_ERROR
    }
}

/// Loads the rulebook named by `--rules`, or the built-in one, and compiles it.
pub fn load_engine(rules: Option<&Path>) -> Result<Engine> {
    let book = match rules {
        Some(dir) => Rulebook::from_dir(dir)
            .with_context(|| format!("cannot use the rulebook in {}", dir.display()))?,
        None => Rulebook::builtin().context("the built-in rulebook is broken")?,
    };
    Ok(Engine::new(book)?)
}

fn today(global: &GlobalArgs) -> Date {
    global.today.unwrap_or_else(Date::today_utc)
}

/// Runs the command; returns the exit code to use when it did not fail.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Check(args) => check(&cli.global, &args),
        Command::Rules(RulesCommand::Check { dir }) => {
            let dir = dir.or(cli.global.rules);
            rules_check(dir.as_deref())
        }
    }
}

/// Reads a whole input (a path or `-` for stdin) as UTF-8 text, within the size limit.
pub fn read_input(path: &Path) -> Result<String> {
    let name = display_name(path);
    let mut bytes = Vec::new();
    let limit = MAX_ANSWERS_BYTES as u64 + 1;
    if path == Path::new("-") {
        if std::io::stdin().is_terminal() {
            eprintln!(
                "massage-check: reading answers from the terminal; type or paste them, then press Ctrl-D (or run `massage-check ask` to be asked)"
            );
        }
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| UsageError(format!("cannot open {name}: {e}")))?;
        file.take(limit)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {name}"))?;
    }
    if bytes.len() > MAX_ANSWERS_BYTES {
        return Err(AnswersError::TooLarge {
            size: bytes.len(),
            limit: MAX_ANSWERS_BYTES,
        })
        .with_context(|| format!("{name} is too large"));
    }
    String::from_utf8(bytes).map_err(|e| {
        UsageError(format!(
            "{name} is not valid UTF-8 text (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
        .into()
    })
}

fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

/// Parses and checks answers for this engine.
pub fn read_answers(engine: &Engine, text: &str) -> Result<Answers, AnswersError> {
    let answers = answers::parse(engine.book(), text)?;
    engine.check_answers(&answers)?;
    Ok(answers)
}

fn check(global: &GlobalArgs, args: &CheckArgs) -> Result<u8> {
    let engine = load_engine(global.rules.as_deref())?;
    let text = read_input(&args.file)?;
    let answers = read_answers(&engine, &text)
        .with_context(|| format!("invalid answers in {}", display_name(&args.file)))?;
    let date = today(global);
    let assessment = engine.assess(&answers, date);
    let ctx = Context {
        book: engine.book(),
        date,
        width: 80,
    };
    let out = report::render(&assessment, &ctx, args.output.format);
    write_stdout(out.as_bytes())?;
    Ok(fail_on_code(assessment.tier, args.output.fail_on))
}

/// `--fail-on`: exit 3 when the verdict is at least as strict as asked.
pub fn fail_on_code(tier: Tier, fail_on: Option<Tier>) -> u8 {
    match fail_on {
        Some(limit) if tier >= limit => EXIT_FAIL_ON,
        _ => EXIT_OK,
    }
}

/// Writes all of `bytes` to stdout; a closed pipe ends the program quietly.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

fn rules_check(dir: Option<&Path>) -> Result<u8> {
    let loaded = match dir {
        Some(dir) => Rulebook::from_dir(dir),
        None => Rulebook::builtin(),
    }
    .and_then(Engine::new);
    match loaded {
        Ok(_) => Ok(EXIT_OK),
        Err(RulebookError::Invalid(problems)) => {
            let mut out = String::new();
            for p in &problems {
                out.push_str(&p.to_string());
                out.push('\n');
            }
            write_stdout(out.as_bytes())?;
            let name = dir
                .map(PathBuf::from)
                .map_or("the built-in rulebook".into(), |d| d.display().to_string());
            eprintln!("massage-check: {name} has {} problem(s)", problems.len());
            Ok(EXIT_ERROR)
        }
        Err(e @ RulebookError::Io { .. }) => bail!(e),
    }
}
