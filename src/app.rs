//! Runs a parsed command line: builds the engine, reads input, writes output, and says
//! which exit code applies. `main.rs` only calls [`run`] and [`exit_code`].
//! Owns the order of the work and the exit codes; holds no rule logic and draws no
//! report (the library does both).

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::CommandFactory;

use crate::answers::column_map::ColumnMap;
use crate::answers::{self, Answers, AnswersError, MAX_ANSWERS_BYTES};
use crate::batch::{self, InputFormat};
use crate::cli::{
    AskArgs, BatchArgs, CheckArgs, Cli, ColorWhen, Command, GlobalArgs, OutputArgs, RulesCommand,
    TestFormat,
};
use crate::date::Date;
use crate::engine::{Engine, lowering};
use crate::interview::{self, Stop, terminal::TerminalPrompter};
use crate::output_file::{self, OutputFile};
use crate::report::{self, BatchOutput, Context, Format};
use crate::rulebook::{Rulebook, RulebookError, Tier};

/// Exit code for a printed assessment (whatever the verdict) or a successful command.
pub const EXIT_OK: u8 = 0;
/// Runtime or rulebook error.
pub const EXIT_ERROR: u8 = 1;
/// Usage error or invalid answers.
pub const EXIT_USAGE: u8 = 2;
/// `--fail-on` matched.
pub const EXIT_FAIL_ON: u8 = 3;
/// The person stopped the interview (Esc, then y).
pub const EXIT_STOPPED: u8 = 4;
/// Interrupted by Ctrl-C (128 + SIGINT, the shell convention).
pub const EXIT_INTERRUPTED: u8 = 130;

pub use crate::errors::{Interrupted, Stopped, UsageError};

/// The exit code for an error returned by [`run`].
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<Interrupted>().is_some() {
        EXIT_INTERRUPTED
    } else if err.downcast_ref::<Stopped>().is_some() {
        EXIT_STOPPED
    } else if err.downcast_ref::<AnswersError>().is_some()
        || err.downcast_ref::<UsageError>().is_some()
    {
        EXIT_USAGE
    } else {
        EXIT_ERROR
    }
}

/// Loads the rulebook named by `--rules`, or the built-in one, and compiles it. A rulebook
/// from `--rules` that lowers a built-in safety rule without declaring it is refused.
///
/// A command uses its engine until the process ends, so the engine is never freed:
/// freeing the rulebook's thousands of small allocations one by one only delays the exit
/// (a tenth of the time a `check` spends on the rulebook; issue 24).
pub fn load_engine(rules: Option<&Path>) -> Result<&'static Engine> {
    load_owned_engine(rules).map(|engine| &*Box::leak(Box::new(engine)))
}

fn load_owned_engine(rules: Option<&Path>) -> Result<Engine> {
    let Some(dir) = rules else {
        // Validated and checked when the binary was built; only read back here.
        return Engine::builtin().context("the built-in rulebook is broken");
    };
    let context = || format!("cannot use the rulebook in {}", dir.display());
    let engine =
        Engine::new(Rulebook::from_dir(dir).with_context(context)?).with_context(context)?;
    let problems = compare_with_builtin(&engine)?.problems(engine.book());
    if !problems.is_empty() {
        return Err(RulebookError::Invalid(problems)).with_context(context);
    }
    Ok(engine)
}

/// How a rulebook from `--rules` compares with the built-in one on safety.
fn compare_with_builtin(engine: &Engine) -> Result<lowering::Comparison> {
    let builtin = Engine::builtin().context("the built-in rulebook is broken")?;
    Ok(lowering::compare(engine, &builtin))
}

fn today(global: &GlobalArgs) -> Date {
    global.today.unwrap_or_else(Date::today_utc)
}

