//! The command line: options as clap parses them, then one function per command.

mod bench;

use crate::index::{self, UpdateOptions};
use crate::ingest;
use crate::print::{self, Style};
use crate::query::{Engine, KwicSort, Request};
use crate::Error;
use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// serge: full-text search over the Victor Serge corpus.
#[derive(Debug, Parser)]
#[command(name = "serge", version, about)]
pub struct Cli {
    /// The raw text files, one document per file (subfolders are walked).
    #[arg(long, global = true, env = "SERGE_CORPUS", default_value = "corpus")]
    pub corpus: PathBuf,
    /// Where the index and its manifest live.
    #[arg(long, global = true, env = "SERGE_INDEX", default_value = "index")]
    pub index: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print raw files exactly as the ingester will index them.
    Clean {
        /// Raw files to clean.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Bring the index up to date with the corpus.
    Index {
        /// Start from empty; searches keep seeing the previous commit until this one lands.
        #[arg(long)]
        rebuild: bool,
    },
    /// Ranked passages with context.
    Search(SearchArgs),
    /// List the documents of the index with their metadata and repairs.
    Docs {
        /// JSON Lines output.
        #[arg(long)]
        json: bool,
    },
    /// Query latency over a query set.
    Bench {
        /// Query set: one query per line, optionally `class<TAB>query`.
        #[arg(long, default_value = "benches/queries.txt")]
        queries: PathBuf,
        /// Timed runs of each query (after one warm-up run).
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// Hits per year (or decade) or per author, drawn as bars.
    Timeline {
        /// The query, as for search.
        query: String,
        /// Count by year (decades when the years spread wide) or by author.
        #[arg(long, value_enum, default_value_t = ByChoice::Year)]
        by: ByChoice,
        #[command(flatten)]
        filters: FilterArgs,
        /// The counts as one JSON object.
        #[arg(long)]
        json: bool,
        /// Colour the bars: auto, always, never.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Passages most similar to a given one, with the words they share.
    Similar {
        /// The passage: DOC:PARAGRAPH, as in a hit's [doc ¶n] (an id or its start).
        passage: String,
        /// At most N passages.
        #[arg(short = 'n', long = "limit", default_value_t = 10)]
        limit: usize,
        /// N neighbouring passages before and after each hit.
        #[arg(short = 'C', long = "context", default_value_t = 0)]
        context: usize,
        /// JSON Lines on stdout, one object per hit.
        #[arg(long)]
        json: bool,
        /// Highlight the shared words: auto, always, never.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Passages of different documents that share a run of words (quotations).
    Quotes {
        /// Shortest shared run, in words.
        #[arg(long, default_value_t = crate::query::quotes::DEFAULT_WORDS)]
        words: usize,
        /// At most N groups (all by default).
        #[arg(short = 'n', long = "limit")]
        limit: Option<usize>,
        /// JSON Lines on stdout, one object per group.
        #[arg(long)]
        json: bool,
        /// Highlight the shared wording: auto, always, never.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Write a deterministic scale corpus trained on --corpus (for benchmarks).
    Generate {
        /// Directory to write the documents and their catalog.json into.
        out: PathBuf,
        /// Total size of raw text: bytes, or with a unit (500KB, 100MB, 1GB).
        #[arg(long, default_value = "1MB")]
        size: String,
        /// Seed: the same seed and size always give the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// How `--kwic` lines are sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortChoice {
    /// By rank of the passage (the default).
    Rank,
    /// By the words before the match, nearest first (L1, L2…).
    Left,
    /// By the words after the match (R1, R2…).
    Right,
    Doc,
    Year,
}

/// What `serge timeline` counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByChoice {
    /// Years, or decades when the years spread wide.
    Year,
    Author,
}

/// The filters shared by search and timeline.
#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    /// Only documents whose author matches (any word of the name).
    #[arg(long)]
    pub author: Option<String>,
    /// Only documents of that year (Y) or inclusive range (Y1..Y2).
    #[arg(long)]
    pub year: Option<String>,
    /// Only that document (an id, or the start of one).
    #[arg(long)]
    pub doc: Option<String>,
}

/// Options of `serge search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", "phrase"~N, AND/OR/NOT, title: author: year: doc:.
    #[arg(required_unless_present = "like", default_value = "")]
    pub query: String,
    /// At most N passages (with --kwic: N lines; all of them by default).
    #[arg(short = 'n', long = "limit")]
    pub limit: Option<usize>,
    /// N neighbouring passages before and after each hit.
    #[arg(short = 'C', long = "context", default_value_t = 1)]
    pub context: usize,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// JSON Lines on stdout, one object per hit.
    #[arg(long)]
    pub json: bool,
    /// Highlight matches: auto (only on a terminal, NO_COLOR honoured), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Concordance: one line per occurrence, the match centred between its contexts.
    #[arg(long)]
    pub kwic: bool,
    /// Order of --kwic lines.
    #[arg(long, value_enum, default_value_t = SortChoice::Rank, requires = "kwic")]
    pub sort: SortChoice,
    /// Characters of context on each side of a --kwic match.
    #[arg(long, default_value_t = 40, requires = "kwic")]
    pub width: usize,
    /// End with hit counts by author and by year (or decade).
    #[arg(long, conflicts_with = "like")]
    pub facets: bool,
    /// Rank by similarity to a passage, DOC:PARAGRAPH (as in a hit's [doc ¶n]).
    #[arg(long, value_name = "DOC:PARAGRAPH")]
    pub like: Option<String>,
}

/// Parses the command line and runs the command.
pub fn run() -> Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            e.print()?;
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => {
            let msg = e.to_string();
            let first = msg
                .lines()
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            anyhow::bail!("{first} (see serge --help)");
        }
    };
    match &cli.command {
        Command::Clean { files } => clean(files),
        Command::Index { rebuild } => index_cmd(&cli, *rebuild),
        Command::Search(args) => search(&cli, args),
        Command::Docs { json } => docs(&cli, *json),
        Command::Bench { queries, runs } => bench::run(&cli, queries, *runs),
        Command::Generate { out, size, seed } => generate(&cli, out, size, *seed),
        Command::Timeline {
            query,
            by,
            filters,
            json,
            color,
        } => timeline(&cli, query, *by, filters, *json, *color),
        Command::Similar {
            passage,
            limit,
            context,
            json,
            color,
        } => {
            let args = SearchArgs {
                query: String::new(),
                limit: Some(*limit),
                context: *context,
                filters: FilterArgs {
                    author: None,
                    year: None,
                    doc: None,
                },
                json: *json,
                color: *color,
                kwic: false,
                sort: SortChoice::Rank,
                width: 40,
                facets: false,
                like: Some(passage.clone()),
            };
            search(&cli, &args)
        }
        Command::Quotes {
            words,
            limit,
            json,
            color,
        } => quotes(&cli, *words, *limit, *json, *color),
    }
}

/// `serge clean`: prints each file as the ingester will index it.
fn clean(files: &[PathBuf]) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut printed = false;
    for path in files {
        let result = ingest::read_limited(path).and_then(|bytes| {
            ingest::clean_bytes(&bytes).map_err(|e| Error::Unusable {
                path: path.clone(),
                reason: e.to_string(),
            })
        });
        match result {
            Ok(cleaned) => {
                if printed {
                    writeln!(out)?;
                }
                printed = true;
                out.write_all(ingest::render(&cleaned.paragraphs).as_bytes())?;
            }
            Err(e) => {
                out.flush()?;
                eprintln!("serge: skipping {e}");
                failed = true;
            }
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Parses a size such as `1048576`, `500KB`, `100MB` or `1GB` (powers of 1,000).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_uppercase();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..digits].parse().ok()?;
    let unit = match t[digits..].trim() {
        "" | "B" => 1,
        "K" | "KB" => 1_000,
        "M" | "MB" => 1_000_000,
        "G" | "GB" => 1_000_000_000,
        _ => return None,
    };
    n.checked_mul(unit)
}

/// `serge generate`: a scale corpus.
fn generate(cli: &Cli, out: &Path, size: &str, seed: u64) -> Result<ExitCode> {
    let bytes = parse_size(size).with_context(|| {
        format!("invalid size '{size}'; write bytes or a number with KB, MB or GB (100MB)")
    })?;
    let start = std::time::Instant::now();
    let summary = crate::scale::generate(
        &cli.corpus,
        out,
        crate::scale::ScaleOptions {
            bytes,
            seed,
            ..Default::default()
        },
    )?;
    eprintln!(
        "serge: wrote {} documents, {:.1} MB, to {} in {:.1} s",
        summary.documents,
        summary.bytes as f64 / 1e6,
        out.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn progress_bar() -> Option<impl FnMut(usize, usize, u64)> {
    let tty = std::io::stderr().is_terminal();
    let start = std::time::Instant::now();
    tty.then_some(move |done: usize, total: usize, bytes: u64| {
        if total < 4 {
            return;
        }
        let secs = start.elapsed().as_secs_f64().max(1e-3);
        let width = 30;
        let filled = done * width / total.max(1);
        eprint!(
            "\r[{}{}] {done}/{total} files, {:.1} MB, {:.1} MB/s ",
            "#".repeat(filled),
            " ".repeat(width - filled),
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs
        );
        if done == total {
            eprintln!();
        }
    })
}

/// Runs an update and reports skipped files and notes on stderr.
fn update(cli: &Cli, rebuild: bool) -> Result<index::Summary> {
    let mut bar = progress_bar();
    let progress: Option<&mut dyn FnMut(usize, usize, u64)> =
        bar.as_mut().map(|b| b as &mut dyn FnMut(usize, usize, u64));
    let summary = index::update(
        &cli.corpus,
        &cli.index,
        UpdateOptions {
            rebuild,
            threads: 0,
        },
        progress,
    )?;
    for note in &summary.notes {
        eprintln!("serge: {note}");
    }
    for s in &summary.skipped {
        eprintln!("serge: skipped {}: {}", s.path.display(), s.reason);
    }
    Ok(summary)
}

/// `serge index`.
fn index_cmd(cli: &Cli, rebuild: bool) -> Result<ExitCode> {
    let summary = update(cli, rebuild)?;
    println!("{}", summary.line());
    if let Some(failure) = summary.failure {
        eprintln!("error: {failure}");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the index for searching, building or refreshing it first when the corpus changed.
pub fn open_fresh(cli: &Cli) -> Result<Engine> {
    let (opened, old_format) = match index::open_existing(&cli.index) {
        Ok(o) => (o, None),
        Err(e @ Error::OldFormat { .. }) => (None, Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let reason = match &opened {
        None if old_format.is_some() => old_format,
        None => Some(format!(
            "building the index in {} from {} (first use)",
            cli.index.display(),
            cli.corpus.display()
        )),
        Some(o) if index::is_stale(&cli.corpus, o)? => {
            Some("the corpus changed since the index was built; updating it".to_owned())
        }
        Some(_) => None,
    };
    let opened = match (reason, opened) {
        (None, Some(o)) => o,
        (Some(reason), previous) => {
            eprintln!("serge: {reason}");
            match update(cli, false) {
                Ok(summary) => {
                    if let Some(f) = summary.failure {
                        eprintln!("serge: warning: {f}");
                    }
                    index::open_existing(&cli.index)?
                        .context("the index is missing after building it")?
                }
                Err(e)
                    if matches!(e.downcast_ref::<Error>(), Some(Error::Locked(_)))
                        && previous.is_some() =>
                {
                    eprintln!(
                        "serge: another process is updating the index; searching its last commit"
                    );
                    previous.expect("checked")
                }
                Err(e) => return Err(e),
            }
        }
        (None, None) => unreachable!("no index means a reason to build"),
    };
    Ok(Engine::new(opened)?)
}

fn style(color: ColorChoice) -> Style {
    let tty = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => tty && !no_color,
    };
    let width = tty.then(|| terminal_size::terminal_size().map_or(80, |(w, _)| w.0 as usize));
    Style { color, width }
}

fn request(query: &str, filters: &FilterArgs) -> Request {
    Request {
        query: query.to_owned(),
        author: filters.author.clone(),
        year: filters.year.clone(),
        doc: filters.doc.clone(),
        ..Default::default()
    }
}

/// Exit code of a command that found `n` results.
fn found(n: usize) -> ExitCode {
    if n == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `serge search` (and `serge similar`, which is `search --like`).
fn search(cli: &Cli, args: &SearchArgs) -> Result<ExitCode> {
    // Parse before touching the index, so a bad query fails fast.
    if args.like.is_none() || !args.query.trim().is_empty() {
        crate::query::parse::parse(&args.query)?;
    }
    let mut engine = open_fresh(cli)?;
    let mut request = request(&args.query, &args.filters);
    request.context = args.context;
    request.like = args.like.clone();
    let style = style(args.color);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let count = if args.kwic {
        request.limit = args.limit.unwrap_or(usize::MAX);
        let sort = match args.sort {
            SortChoice::Rank => KwicSort::Rank,
            SortChoice::Left => KwicSort::Left,
            SortChoice::Right => KwicSort::Right,
            SortChoice::Doc => KwicSort::Doc,
            SortChoice::Year => KwicSort::Year,
        };
        let lines = engine.kwic(&request, args.width, sort)?;
        if args.json {
            for line in &lines {
                serde_json::to_writer(&mut out, line)?;
                writeln!(out)?;
            }
        } else {
            print::views::write_kwic(&mut out, &lines, args.width, style)?;
        }
        lines.len()
    } else {
        request.limit = args.limit.unwrap_or(10);
        let hits = engine.search(&request)?;
        if let Some(like) = &args.like {
            if !args.json && !hits.is_empty() {
                writeln!(out, "passages like {like}:\n")?;
            }
        }
        for hit in &hits {
            if args.json {
                print::json::write_hit(&mut out, hit)?;
            } else {
                print::text::write_hit(&mut out, hit, style)?;
            }
        }
        hits.len()
    };
    if args.facets {
        let facets = engine.facets(&request)?;
        if args.json {
            serde_json::to_writer(&mut out, &serde_json::json!({ "facets": facets }))?;
            writeln!(out)?;
        } else {
            print::views::write_facets(&mut out, &facets, style)?;
        }
    }
    out.flush()?;
    Ok(found(count))
}

/// `serge timeline`.
fn timeline(
    cli: &Cli,
    query: &str,
    by: ByChoice,
    filters: &FilterArgs,
    json: bool,
    color: ColorChoice,
) -> Result<ExitCode> {
    crate::query::parse::parse(query)?;
    let mut engine = open_fresh(cli)?;
    let facets = engine.facets(&request(query, filters))?;
    let mut buckets = match by {
        ByChoice::Year => facets.years.clone(),
        ByChoice::Author => facets.authors.clone(),
    };
    if by == ByChoice::Year && facets.undated.hits > 0 {
        buckets.push(facets.undated.clone());
    }
    let by_name = match by {
        ByChoice::Year => facets.by.as_str(),
        ByChoice::Author => "author",
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        let value = serde_json::json!({
            "query": query, "by": by_name, "hits": facets.hits, "documents": facets.documents,
            "bins": buckets,
        });
        writeln!(out, "{value}")?;
    } else {
        let style = style(color);
        writeln!(
            out,
            "{query}: {} passages in {} documents, by {by_name}",
            facets.hits, facets.documents
        )?;
        print::views::write_bars(&mut out, &buckets, style.width.unwrap_or(80), style)?;
    }
    out.flush()?;
    Ok(found(facets.hits as usize))
}

/// `serge quotes`.
fn quotes(
    cli: &Cli,
    words: usize,
    limit: Option<usize>,
    json: bool,
    color: ColorChoice,
) -> Result<ExitCode> {
    if words < 2 {
        anyhow::bail!(
            "--words {words} is too short; a shared run needs at least 2 words (default 8)"
        );
    }
    let engine = open_fresh(cli)?;
    let groups = crate::query::quotes::quotes(&engine, words, limit)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        for g in &groups {
            serde_json::to_writer(&mut out, g)?;
            writeln!(out)?;
        }
    } else {
        print::views::write_quotes(&mut out, &groups, style(color))?;
    }
    out.flush()?;
    Ok(found(groups.len()))
}

/// `serge docs`.
fn docs(cli: &Cli, json: bool) -> Result<ExitCode> {
    let engine = open_fresh(cli)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (id, e) in &engine.manifest().docs {
        if json {
            let value = serde_json::json!({
                "doc": id, "title": e.title, "author": e.author_line(), "year": e.year, "source": e.source,
                "title_from": e.title_from, "author_from": e.author_from, "year_from": e.year_from,
                "paragraphs": e.paragraphs, "passages": e.passages, "bytes": e.stamp.size,
                "encoding": e.encoding, "repairs": e.repairs, "path": e.path,
            });
            writeln!(out, "{value}")?;
        } else {
            let author = if e.authors.is_empty() {
                "unknown author".to_owned()
            } else {
                e.author_line()
            };
            let year = e.year.map_or("n.d.".to_owned(), |y| y.to_string());
            let repairs = if e.repairs.is_empty() {
                "none".to_owned()
            } else {
                e.repairs
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            writeln!(
                out,
                "{id}  {}  — {author} ({year})  [title: {}, author: {}, year: {}]  {} passages, {} bytes, {}; repairs: {repairs}",
                e.title, e.title_from, e.author_from, e.year_from, e.passages, e.stamp.size, e.encoding
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
