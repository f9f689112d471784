//! Command-line parsing only; the work happens in [`crate::app`].
//! Must not read files, build the engine or print anything: it only describes the
//! command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::batch::InputFormat;
use crate::date::Date;
use crate::report::{BatchOutput, Format};
use crate::rulebook::Tier;

pub const EXIT_CODES: &str = "\
Exit codes:
  0  an assessment was printed (whatever the verdict), or the command succeeded
  1  a runtime or rulebook error (unreadable file, broken rulebook)
  2  a usage error or invalid answers (nothing is printed on stdout)
  3  --fail-on TIER was given and the verdict is that tier or stricter";

#[derive(Debug, Parser)]
#[command(
    name = "massage-check",
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (built-in rulebook ",
        env!("MASSAGE_CHECK_RULEBOOK_VERSION"),
        ")"
    ),
    about = "Tells a person with back pain whether massage suits them now, which kinds suit \
             best, when to wait, and when to see a clinician first.",
    long_about = "Tells a person with back pain whether massage suits them now, which kinds \
                  suit best, when to wait, and when to see a clinician first (and how \
                  urgently).\n\nThe knowledge lives in a rulebook (built in, or --rules DIR); \
                  every rule cites its source. This is information, not a diagnosis.",
    after_help = "Examples:\n  massage-check\n  massage-check check examples/desk-worker.yaml\n  \
                  massage-check check --format json me.json\n  \
                  cat me.yaml | massage-check check -\n  massage-check rules check rules/",
    after_long_help = concat!(
        "Examples:\n  massage-check                      (the interview)\n  ",
        "massage-check check examples/desk-worker.yaml\n  ",
        "massage-check check --format json me.json\n  cat me.yaml | massage-check check -\n  ",
        "massage-check rules check rules/\n\n",
        "Exit codes:\n  0  an assessment was printed (whatever the verdict), or the command succeeded\n  ",
        "1  a runtime or rulebook error (unreadable file, broken rulebook)\n  ",
        "2  a usage error or invalid answers (nothing is printed on stdout)\n  ",
        "3  --fail-on TIER was given and the verdict is that tier or stricter"
    )
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Without a command: the interview when standard input is a terminal, otherwise
    /// `check -` on the answers piped in.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Use the rulebook in DIR (its *.yaml files) instead of the built-in one.
    ///
    /// Example: --rules ./my-clinic-rules
    #[arg(long, value_name = "DIR", global = true)]
    pub rules: Option<PathBuf>,

    /// Assess as of this date (YYYY-MM-DD) instead of today, so output is reproducible.
    ///
    /// Wait periods are turned into dates from it. Example: --today 2026-11-21
    #[arg(long, value_name = "DATE", global = true, value_parser = parse_date)]
    pub today: Option<Date>,

    /// Never prompt: fail instead of asking questions (for scripts and CI).
    ///
    /// Example: massage-check --no-input < me.yaml
    #[arg(long, global = true)]
    pub no_input: bool,

    /// When to colour the text report: auto (a terminal, unless NO_COLOR is set or
    /// TERM=dumb; CLICOLOR_FORCE forces it), always, or never.
    ///
    /// Example: --color never
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
}