/// Runs the command; returns the exit code to use when it did not fail.
pub fn run(cli: Cli) -> Result<u8> {
    let global = cli.global;
    match cli.command {
        Some(Command::Check(args)) => check(&global, &args),
        // These write files, take the terminal, or run for long: a signal needs the thread
        // that can remove a temporary file and give the terminal back.
        Some(Command::Ask(args)) => {
            crate::signals::start_thread();
            ask(&global, &args)
        }
        Some(Command::Batch(args)) => {
            crate::signals::start_thread();
            run_batch(&global, &args)
        }
        Some(Command::Rules(RulesCommand::Check { dir, columns })) => {
            let dir = dir.or(global.rules);
            match columns {
                Some(map) => column_map_check(dir.as_deref(), &map),
                None => rules_check(dir.as_deref()),
            }
        }
        Some(Command::Completions { shell }) => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "massage-check", &mut buf);
            if shell == clap_complete::Shell::Bash {
                // clap_complete 4.6 reads the hyphen in `massage-check` as a subcommand
                // separator when it labels the handlers (`massage__subcmd__check__...`)
                // but not when it sets `cmd` (`massage__check__...`), so no option of
                // any subcommand would complete. Give the handlers the name `cmd` uses.
                let text = String::from_utf8_lossy(&buf)
                    .replace("massage__subcmd__check__", "massage__check__");
                buf = text.into_bytes();
            }
            write_stdout(&buf)?;
            Ok(EXIT_OK)
        }
        Some(Command::Man) => {
            let page = crate::manual::render().context("cannot render the manual page")?;
            write_stdout(&page)?;
            Ok(EXIT_OK)
        }
        Some(Command::Template(args)) => {
            let engine = load_engine(global.rules.as_deref())?;
            write_stdout(crate::template::render_as(engine.book(), args.format).as_bytes())?;
            Ok(EXIT_OK)
        }
        Some(Command::Schema { subject }) => {
            let engine = load_engine(global.rules.as_deref())?;
            write_stdout(crate::schema::render(subject, engine.book()).as_bytes())?;
            Ok(EXIT_OK)
        }
        Some(Command::Rules(RulesCommand::List { kind })) => {
            let engine = load_engine(global.rules.as_deref())?;
            write_stdout(crate::describe::list(engine.book(), kind).as_bytes())?;
            Ok(EXIT_OK)
        }
        Some(Command::Rules(RulesCommand::Show { id })) => {
            let engine = load_engine(global.rules.as_deref())?;
            let book = engine.book();
            match crate::describe::show(book, &id) {
                Some(text) => {
                    write_stdout(text.as_bytes())?;
                    Ok(EXIT_OK)
                }
                None => {
                    let ids = crate::describe::all_ids(book);
                    Err(UsageError(format!(
                        "no rule, question, technique, care item or source has the id `{id}`{}",
                        crate::suggest::did_you_mean(&id, ids)
                    ))
                    .into())
                }
            }
        }
        Some(Command::Rules(RulesCommand::Test {
            dir,
            format,
            min_coverage,
        })) => {
            let dir = dir.or(global.rules.clone());
            rules_test(dir.as_deref(), format, min_coverage, today(&global))
        }
        None if std::io::stdin().is_terminal() => {
            if global.no_input {
                return Err(UsageError(
                    "no answers given and --no-input forbids asking: run `massage-check check FILE` or pipe answers in".into(),
                )
                .into());
            }
            ask(&global, &AskArgs::default())
        }
        None => check(
            &global,
            &CheckArgs {
                file: PathBuf::from("-"),
                output: OutputArgs::default(),
            },
        ),
    }
}

