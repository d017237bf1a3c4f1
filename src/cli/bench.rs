//! `serge bench`: query latency over a query set, in process, on one thread: p50, p95, p99 and
//! max per query and per class, and queries per second.

use super::{open_fresh, Cli};
use crate::query::Request;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// A query of the set, with its class (`phrase`, `term`…).
struct BenchQuery {
    class: String,
    request: Request,
}

fn parse_line(line: &str) -> Option<BenchQuery> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (class, rest) = line
        .split_once('\t')
        .map_or(("query", line), |(c, q)| (c.trim(), q.trim()));
    let mut request = Request {
        limit: 10,
        context: 1,
        ..Request::default()
    };
    let mut query = rest.to_owned();
    for (flag, slot) in [
        ("--author ", &mut request.author),
        ("--year ", &mut request.year),
    ] {
        if let Some(pos) = query.find(flag) {
            let tail = query[pos + flag.len()..].to_owned();
            let (value, after) = tail.split_once(' ').unwrap_or((&tail, ""));
            *slot = Some(value.to_owned());
            query = format!("{}{after}", &query[..pos]).trim().to_owned();
        }
    }
    request.query = query;
    Some(BenchQuery {
        class: class.to_owned(),
        request,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

/// Runs the bench.
pub fn run(cli: &Cli, queries: &Path, runs: usize) -> Result<ExitCode> {
    let text = std::fs::read_to_string(queries)
        .with_context(|| format!("cannot read query set {}", queries.display()))?;
    let set: Vec<BenchQuery> = text.lines().filter_map(parse_line).collect();
    anyhow::ensure!(
        !set.is_empty(),
        "query set {} has no queries",
        queries.display()
    );
    let mut engine = open_fresh(cli)?;
    let runs = runs.max(1);
    let mut by_class: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    let mut all = Vec::new();
    println!(
        "{:<10} {:>6} {:>9} {:>9} {:>9} {:>9}  query",
        "class", "hits", "p50 µs", "p95 µs", "p99 µs", "max µs"
    );
    let started = Instant::now();
    for q in &set {
        let hits = engine
            .search(&q.request)
            .with_context(|| format!("query {:?}", q.request.query))?
            .len();
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            std::hint::black_box(engine.search(&q.request)?);
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{:<10} {:>6} {:>9} {:>9} {:>9} {:>9}  {}",
            q.class,
            hits,
            micros(percentile(&times, 0.5)),
            micros(percentile(&times, 0.95)),
            micros(percentile(&times, 0.99)),
            micros(*times.last().expect("runs >= 1")),
            q.request.query
        );
        by_class.entry(q.class.clone()).or_default().extend(&times);
        all.extend(times);
    }
    let elapsed = started.elapsed();
    println!();
    for (class, mut times) in by_class
        .into_iter()
        .chain(std::iter::once(("overall".to_owned(), all.clone())))
    {
        times.sort();
        println!(
            "{:<10} {:>6} {:>9} {:>9} {:>9} {:>9}",
            class,
            times.len(),
            micros(percentile(&times, 0.5)),
            micros(percentile(&times, 0.95)),
            micros(percentile(&times, 0.99)),
            micros(*times.last().unwrap_or(&Duration::ZERO))
        );
    }
    let total: Duration = all.iter().sum();
    println!(
        "\n{} queries × {runs} runs in {:.2} s; {:.0} queries/s on one thread",
        set.len(),
        elapsed.as_secs_f64(),
        all.len() as f64 / total.as_secs_f64().max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}