/// `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    pub fn choice(self) -> anstream::ColorChoice {
        match self {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        }
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.parse::<Date>().map_err(|e| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess one answers file (YAML or JSON, or `-` for stdin).
    #[command(
        after_help = "Examples:\n  massage-check check examples/desk-worker.yaml\n  \
                      massage-check check --format json --today 2026-11-21 me.yaml\n  \
                      massage-check check --fail-on see_clinician me.yaml || echo 'see a clinician'\n  \
                      echo '{\"pain_intensity\": 4}' | massage-check check -",
        after_long_help = concat!(
            "Examples:\n  massage-check check examples/desk-worker.yaml\n  ",
            "massage-check check --format json --today 2026-11-21 me.yaml\n  ",
            "massage-check check --fail-on see_clinician me.yaml || echo 'see a clinician'\n  ",
            "echo '{\"pain_intensity\": 4}' | massage-check check -\n\n",
            "Exit codes:\n  0  an assessment was printed (whatever the verdict)\n  ",
            "1  a runtime or rulebook error\n  ",
            "2  a usage error or invalid answers (nothing is printed on stdout)\n  ",
            "3  --fail-on TIER was given and the verdict is that tier or stricter"
        )
    )]
    Check(CheckArgs),

    /// Answer the questions in the terminal, then get the report.
    #[command(
        after_help = "Examples:\n  massage-check ask\n  massage-check ask --save me.yaml\n  \
                      massage-check ask --format json > report.json",
        after_long_help = concat!(
            "Examples:\n  massage-check ask\n  massage-check ask --save me.yaml\n  ",
            "massage-check ask --format json > report.json\n\n",
            "Prompts go to the terminal (stderr), never to stdout. An answer that needs emergency ",
            "care ends the interview at once and shows the advice (also on the screen when the ",
            "report goes to a file).\n\n",
            "Keys:\n  Up/Down        move on a list\n  1-9            pick that line of a list\n  ",
            "letters        type an answer's start; picked only when it fits one answer\n  ",
            "Space          tick or untick a line of a checklist\n  ",
            "Enter          confirm (refused while nothing is picked or ticked)\n  ",
            "?              help on the question and its choices\n  ",
            "Shift-Tab, Left  back to the previous question, showing your earlier answer\n  ",
            "Esc, Ctrl-D    stop (asks first; y stops, exit 4)\n  ",
            "Ctrl-C         stop at once (exit 130)\n  ",
            "Ctrl-U, Ctrl-W, Ctrl-K, Ctrl-A, Ctrl-E, Home, End  edit a typed answer\n\n",
            "Exit codes:\n  0  the report was printed\n  1  a runtime error, or the save failed after the report\n  ",
            "2  a usage error, or the input ended before the interview finished\n  ",
            "3  --fail-on TIER matched\n  4  you stopped the interview (Esc, then y)\n  130  Ctrl-C"
        )
    )]
    Ask(AskArgs),

    /// Assess many people at once: JSON Lines, CSV or YAML in, one result per record out.
    #[command(
        after_help = "Examples:\n  massage-check batch people.jsonl > results.jsonl\n  \
                      massage-check batch intake.csv --format csv --output results.csv\n  \
                      cat people.jsonl | massage-check batch --format summary",
        after_long_help = concat!(
            "Examples:\n  massage-check batch people.jsonl > results.jsonl\n  ",
            "massage-check batch intake.csv --format csv --output results.csv\n  ",
            "cat people.jsonl | massage-check batch --format summary\n  ",
            "massage-check batch --input-format yaml - < people.yaml\n\n",
            "Every record in gets exactly one result out, in input order; an unreadable or invalid ",
            "record gets an error result in its place and the batch goes on. A summary goes to ",
            "stderr at the end.\n\n",
            "Exit codes:\n  0  every record was assessed\n  ",
            "1  at least one record was invalid (its error result is in the output), or a runtime error\n  ",
            "2  a usage error\n  ",
            "3  --fail-on TIER was given and some verdict is that tier or stricter (and no record was invalid)"
        )
    )]
    Batch(BatchArgs),

    /// Print a commented answers file with every question, ready to fill in; or the CSV
    /// header row `batch` reads, or the questions as a plain list to build a form from.
    #[command(after_help = "Examples:\n  massage-check template > me.yaml\n  \
                            $EDITOR me.yaml && massage-check check me.yaml\n  \
                            massage-check template --format csv > people.csv\n  \
                            massage-check template --format form > intake-form.txt")]
    Template(TemplateArgs),

    /// Print a JSON Schema: of the answers file, the JSON report, or a rulebook file.
    #[command(
        after_help = "Examples:\n  massage-check schema answers > answers.schema.json\n  \
                            massage-check schema report\n  massage-check schema rulebook"
    )]
    Schema {
        /// What to describe.
        #[arg(value_enum)]
        subject: crate::schema::Subject,
    },

    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Examples:\n  massage-check completions bash > ~/.local/share/bash-completion/completions/massage-check\n  \
                            massage-check completions zsh > ~/.zfunc/_massage-check\n  \
                            massage-check completions fish > ~/.config/fish/completions/massage-check.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the manual page (roff) to stdout.
    #[command(
        after_help = "Examples:\n  massage-check man > massage-check.1 && man ./massage-check.1\n  \
                            massage-check man > ~/.local/share/man/man1/massage-check.1"
    )]
    Man,

    /// Work with rulebooks: validate, test, list and show their items.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// The answers file: a path, or `-` to read standard input.
    ///
    /// YAML or JSON, detected from the content. Example: examples/desk-worker.yaml
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct BatchArgs {
    /// The records: a path, or `-` (the default) for standard input.
    ///
    /// Example: people.jsonl
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,

    /// Input format; by default taken from the file extension (.jsonl, .csv, .yaml),
    /// and JSON Lines for standard input.
    ///
    /// Example: --input-format csv
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,

    /// Output format: JSON Lines (one result per line), CSV (one row per record), a
    /// summary (counts per tier and the records needing a clinician), or markdown (one
    /// summary file per record into --output-dir, and the summary on stdout).
    ///
    /// Example: --format csv
    #[arg(long, short = 'f', value_enum, default_value_t = BatchOutput::Jsonl)]
    pub format: BatchOutput,

    /// With --format jsonl: write the whole `check --format json` report on each line,
    /// instead of the brief result.
    #[arg(long)]
    pub full: bool,

    /// Write the results to FILE (whole, via a temporary file) instead of stdout.
    ///
    /// Example: --output results.jsonl
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// With --format markdown: the folder for one Markdown summary per record
    /// (`DIR/<id>.md`, as `check --format markdown` writes it), made if missing; the
    /// summary table goes to stdout.
    ///
    /// Example: --format markdown --output-dir summaries
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Overwrite the --output file (or the --output-dir files) if they exist.
    #[arg(long)]
    pub force: bool,

    /// Exit with code 3 when any verdict is TIER or stricter.
    ///
    /// Example: --fail-on emergency
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub fail_on: Option<Tier>,

    /// Never show a progress bar (it shows only when stderr is a terminal and the input
    /// is a file).
    #[arg(long)]
    pub no_progress: bool,

    /// Threads that assess: 1 does everything on one thread; with N of 2 or more, one
    /// more thread reads (and parses, but for JSON Lines input, which the assessing
    /// threads parse), and for JSON Lines and CSV output N threads assess at once (a summary or Markdown files are assessed on one). Default: the machine's
    /// cores, at most 8. The output is byte for byte the same, in input order, either way.
    ///
    /// Example: --threads 1
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=64))]
    pub threads: Option<u8>,

    /// CSV/TSV: the column whose cells name each record (default: the column headed
    /// `id`), such as a form export's e-mail or booking column.
    ///
    /// Example: --id-column "Email address"
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,

    /// CSV/TSV: a YAML map from your form's headers to question ids and from its cell
    /// texts to choice ids, for a form whose wording differs from the rulebook's
    /// (`massage-check template --format columns` prints one to start from).
    ///
    /// Example: --columns form-map.yaml
    #[arg(long, value_name = "MAP")]
    pub columns: Option<PathBuf>,

    /// Permission bits, in octal, for the file written. Answers and reports are health
    /// information, so by default a new file is readable by its owner only (600); with
    /// --force the replaced file's bits are kept.
    ///
    /// Example: --mode 640
    #[arg(long, value_name = "OCTAL", value_parser = parse_mode)]
    pub mode: Option<u32>,
}

