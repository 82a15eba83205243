//! Writes a synthetic fleet of Exchange 2007 servers for bulk-triage tests and
//! benchmarks: one folder (or zip) per host with a whole event-log folder, the setup
//! log and registry exports, problems distributed over the fleet (see
//! `exdoctor_samples::fleet`).
//!
//! ```text
//! gen-fleet N DIR [--seed S] [--events-per-log K] [--zip] [--jobs J]
//!                 [--no-preallocate] [--manifest FILE] [--quiet]
//! ```
//! The same N, seed and options give byte-identical files, whatever `--jobs`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use exdoctor_samples::fleet::{plan, write_host, FleetOptions, HostPlan, HostSummary, Problem, DEFAULT_EVENTS_PER_LOG};

// Millions of small strings per host: mimalloc keeps their allocation cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: gen-fleet N DIR [--seed S] [--events-per-log K] [--zip] [--jobs J] [--no-preallocate] [--manifest FILE] [--quiet]

Writes N host bundles into DIR (DIR/<HOST>/ or DIR/<HOST>.zip), deterministic by seed.
  --seed S             seed (default 1)
  --events-per-log K   records of System.evtx and Application.evtx per host (default 20000;
                       Security gets 1.5 K, the other channels scale with K)
  --zip                one .zip bundle per host instead of a folder
  --jobs J             hosts built in parallel (default 1; output identical for any J)
  --no-preallocate     .evtx files end after their last used chunk (Windows pads to 1 MiB steps)
  --manifest FILE      write what each host has (problem, roles, build, files, records) as JSON
  --quiet              no progress on stderr";

struct Args {
    opts: FleetOptions,
    dir: PathBuf,
    jobs: usize,
    manifest: Option<PathBuf>,
    quiet: bool,
}

fn parse_args() -> Result<Args> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut opts = FleetOptions {
        events_per_log: DEFAULT_EVENTS_PER_LOG,
        ..FleetOptions::default()
    };
    let (mut jobs, mut manifest, mut quiet) = (1, None, false);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--seed" => opts.seed = value("--seed")?.parse().context("--seed: not a number")?,
            "--events-per-log" => {
                opts.events_per_log = value("--events-per-log")?
                    .parse()
                    .context("--events-per-log: not a number")?;
            }
            "--jobs" => {
                jobs = value("--jobs")?
                    .parse::<usize>()
                    .context("--jobs: not a number")?
                    .max(1)
            }
            "--manifest" => manifest = Some(PathBuf::from(value("--manifest")?)),
            "--zip" => opts.zip = true,
            "--no-preallocate" => opts.preallocate = false,
            "--quiet" => quiet = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other if other.starts_with("--") => bail!("unknown option {other}\n{USAGE}"),
            _ => positional.push(arg),
        }
    }
    let [n, dir] = positional.as_slice() else {
        bail!("{USAGE}");
    };
    opts.hosts = n.parse().with_context(|| format!("N: not a number: {n}"))?;
    Ok(Args {
        opts,
        dir: PathBuf::from(dir),
        jobs,
        manifest,
        quiet,
    })
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn manifest(plans: &[HostPlan], done: &[HostSummary], opts: &FleetOptions) -> String {
    let mut out = format!(
        "{{\"seed\":{},\"hosts\":{},\"events_per_log\":{},\"zip\":{},\"host_list\":[\n",
        opts.seed, opts.hosts, opts.events_per_log, opts.zip
    );
    for (i, (p, s)) in plans.iter().zip(done).enumerate() {
        let roles: Vec<String> = p.roles.iter().map(|r| json_str(&format!("{r:?}"))).collect();
        out.push_str(&format!(
            "{{\"name\":{},\"fqdn\":{},\"problem\":{},\"story\":{},\"windows\":{},\"roles\":[{}],\"build\":{},\"zone\":{},\"locale\":{},\"shift_days\":{},\"renamed_from\":{},\"setup_log\":{},\"registry\":{},\"files\":{},\"bytes\":{},\"records\":{}}}{}\n",
            json_str(&p.name),
            json_str(&p.fqdn),
            json_str(p.problem.id()),
            json_str(&format!("{:?}", p.story)),
            json_str(&format!("{:?}", p.windows)),
            roles.join(","),
            p.build.map_or("null".to_owned(), json_str),
            json_str(p.zone.tz.key_name),
            json_str(&format!("{:?}", p.locale)),
            p.shift_days,
            p.renamed_from.as_deref().map_or("null".to_owned(), json_str),
            p.has_setup_log,
            p.has_registry,
            s.files,
            s.bytes,
            s.records,
            if i + 1 < plans.len() { "," } else { "" },
        ));
    }
    out.push_str("]}\n");
    out
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let opts = &args.opts;
    std::fs::create_dir_all(&args.dir).with_context(|| format!("creating {}", args.dir.display()))?;
    let plans = plan(opts.hosts, opts.seed);
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<HostSummary>>> = Mutex::new(vec![None; plans.len()]);
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..args.jobs.min(plans.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = plans.get(i) else { break };
                if failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                    break;
                }
                match write_host(&args.dir, p, opts) {
                    Ok(summary) => {
                        if let Ok(mut r) = results.lock() {
                            r[i] = Some(summary);
                            let done = r.iter().filter(|s| s.is_some()).count();
                            if !args.quiet && (done % 50 == 0 || done == plans.len()) {
                                let line = format!(
                                    "{done}/{} hosts, {:.1} s\n",
                                    plans.len(),
                                    started.elapsed().as_secs_f64()
                                );
                                let _ = std::io::stderr().lock().write_all(line.as_bytes());
                            }
                        }
                    }
                    Err(err) => {
                        if let Ok(mut f) = failure.lock() {
                            f.get_or_insert(err);
                        }
                    }
                }
            });
        }
    });
    if let Some(err) = failure.into_inner().ok().flatten() {
        return Err(err);
    }
    let done: Vec<HostSummary> = results
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a worker panicked"))?
        .into_iter()
        .collect::<Option<_>>()
        .context("a host was not written")?;
    let elapsed = started.elapsed().as_secs_f64();
    let bytes: u64 = done.iter().map(|s| s.bytes).sum();
    let records: u64 = done.iter().map(|s| s.records).sum();
    let files: usize = done.iter().map(|s| s.files).sum();
    let mut report = format!(
        "{} hosts in {}: {files} files, {:.1} MB, {records} event records, {elapsed:.1} s ({:.0} MB/s, {} job{})\n",
        done.len(),
        args.dir.display(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / elapsed.max(1e-9),
        args.jobs,
        if args.jobs == 1 { "" } else { "s" },
    );
    for problem in Problem::ALL {
        let n = plans.iter().filter(|p| p.problem == problem).count();
        report.push_str(&format!("  {:<24} {n:>6}\n", problem.id()));
    }
    let renamed = plans.iter().filter(|p| p.renamed_from.is_some()).count();
    let no_log = plans.iter().filter(|p| !p.has_setup_log).count();
    let no_reg = plans.iter().filter(|p| !p.has_registry).count();
    report.push_str(&format!(
        "  renamed {renamed}, without setup log {no_log}, without registry exports {no_reg}\n"
    ));
    // A closed stdout (`| head`) is not an error of the generation.
    let _ = std::io::stdout().lock().write_all(report.as_bytes());
    if let Some(path) = &args.manifest {
        std::fs::write(path, manifest(&plans, &done, opts)).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