/// Reads a whole input (a path or `-` for stdin) as UTF-8 text, within the size limit.
pub fn read_input(path: &Path) -> Result<String> {
    let name = display_name(path);
    let mut bytes = Vec::new();
    let limit = MAX_ANSWERS_BYTES as u64 + 1;
    // A file's size is known; standard input is read only to one byte past the limit.
    let mut size = None;
    if path == Path::new("-") {
        if !stdin_is_open() {
            return Err(closed_stdin());
        }
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
        // A file that cannot be opened is a runtime error (exit 1), like one that cannot
        // be read; exit 2 is for input that was read and is wrong.
        let file = std::fs::File::open(path).with_context(|| {
            let missing = !path.exists();
            let hint = if missing {
                "; to start an answers file, run `massage-check template > me.yaml`, fill it in, and run `massage-check check me.yaml` (or answer the questions with `massage-check ask`)"
            } else {
                ""
            };
            format!("cannot open {name}{hint}")
        })?;
        size = file.metadata().ok().map(|m| m.len());
        file.take(limit)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {name}"))?;
    }
    if bytes.len() > MAX_ANSWERS_BYTES {
        return Err(AnswersError::TooLarge {
            size,
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
    let answers = read_answers(engine, &text)
        .with_context(|| format!("invalid answers in {}", display_name(&args.file)))?;
    print_assessment(
        engine,
        &answers,
        today(global),
        &args.output,
        global.color,
        false,
    )
}

/// Assesses the answers, prints the report and returns the exit code.
fn print_assessment(
    engine: &Engine,
    answers: &Answers,
    date: Date,
    output: &OutputArgs,
    color: ColorWhen,
    interactive: bool,
) -> Result<u8> {
    let mut assessment = engine.assess(answers, date);
    if output.explain {
        assessment.trace = engine.explain(answers);
    }
    let stdout_is_terminal = std::io::stdout().is_terminal();
    let width = if stdout_is_terminal {
        terminal_size::terminal_size().map_or(80, |(w, _)| usize::from(w.0).clamp(40, 120))
    } else {
        80
    };
    let ctx = Context {
        book: engine.book(),
        date,
        width,
        answers: Some(answers),
        styled: stdout_shows_color(color),
    };
    let mut out = match output.format {
        Format::Text if output.quiet => report::text::verdict_line(&assessment),
        format => report::render(&assessment, &ctx, format),
    };
    // A report taller than the terminal leaves the person looking at its end: say the
    // verdict again there.
    if output.format == Format::Text && !output.quiet && stdout_is_terminal {
        let rows = terminal_size::terminal_size().map_or(24, |(_, h)| usize::from(h.0));
        if out.lines().count() > rows {
            out = report::text::with_verdict_at_end(&out, &assessment, width);
        }
    }
    // With the report going to a file or a program, the screen still gets the first line
    // of an urgent verdict.
    if !stdout_is_terminal
        && std::io::stderr().is_terminal()
        && assessment.tier >= Tier::SeeClinician
        && interactive
    {
        anstream::eprintln!("{}", report::text::verdict_line(&assessment).trim_end());
    }
    if output.format == Format::Text {
        write_stdout_styled(out.as_bytes(), color)?;
    } else {
        write_stdout(out.as_bytes())?;
    }
    Ok(fail_on_code(assessment.tier, output.fail_on))
}

/// Writes text that may hold colour codes; they are removed unless colour is wanted and
/// stdout can show it (anstream honours NO_COLOR, CLICOLOR_FORCE and TERM=dumb).
pub fn write_stdout_styled(bytes: &[u8], color: ColorWhen) -> Result<()> {
    // Text without an escape code has nothing to remove, and the adapter that removes
    // them reads byte by byte (a twentieth of a `check`).
    if memchr::memchr(0x1b, bytes).is_none() {
        return write_stdout(bytes);
    }
    if !stdout_is_open() {
        return Err(closed_stdout());
    }
    let mut stdout = anstream::AutoStream::new(std::io::stdout().lock(), color.choice());
    match crate::whole_write::write_whole(&mut stdout, bytes) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

/// Whether colour codes written with [`write_stdout_styled`] reach the screen (the same
/// decision anstream makes there), so a report that would lose them is drawn without.
fn stdout_shows_color(color: ColorWhen) -> bool {
    match color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

fn ask(global: &GlobalArgs, args: &AskArgs) -> Result<u8> {
    if global.no_input {
        return Err(UsageError(
            "--no-input forbids the interview; use `massage-check check FILE`".into(),
        )
        .into());
    }
    // Checked before the first question: a save that cannot succeed must not cost the
    // person the whole interview.
    if let Some(path) = &args.save {
        output_file::check_target(path, args.force, "--save")?;
    }
    if !std::io::stdin().is_terminal() {
        return Err(UsageError(
            "the interview needs a terminal; to read answers from a pipe use `massage-check check -`".into(),
        )
        .into());
    }
    // The questions are drawn on standard error: closed or sent to a file, they would be
    // asked where nobody can see them.
    if !std::io::stderr().is_terminal() {
        return Err(UsageError(
            "the interview draws its questions on standard error, which is not a terminal here (closed or redirected); run `massage-check ask` without `2>`, or answer in a file: `massage-check template > me.yaml`".into(),
        )
        .into());
    }
    // The report goes to standard output: a person must not answer every question for
    // a report that cannot be written.
    if !stdout_is_writable() {
        return Err(UsageError(
            "standard output is closed or not open for writing, so the report could not be shown; run `massage-check ask` without `>&-`, or send the report to a file with `> report.txt`".into(),
        )
        .into());
    }
    let engine = load_engine(global.rules.as_deref())?;
    let date = today(global);
    // Follow-ups are asked only when they apply, so this is the count for most people.
    let questions = engine
        .book()
        .questions
        .iter()
        .filter(|q| q.ask_if.is_none())
        .count();
    let kept = match &args.save {
        Some(path) => format!("your answers will be saved to {}", path.display()),
        None => "your answers are not kept".to_string(),
    };
    eprintln!(
        "massage-check: about {questions} questions about your back; {kept}.\nShift-Tab goes back a question; Esc stops."
    );
    let (answers, emergency) = match interview::run(engine, &mut TerminalPrompter::default(), date)
    {
        Ok(done) => done,
        Err(Stop::Interrupted) => return Err(Interrupted.into()),
        Err(Stop::Quit) => return Err(Stopped.into()),
        Err(Stop::EndOfInput) => {
            return Err(UsageError(
                "the interview was stopped before it finished; nothing was saved".into(),
            )
            .into());
        }
        Err(Stop::Terminal(why)) => bail!("cannot run the interview: {why}"),
    };
    if emergency {
        eprintln!("\nmassage-check: stopping here: one of your answers needs urgent care.\n");
    } else {
        eprintln!();
    }
    // The report comes first, whatever happens to the save: an emergency must reach the
    // person even when the disk is full. And the answers are saved even when the report
    // could not be printed, so the interview is not lost with it.
    let printed = print_assessment(engine, &answers, date, &args.output, global.color, true);
    let Some(path) = &args.save else {
        return printed;
    };
    let saved = output_file::write_whole(
        path,
        answers::to_yaml(engine.book(), &answers).as_bytes(),
        args.force,
        "--save",
        args.mode,
    );
    // Runtime errors (exit 1), never usage errors: exit 2 promises an empty stdout.
    match (printed, saved) {
        (Ok(code), Ok(())) => {
            eprintln!("massage-check: answers saved to {}", path.display());
            Ok(code)
        }
        (Ok(_), Err(e)) => Err(anyhow::anyhow!(
            "the report above is complete, but your answers were not saved: {e:#}"
        )),
        (Err(e), Ok(())) => Err(anyhow::anyhow!(
            "{e:#}; your answers were saved to {}: `massage-check check {}` shows the report",
            path.display(),
            path.display()
        )),
        (Err(print), Err(save)) => Err(anyhow::anyhow!(
            "{print:#}; and your answers were not saved: {save:#}"
        )),
    }
}

fn run_batch(global: &GlobalArgs, args: &BatchArgs) -> Result<u8> {
    let is_stdin = args.file == Path::new("-");
    if is_stdin && !stdin_is_open() {
        return Err(closed_stdin());
    }
    let input_format = batch_input_format(args, is_stdin)?;
    check_batch_output(args, is_stdin)?;
    let engine = load_engine(global.rules.as_deref())?;
    let column_map = match &args.columns {
        Some(path) => Some(read_column_map(engine.book(), path)?),
        None => None,
    };
    if let Some(note) = report::view::lowering_note(engine.book()) {
        // The brief lines carry no report text, so the note goes where the person looks.
        eprintln!("massage-check: {note}");
    }
    let (reader, size) = open_batch_input(args, is_stdin)?;
    let show_progress = !args.no_progress && size.is_some() && std::io::stderr().is_terminal();
    let (counting, bytes_read) = batch::Counting::new(reader);
    let bar = show_progress.then(|| {
        let bar = indicatif::ProgressBar::new(size.unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |records: u64| {
        if let Some(bar) = &bar {
            bar.set_position(bytes_read.load(std::sync::atomic::Ordering::Relaxed));
            bar.set_message(format!("{records} records"));
        }
    };
    let mut input =
        std::io::BufReader::with_capacity(256 * 1024, Box::new(counting) as Box<dyn Read + Send>);
    if input_format == InputFormat::Jsonl {
        refuse_pretty_printed_json(&mut input)?;
    }
    let options = batch::Options {
        input_format,
        ctx: Context {
            book: engine.book(),
            date: today(global),
            width: 80,
            answers: None,
            styled: true,
        },
        fail_on: args.fail_on,
        on_progress: bar.as_ref().map(|_| &progress as &dyn Fn(u64)),
        threads: args
            .threads
            .map(usize::from)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8))),
        id_column: args.id_column.as_deref(),
        column_map: column_map.as_ref(),
    };
    let mut formatter = args.format.formatter(args.full);
    let mut failed_files = None;
    if let Some(dir) = &args.output_dir {
        let files = crate::markdown_files::MarkdownFiles::new(
            formatter,
            dir.clone(),
            args.force,
            args.mode,
        );
        failed_files = Some(files.failed.clone());
        formatter = Box::new(files);
    }
    let stats = match &args.output {
        None => {
            let mut stdout = std::io::stdout().lock();
            batch::run(engine, input, &mut stdout, formatter.as_mut(), &options)
                .context("batch failed")?
        }
        Some(path) => {
            let mut file = OutputFile::create(path, args.force, "--output")?.with_mode(args.mode);
            let stats = batch::run(engine, input, &mut file, formatter.as_mut(), &options)
                .context("batch failed")?;
            file.commit()?;
            stats
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    report_ignored_columns(&stats.ignored_columns);
    eprintln!("massage-check: {}", stats.describe());
    if stats.records == 0 {
        // An empty or unreadable stream must not pass for a clean run in a script.
        eprintln!("massage-check: no records in the input");
        return Ok(EXIT_ERROR);
    }
    Ok(batch_exit_code(&stats, failed_files.map_or(0, |f| f.get())))
}

/// Names, once, the CSV columns that match no question (at most 20, escaped and cut).
fn report_ignored_columns(ignored: &[String]) {
    if ignored.is_empty() {
        return;
    }
    // Reported once, here: a form export's timestamp or e-mail is expected, a
    // misspelt question is not (that is an error in every row instead).
    let shown = ignored.len().min(20);
    let more = match ignored.len() - shown {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    // Headers come from the input: control characters escaped, long ones cut.
    let names: Vec<String> = ignored[..shown]
        .iter()
        .map(|n| crate::printable::printable(&n.chars().take(64).collect::<String>()).into_owned())
        .collect();
    eprintln!(
        "massage-check: columns that match no question, not read: {}{more}",
        names.join(", ")
    );
}

/// 0 when every record was assessed and written; 1 for an invalid record, an empty input
/// or a summary file not written; 3 when `--fail-on` matched.
fn batch_exit_code(stats: &batch::Stats, failed_files: u64) -> u8 {
    if failed_files > 0 {
        eprintln!("massage-check: {failed_files} summary file(s) could not be written (see above)");
    }
    if stats.invalid > 0 || failed_files > 0 {
        EXIT_ERROR
    } else if stats.fail_on_hit {
        EXIT_FAIL_ON
    } else {
        EXIT_OK
    }
}

/// The input format: `--input-format`, or the file's extension, or JSON Lines on stdin.
fn batch_input_format(args: &BatchArgs, is_stdin: bool) -> Result<InputFormat> {
    match (args.input_format, InputFormat::from_path(&args.file)) {
        (Some(f), _) | (None, Some(f)) => Ok(f),
        (None, None) if is_stdin => Ok(InputFormat::Jsonl),
        (None, None) => Err(UsageError(format!(
            "cannot tell the format of {} from its name; add --input-format jsonl|csv|yaml",
            args.file.display()
        ))
        .into()),
    }
}

/// Refuses, before anything is read, an output that would replace the input with its own
/// results (`--force` or not), one that cannot be written, or a closed stdout: a whole
/// batch must not be assessed into nowhere.
fn check_batch_output(args: &BatchArgs, is_stdin: bool) -> Result<()> {
    match (args.format, &args.output_dir) {
        (BatchOutput::Markdown, None) => {
            return Err(UsageError(
                "--format markdown writes one file per record: add --output-dir DIR".into(),
            )
            .into());
        }
        (BatchOutput::Markdown, Some(dir)) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot make the folder {}", dir.display()))?;
        }
        (_, Some(_)) => {
            return Err(UsageError(
                "--output-dir goes with --format markdown (one summary file per record)".into(),
            )
            .into());
        }
        (_, None) => {}
    }
    if let Some(path) = &args.output {
        if !is_stdin && output_file::same_file(&args.file, path) {
            return Err(UsageError(format!(
                "--output {} is the input file; write the results to another file",
                path.display()
            ))
            .into());
        }
        output_file::check_target(path, args.force, "--output")?;
    }
    if args.output.is_none() && !stdout_is_open() {
        return Err(closed_stdout());
    }
    Ok(())
}

/// The input to read and its size when known (a file, for the progress bar).
fn open_batch_input(
    args: &BatchArgs,
    is_stdin: bool,
) -> Result<(Box<dyn Read + Send>, Option<u64>)> {
    if is_stdin {
        if std::io::stdin().is_terminal() {
            eprintln!(
                "massage-check: reading records from the terminal, one per line (JSON Lines unless --input-format says otherwise); press Ctrl-D on an empty line to end"
            );
        }
        return Ok((Box::new(std::io::stdin()), None));
    }
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(file), size))
}

/// A pretty-printed JSON document read as JSON Lines fails line by line with errors that
/// say nothing useful; say what it is before reading on.
fn refuse_pretty_printed_json(input: &mut impl std::io::BufRead) -> Result<()> {
    let start = input.fill_buf().context("cannot read the input")?;
    let first = start
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty());
    if matches!(first, Some(b"{" | b"[")) {
        return Err(UsageError(
            "the input starts with a line holding only `{` or `[`: it looks like one JSON document spread over several lines, but JSON Lines need one whole object per line. For one person use `massage-check check FILE`; to turn a JSON list into JSON Lines, `jq -c '.[]' FILE | massage-check batch -`".into(),
        )
        .into());
    }
    Ok(())
}

/// `--fail-on`: exit 3 when the verdict is at least as strict as asked.
pub fn fail_on_code(tier: Tier, fail_on: Option<Tier>) -> u8 {
    match fail_on {
        Some(limit) if tier >= limit => EXIT_FAIL_ON,
        _ => EXIT_OK,
    }
}

/// Whether standard output is open for writing (not closed, and not opened read-only).
pub fn stdout_is_writable() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: fcntl only reads the descriptor's flags.
        let mode = unsafe { libc::fcntl(1, libc::F_GETFL) };
        if mode < 0 || mode & libc::O_ACCMODE == libc::O_RDONLY {
            return false;
        }
    }
    stdout_is_open()
}

/// Whether stdout was open when the program started (see [`was_closed`]).
pub fn stdout_is_open() -> bool {
    !was_closed(1)
}

/// Whether stdin was open when the program started (see [`was_closed`]).
pub fn stdin_is_open() -> bool {
    !was_closed(0)
}

/// Whether descriptor `fd` was closed when the program started. The standard library
/// reopens a closed standard descriptor (`>&-`, `<&-`) on `/dev/null` before `main`,
/// read-write, which would turn lost output into a silent success and a closed input
/// into an empty one; a shell's `> /dev/null` or `< /dev/null` opens it one way only, so
/// that stays a legitimate choice.
fn was_closed(fd: i32) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: fstat and fcntl only read the descriptor's state into memory we own.
        unsafe {
            let mut fd_stat: libc::stat = std::mem::zeroed();
            let mut null_stat: libc::stat = std::mem::zeroed();
            if libc::fstat(fd, &mut fd_stat) != 0 {
                return true;
            }
            let is_null = libc::stat(c"/dev/null".as_ptr(), &mut null_stat) == 0
                && fd_stat.st_mode & libc::S_IFMT == libc::S_IFCHR
                && fd_stat.st_rdev == null_stat.st_rdev;
            let read_write = libc::fcntl(fd, libc::F_GETFL) & libc::O_ACCMODE == libc::O_RDWR;
            is_null && read_write
        }
    }
    #[cfg(not(unix))]
    {
        let _ = fd;
        false
    }
}

