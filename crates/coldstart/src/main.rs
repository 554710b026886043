//! `wecare-coldstart`: how fast and how small the release Lambda functions are.
//!
//! The issue sets goals for the deployed functions (cold start ≤ 10 ms median and ≥ 10× faster
//! than a Python/boto3 function doing the same work, peak RSS ≤ 30 MB, zip ≤ 6 MB). Nothing in
//! the unit tests can see those, so this tool measures them on the real release artifacts:
//!
//! - `bench`: cold-starts each function binary against a fake Lambda Runtime API on loopback,
//!   beside the Python baseline in `python/baseline.py`, and prints the table and the goals.
//! - `size`: prints the size of each function's `bootstrap.zip`.
//!
//! Exit status 0 means the measurement ran; a missed goal is reported, not a failure.

mod artifact;
mod bench;
mod process;
mod report;
mod runtime_api;
mod stats;
mod subjects;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use wecare_core::routes::FUNCTIONS;

const USAGE: &str = "usage:
  wecare-coldstart bench [--bin-dir DIR] [--runs N] [--python PATH] [--baseline PATH] [--timeout-secs S] [FUNCTION...]
      DIR holds <function>/bootstrap.zip (or an unpacked bootstrap) built for this machine
      (default target/lambda-x86-64);
      N ≥ 20 cold starts per side (default 25); PATH defaults to .venv/bin/python and the
      baseline script beside this crate.
  wecare-coldstart size [--lambda-dir DIR] [FUNCTION...]
      DIR holds <function>/bootstrap.zip (default target/lambda-arm64).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wecare-coldstart: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let (mode, rest) = args.split_first().ok_or(USAGE)?;
    let mut flags = Flags::parse(rest)?;
    match mode.as_str() {
        "bench" => {
            let runs = flags.take("--runs")?.map_or(Ok(25), |v| parse_number(&v, "--runs"))?;
            let timeout = flags
                .take("--timeout-secs")?
                .map_or(Ok(30), |v| parse_number(&v, "--timeout-secs"))?;
            let opts = bench::Options {
                bin_dir: flags
                    .take("--bin-dir")?
                    .unwrap_or_else(|| "target/lambda-x86-64".into())
                    .into(),
                python: flags
                    .take("--python")?
                    .unwrap_or_else(|| ".venv/bin/python".into())
                    .into(),
                baseline: flags.take("--baseline")?.map_or_else(default_baseline, PathBuf::from),
                runs,
                timeout: Duration::from_secs(timeout as u64),
                only: flags.finish()?,
            };
            bench::run(&opts)
        }
        "size" => {
            let dir = flags
                .take("--lambda-dir")?
                .unwrap_or_else(|| "target/lambda-arm64".into());
            let only = flags.finish()?;
            sizes(&dir, &only)
        }
        "-h" | "--help" | "help" => Ok(format!("{USAGE}\n")),
        other => Err(format!("unknown mode {other:?}\n{USAGE}")),
    }
}

fn default_baseline() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("python")
        .join("baseline.py")
}

fn parse_number(value: &str, flag: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} wants a whole number, not {value:?}"))
}

/// `--name value` pairs and positional function names.
struct Flags {
    pairs: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Flags {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut positional = Vec::new();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if arg.starts_with("--") {
                let value = it.next().ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))?;
                pairs.push((arg.clone(), value.clone()));
            } else {
                positional.push(arg.clone());
            }
        }
        Ok(Flags { pairs, positional })
    }

    fn take(&mut self, name: &str) -> Result<Option<String>, String> {
        let mut found = None;
        while let Some(i) = self.pairs.iter().position(|(k, _)| k == name) {
            if found.is_some() {
                return Err(format!("{name} is given twice"));
            }
            found = Some(self.pairs.remove(i).1);
        }
        Ok(found)
    }

    /// The positional arguments, once every known flag was taken.
    fn finish(self) -> Result<Vec<String>, String> {
        match self.pairs.first() {
            Some((k, _)) => Err(format!("unknown option {k}\n{USAGE}")),
            None => Ok(self.positional),
        }
    }
}

fn sizes(dir: &str, only: &[String]) -> Result<String, String> {
    if let Some(unknown) = only.iter().find(|f| !FUNCTIONS.contains(&f.as_str())) {
        return Err(format!(
            "unknown function {unknown:?}; the functions are {}",
            FUNCTIONS.join(", ")
        ));
    }
    let mut rows = Vec::new();
    for f in FUNCTIONS
        .iter()
        .filter(|f| only.is_empty() || only.iter().any(|o| o == *f))
    {
        let zip = PathBuf::from(dir).join(f).join("bootstrap.zip");
        let zip_bytes = std::fs::metadata(&zip)
            .map_err(|e| format!("cannot read {} ({e}); run `make build` first", zip.display()))?
            .len();
        rows.push(report::ZipSize {
            function: f.to_string(),
            zip_bytes,
            bootstrap_bytes: artifact::bootstrap_size(&zip)?,
        });
    }
    Ok(report::render_sizes(&rows, dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_and_functions_are_separated() {
        let mut f = Flags::parse(&strings(&["--runs", "30", "users", "contacts-read"])).expect("parse");
        assert_eq!(f.take("--runs").expect("take"), Some("30".into()));
        assert_eq!(f.take("--bin-dir").expect("take"), None);
        assert_eq!(f.finish().expect("finish"), strings(&["users", "contacts-read"]));
    }

    #[test]
    fn mistakes_are_explained() {
        assert!(Flags::parse(&strings(&["--runs"])).is_err());
        let f = Flags::parse(&strings(&["--rnus", "3"])).expect("parse");
        assert!(f.finish().unwrap_err().contains("unknown option --rnus"));
        assert!(run(&strings(&["bench", "--runs", "5"]))
            .unwrap_err()
            .contains("at least 20"));
        assert!(run(&strings(&["size", "nope"]))
            .unwrap_err()
            .contains("unknown function"));
    }
}