#[derive(Debug, Args, Clone)]
pub struct TemplateArgs {
    /// What to print: `yaml`, an answers file to fill in; `csv`, the header row of a
    /// batch CSV (`id` and every question id); `form`, every question with its help,
    /// choices (as labels) and when it is asked, to paste into a form builder; `columns`,
    /// a column map for `batch --columns` to start from.
    ///
    /// Example: --format form
    #[arg(long, short = 'f', value_enum, default_value_t = crate::template::TemplateFormat::Yaml)]
    pub format: crate::template::TemplateFormat,
}

#[derive(Debug, Args, Clone, Default)]
pub struct AskArgs {
    /// Also write the answers to FILE, which `massage-check check FILE` reads back.
    ///
    /// Written whole or not at all. Example: --save me.yaml
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,

    /// Overwrite the --save file if it exists.
    #[arg(long)]
    pub force: bool,

    /// Permission bits, in octal, for the file written. Answers and reports are health
    /// information, so by default a new file is readable by its owner only (600); with
    /// --force the replaced file's bits are kept.
    ///
    /// Example: --mode 640
    #[arg(long, value_name = "OCTAL", value_parser = parse_mode)]
    pub mode: Option<u32>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format: `text` for people, `json` for programs, `markdown` for a summary to
    /// print or send to a therapist or doctor.
    ///
    /// Example: --format json
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Exit with code 3 when the verdict is TIER or stricter (after printing the report).
    ///
    /// Tiers from strictest: emergency, see_clinician, wait, caution, suitable.
    /// Example: --fail-on see_clinician
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub fail_on: Option<Tier>,