fn closed_stdin() -> anyhow::Error {
    UsageError(
        "standard input is closed, so there are no answers to read; give a file (`massage-check check me.yaml`) or pipe answers in".into(),
    )
    .into()
}

fn closed_stdout() -> anyhow::Error {
    anyhow::anyhow!("cannot write to standard output: it is closed")
}

/// Writes all of `bytes` to stdout; a closed pipe ends the program quietly.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    if !stdout_is_open() {
        return Err(closed_stdout());
    }
    let mut stdout = std::io::stdout().lock();
    match crate::whole_write::write_whole(&mut stdout, bytes) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

/// The case files for a rulebook: `DIR/tests/*.yaml`, after the built-in cases when the
/// rulebook extends the built-in one (whose defaults its files then inherit).
fn case_set(engine: &Engine, dir: Option<&Path>) -> Result<crate::cases::CaseSet> {
    let builtin = || {
        crate::cases::load(&crate::rulebook::builtin::test_files())
            .map_err(|e| anyhow::anyhow!("the built-in test cases are broken: {e}"))
    };
    let Some(dir) = dir else {
        return Ok(crate::cases::CaseSet {
            files: builtin()?,
            inherited: None,
        });
    };
    let mut set = crate::cases::CaseSet::default();
    if engine.book().extends_builtin() {
        set.files = builtin()?;
        set.inherited = set.files.iter().find_map(|(_, f)| f.defaults.clone());
    }
    let tests = dir.join("tests");
    if tests.is_dir() {
        let paths = crate::rulebook::yaml_files(&tests)?;
        let mut texts = Vec::new();
        for path in paths {
            let text = crate::rulebook::read_text_file(&path)?;
            texts.push((path.display().to_string(), text));
        }
        set.files
            .extend(crate::cases::load(&texts).map_err(|e| UsageError(e.to_string()))?);
    }
    Ok(set)
}

