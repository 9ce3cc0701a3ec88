//! The `maillage` command line: parses arguments, runs the library, turns
//! diagnostics into text and outcomes into exit codes.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use maillage::build::{BuildOptions, analyse_site, build};
use maillage::topics::{report, suggest};
use maillage::watch::{self, WatchOptions};

/// mimalloc rather than the system allocator: the pipeline allocates many
/// small strings and vectors on every thread, and glibc malloc took about a
/// tenth of a 10,000-document build (docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// maillage: turns a folder of documents (Markdown or plain text) into a
/// browsable static site, split into sections and cross-linked by topic.
#[derive(Parser)]
#[command(name = "maillage", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The site to read and where to write it: shared by `build` and `watch`.
#[derive(clap::Args)]
struct SiteArgs {
    /// The site folder, holding content/ (default: the current folder).
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Where to write the site (default: ROOT/output).
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Write into a non-empty folder that maillage did not create. Files
    /// maillage did not write are never deleted, even then.
    #[arg(long)]
    force: bool,
    /// Also build documents whose front matter says `draft = true`.
    #[arg(long)]
    drafts: bool,
}

impl SiteArgs {
    fn options(self, strict: bool) -> BuildOptions {
        BuildOptions {
            root: self.root,
            output: self.output,
            force: self.force,
            drafts: self.drafts,
            strict,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Build the site: read content/, write every page into output/.
    ///
    /// Reads site.toml, content/ (Markdown .md and plain text .txt documents,
    /// and the topic catalog content/topics.toml), templates/ and theme/
    /// (each optional: built-in defaults are used for what a site lacks).
    /// Writes output/: one page per document, one per topic, a topic index,
    /// a home page, site.json and the theme. Files whose bytes did not change
    /// are left untouched. Nothing is written when any input is bad.
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Treat warnings as errors (links to missing files or anchors,
        /// unknown front matter keys…): report them all and write nothing.
        #[arg(long)]
        strict: bool,
        /// Print only warnings and errors.
        #[arg(long, short)]
        quiet: bool,
        /// Also print the wall and CPU time of each build stage (to stderr).
        #[arg(long)]
        timings: bool,
    },
    /// Build the site, then rebuild it on every change and serve it with
    /// live reload.
    ///
    /// Watches content/, templates/, theme/ and site.toml. Each change first
    /// rewrites the pages it obviously changes (the edited document's page
    /// within milliseconds), then relinks the whole site in the background
    /// and writes whatever else changed (related sections, search index), so
    /// that the output ends up exactly as `maillage build` writes it. One
    /// line per rebuild says what changed, what was written and how long it
    /// took. The site is served at http://127.0.0.1:8000/ (the next free port
    /// if taken); pages reload by themselves after a rebuild, and a
    /// stylesheet change refreshes the styles in place. An error is shown in
    /// the terminal and over the page, while the last good site stays
    /// served. Ctrl-C stops.
    Watch {
        #[command(flatten)]
        site: SiteArgs,
        /// The port to serve on; the next free one is used if it is taken
        /// (0: any free port).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The address to serve on. The default serves this machine only.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Only rebuild; do not serve.
        #[arg(long)]
        no_serve: bool,
        /// How long a changed file must stay quiet before it is rebuilt, in
        /// milliseconds; raise it if a slow disk splits bursts of changes.
        #[arg(long, value_name = "MS", default_value_t = 20)]
        debounce: u64,
    },
    /// Report on the topic catalog, or propose new topics.
    ///
    /// Without options: every topic with its section and document counts,
    /// the aliases that never match (often a typo), and the sections that
    /// carry no topic. With --suggest: the key phrases of the content that
    /// no alias covers, as [[topic]] entries ready to paste into
    /// content/topics.toml, each with its counts and two example contexts.
    Topics {
        /// The site folder, holding content/ (default: the current folder).
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
        /// Also read documents whose front matter says `draft = true`.
        #[arg(long)]
        drafts: bool,
        /// Propose new topics instead of reporting on the catalog.
        #[arg(long)]
        suggest: bool,
        /// How many topics to propose.
        #[arg(long, value_name = "N", default_value_t = 20, requires = "suggest")]
        limit: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            site,
            strict,
            quiet,
            timings,
        } => run_build(&site.options(strict), quiet, timings),
        Command::Watch {
            site,
            port,
            bind,
            no_serve,
            debounce,
        } => {
            let options = WatchOptions {
                build: site.options(false),
                serve: (!no_serve).then_some((bind, port)),
                debounce: Duration::from_millis(debounce.max(1)),
            };
            run_watch(&options)
        }
        Command::Topics {
            root,
            drafts,
            suggest,
            limit,
        } => run_topics(&root, drafts, suggest.then_some(limit)),
    }
}

fn run_watch(options: &WatchOptions) -> ExitCode {
    let result = watch::run(options, &mut |notice| {
        if notice.is_problem() {
            eprintln!("{notice}");
        } else {
            println!("{notice}");
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            eprintln!("watch could not start");
            ExitCode::FAILURE
        }
    }
}

/// `maillage topics`: prints the report, or `limit` suggestions.
fn run_topics(root: &std::path::Path, drafts: bool, suggestions: Option<usize>) -> ExitCode {
    let site = match analyse_site(root, drafts) {
        Ok(site) => site,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    for w in &site.warnings {
        eprintln!("{w}");
    }
    match suggestions {
        Some(limit) => {
            let found = suggest::suggest(&site.documents, &site.catalog, limit);
            print!(
                "{}",
                suggest::to_toml(&found, &site.catalog, &site.content_dir)
            );
        }
        None => {
            let r = report::report(
                &site.documents,
                &site.catalog,
                &site.topics,
                &site.content_dir,
            );
            print!("{r}");
        }
    }
    ExitCode::SUCCESS
}

fn run_build(options: &BuildOptions, quiet: bool, timings: bool) -> ExitCode {
    match build(options) {
        Ok(summary) => {
            for w in &summary.warnings {
                eprintln!("{w}");
            }
            if timings {
                eprintln!(
                    "timings (s, wall/cpu): {}",
                    maillage::timing::format(&summary.timings)
                );
                eprintln!(
                    "memory (MiB, peak so far/resident after each stage): {}",
                    maillage::timing::format_memory(&summary.timings)
                );
            }
            if !quiet {
                println!(
                    "built {} in {} ({} written, {} unchanged, {} removed) in {:.2} s",
                    maillage::plural::site_counts(
                        summary.documents,
                        summary.sections,
                        summary.topics,
                        summary.pages
                    ),
                    summary.output.display(),
                    summary.write.written,
                    summary.write.unchanged,
                    summary.write.removed,
                    summary.elapsed.as_secs_f64()
                );
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{err}");
            let n = err.diagnostics.len();
            eprintln!(
                "build failed with {n} error{}; the previous output was left untouched",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}