    /// Show how the verdict was reached: every rule, fired or not, each condition with the
    /// answer it read and its result, with the rule's sources (`trace` in JSON).
    #[arg(long, short = 'v', visible_alias = "verbose")]
    pub explain: bool,

    /// Print only the verdict line (text format).
    ///
    /// Example: massage-check check -q me.yaml
    #[arg(long, short = 'q', conflicts_with = "explain")]
    pub quiet: bool,
}

impl Default for OutputArgs {
    fn default() -> OutputArgs {
        OutputArgs {
            format: Format::Text,
            fail_on: None,
            explain: false,
            quiet: false,
        }
    }
}

/// Output formats for `rules test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// PASS or FAIL per case, a diff for each failure, then coverage.
    Text,
    /// One JSON object with every case and the coverage, for CI.
    Json,
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    Tier::parse(s).ok_or_else(|| {
        let names = Tier::ALL.map(|t| t.as_str());
        // `see-clinician` is the usual slip: the names use underscores.
        let guess = crate::suggest::closest(&s.replace('-', "_"), names)
            .map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
        format!(
            "`{s}` is not a tier{guess}; expected one of emergency, see_clinician, wait, caution, suitable"
        )
    })
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rulebook's items: questions, rules, techniques, care and sources.
    #[command(
        after_help = "Examples:\n  massage-check rules list\n  massage-check rules list --kind rule"
    )]
    List {
        /// Only items of this kind.
        #[arg(long, value_enum)]
        kind: Option<crate::describe::Kind>,
    },

    /// Show one item (rule, question, technique, care or source) with its rationale and sources.
    #[command(
        after_help = "Examples:\n  massage-check rules show ces_saddle_numbness\n  \
                            massage-check rules show deep_tissue"
    )]
    Show {
        /// The item's id.
        id: String,
    },

    /// Run the rulebook's test cases (DIR/tests/*.yaml) and report rule coverage.
    #[command(after_help = "Examples:\n  massage-check rules test\n  \
                            massage-check rules test ./my-rules --min-coverage 100\n  \
                            massage-check rules test --format json > results.json")]
    Test {
        /// The rulebook directory; defaults to --rules, or else the built-in rulebook.
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,

        /// Output format: `text` (PASS/FAIL per case) or `json` for CI.
        ///
        /// Example: --format json
        #[arg(long, short = 'f', value_enum, default_value_t = TestFormat::Text)]
        format: TestFormat,

        /// Fail when fewer than PCT percent of the rules are fired by some case.
        ///
        /// Example: --min-coverage 100
        #[arg(long, value_name = "PCT", default_value_t = 0.0)]
        min_coverage: f64,
    },

    /// Validate a rulebook; prints every problem and exits 1, or is silent and exits 0.
    #[command(
        after_help = "Examples:\n  massage-check rules check\n  massage-check rules check ./my-rules\n  massage-check rules check --columns form-map.yaml"
    )]
    Check {
        /// The rulebook directory; defaults to --rules, or else the built-in rulebook.
        ///
        /// Example: ./my-rules
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,

        /// Also check a column map (as `batch --columns` reads it) against the rulebook.
        ///
        /// Example: --columns form-map.yaml
        #[arg(long, value_name = "MAP")]
        columns: Option<PathBuf>,
    },
}

/// `--mode`: permission bits in octal, 000 to 777.
fn parse_mode(text: &str) -> Result<u32, String> {
    let digits = text.strip_prefix("0o").unwrap_or(text);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o777 && !digits.is_empty() => Ok(mode),
        _ => Err(format!(
            "expected permission bits in octal, from 000 to 777 (such as 600 or 640), found `{text}`"
        )),
    }
}