fn rules_test(dir: Option<&Path>, format: TestFormat, min_coverage: f64, date: Date) -> Result<u8> {
    let engine = load_engine(dir)?;
    let set = case_set(engine, dir)?;
    let problems = crate::cases::check(engine, &set);
    if !problems.is_empty() {
        let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        return Err(UsageError(format!(
            "the test cases have {} problem(s):\n{}",
            problems.len(),
            lines.join("\n")
        ))
        .into());
    }
    let report = crate::cases::run(engine, &set, date);
    let out = match format {
        TestFormat::Text => crate::cases::render_text(&report),
        TestFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    write_stdout(out.as_bytes())?;
    if report.cases.is_empty() {
        eprintln!("massage-check: no test cases ran; add cases under tests/*.yaml");
    } else if report.coverage.percent + 1e-9 < min_coverage {
        eprintln!(
            "massage-check: rule coverage {:.1}% is below --min-coverage {min_coverage}",
            report.coverage.percent
        );
    }
    Ok(if report.ok(min_coverage) {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}

/// Reads and checks a column map (`--columns`); its problems are a usage error.
fn read_column_map(book: &Rulebook, path: &Path) -> Result<ColumnMap> {
    let text = crate::rulebook::read_text_file(path)
        .with_context(|| format!("cannot read the column map {}", path.display()))?;
    ColumnMap::parse(book, &text).map_err(|problems| {
        UsageError(format!(
            "the column map {} has {} problem(s):\n  {}",
            path.display(),
            problems.len(),
            problems.join("\n  ")
        ))
        .into()
    })
}

/// `rules check --columns MAP`: the map against the rulebook (the built-in one, or DIR).
/// Like `rules check`: every problem on stdout and exit 1, or silent and exit 0.
fn column_map_check(dir: Option<&Path>, map: &Path) -> Result<u8> {
    let engine = load_engine(dir)?;
    let text = crate::rulebook::read_text_file(map)
        .with_context(|| format!("cannot read the column map {}", map.display()))?;
    match ColumnMap::parse(engine.book(), &text) {
        Ok(_) => Ok(EXIT_OK),
        Err(problems) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", map.display(), crate::printable::printable(p)))
                .collect();
            write_stdout(format!("{}\n", lines.join("\n")).as_bytes())?;
            eprintln!(
                "massage-check: {} has {} problem(s)",
                map.display(),
                problems.len()
            );
            Ok(EXIT_ERROR)
        }
    }
}

fn rules_check(dir: Option<&Path>) -> Result<u8> {
    let loaded = match dir {
        Some(dir) => Rulebook::from_dir(dir),
        // A real check: the YAML again, as an author would have it read.
        None => Rulebook::builtin_from_yaml(),
    }
    .and_then(Engine::new);
    let name = dir
        .map(PathBuf::from)
        .map_or("the built-in rulebook".into(), |d| d.display().to_string());
    let mut lines: Vec<String> = match loaded {
        Ok(engine) => {
            for o in crate::engine::overlap::overlaps(&engine, &Rulebook::builtin()?) {
                let at = engine.book().location(&o.added);
                eprintln!("warning: {at}: {}", o.message);
            }
            let mut lines: Vec<String> = Vec::new();
            if dir.is_some() {
                let comparison = compare_with_builtin(&engine)?;
                for warning in comparison.warnings(engine.book()) {
                    eprintln!("warning: {warning}");
                }
                lines.extend(
                    comparison
                        .problems(engine.book())
                        .iter()
                        .map(|p| p.to_string()),
                );
            }
            // The cases beside the rules are part of the rulebook: a typo in one must not
            // wait for `rules test` to show.
            match case_set(&engine, dir) {
                Ok(set) => lines.extend(
                    crate::cases::check(&engine, &set)
                        .iter()
                        .map(|p| p.to_string()),
                ),
                Err(e) => lines.push(format!("{e:#}")),
            }
            lines
        }
        Err(RulebookError::Invalid(problems)) => problems.iter().map(|p| p.to_string()).collect(),
        Err(e @ RulebookError::Io { .. }) => bail!(e),
    };
    if lines.is_empty() {
        return Ok(EXIT_OK);
    }
    let count = lines.len();
    lines.push(String::new());
    write_stdout(lines.join("\n").as_bytes())?;
    eprintln!("massage-check: {name} has {count} problem(s)");
    Ok(EXIT_ERROR)
}
