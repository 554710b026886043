//! The cold-start benchmark proper: for each function, interleaved cold starts of the release
//! binary and of the Python baseline answering the same event, then the report.
//!
//! Interleaving (ours, Python, ours, Python, …) keeps the ratio honest on a machine whose speed
//! drifts from minute to minute. One discarded warm-up run per side puts both binaries and
//! Python's bytecode in the page cache first and checks that both sides give the same answer, so
//! the runs that count compare the same work.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::artifact;
use crate::process::{cold_start, Launch, Sample};
use crate::report::{self, Row, Side};
use crate::runtime_api::RuntimeApi;
use crate::subjects::{environment, Subject};

pub struct Options {
    pub bin_dir: PathBuf,
    pub python: PathBuf,
    pub baseline: PathBuf,
    pub runs: usize,
    pub timeout: Duration,
    pub only: Vec<String>,
}

/// The fewest runs per side the issue accepts.
pub const MIN_RUNS: usize = 20;

pub fn run(opts: &Options) -> Result<String, String> {
    if opts.runs < MIN_RUNS {
        return Err(format!("--runs must be at least {MIN_RUNS}"));
    }
    let (subjects, skipped) = crate::subjects::subjects(&opts.only)?;
    if subjects.is_empty() {
        return Err("no function to benchmark".into());
    }
    if !opts.baseline.is_file() {
        return Err(format!(
            "the Python baseline {} does not exist",
            opts.baseline.display()
        ));
    }
    let python_version = python_version(&opts.python)?;

    let work = std::env::temp_dir().join(format!("wecare-coldstart-{}", std::process::id()));
    let result = prepare_and_bench(opts, &subjects, &work);
    let _ = std::fs::remove_dir_all(&work);
    let (rows, load) = result?;

    let mut out = format!(
        "Binaries: {} (native {}); baseline: {} {} with {}; load average before/after: {}\n",
        opts.bin_dir.display(),
        std::env::consts::ARCH,
        opts.python.display(),
        opts.baseline.display(),
        python_version,
        load,
    );
    out.push_str(&report::render(&rows, opts.runs));
    for (function, why) in &skipped {
        out.push_str(&format!("  not measured: {function}: {why}\n"));
    }
    Ok(out)
}

/// Unpacks and checks every binary before the first run, then benchmarks.
fn prepare_and_bench(opts: &Options, subjects: &[Subject], work: &Path) -> Result<(Vec<Row>, String), String> {
    let home = work.join("home");
    std::fs::create_dir_all(&home).map_err(|e| format!("cannot create {}: {e}", home.display()))?;
    let mut binaries = Vec::new();
    for s in subjects {
        let exe = artifact::executable(&opts.bin_dir, s.function, &work.join("bin"), &opts.python)?;
        check_native_binary(&exe)?;
        binaries.push(exe);
    }
    bench_all(opts, subjects, &binaries, &home, work)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// The rows, and the 1-minute load average before/after (others' work on the machine skews times).
fn bench_all(
    opts: &Options,
    subjects: &[Subject],
    binaries: &[PathBuf],
    home: &Path,
    work: &Path,
) -> Result<(Vec<Row>, String), String> {
    let api = RuntimeApi::start().map_err(|e| format!("cannot start the fake Runtime API: {e}"))?;
    let log_path = work.join("process.log");
    let mut log = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let load_before = loadavg();
    let mut rows = Vec::new();
    for (s, exe) in subjects.iter().zip(binaries) {
        let env = environment(s.function, home);
        let ours = Launch {
            program: exe.display().to_string(),
            args: vec![],
            env: env.clone(),
        };
        let python = Launch {
            program: opts.python.display().to_string(),
            args: vec![opts.baseline.display().to_string(), s.profile.as_str().to_string()],
            env,
        };
        let event = Arc::new(s.event.clone());
        let mut once =
            |launch: &Launch| cold_start(&api, launch, s.function, Arc::clone(&event), &mut log, opts.timeout);

        // Warm-up, discarded: fills the page cache and checks both sides answer alike.
        let ours_answer = answer(s, &once(&ours).map_err(|e| format!("{}: {e}", s.function))?)?;
        let py_answer = answer(
            s,
            &once(&python).map_err(|e| format!("{} (python baseline): {e}", s.function))?,
        )?;
        if !same_answer(&ours_answer, &py_answer) {
            return Err(format!(
                "{}: the Python baseline answered {py_answer} but the function answered {ours_answer}; \
                 the baseline must do the same work",
                s.function
            ));
        }

        eprintln!("{}: {} cold starts per side…", s.function, opts.runs);
        let (mut ours_samples, mut py_samples) = (Vec::new(), Vec::new());
        for _ in 0..opts.runs {
            let sample = once(&ours).map_err(|e| format!("{}: {e}", s.function))?;
            answer(s, &sample)?;
            ours_samples.push(sample);
            let sample = once(&python).map_err(|e| format!("{} (python baseline): {e}", s.function))?;
            answer(s, &sample)?;
            py_samples.push(sample);
        }
        let summarize = |samples: &[Sample]| Side::from_samples(samples).ok_or("no samples to summarize");
        rows.push(Row {
            function: s.function.to_string(),
            event: s.event_label.clone(),
            clients: s.profile.clients(),
            ours: summarize(&ours_samples)?,
            python: summarize(&py_samples)?,
        });
    }
    Ok((rows, format!("{load_before}/{}", loadavg())))
}

/// The response of a sample, checked against what the subject's event must produce.
fn answer(s: &Subject, sample: &Sample) -> Result<Value, String> {
    let value: Value = serde_json::from_slice(&sample.response).map_err(|e| {
        format!(
            "{}: the response is not JSON ({e}): {}",
            s.function,
            String::from_utf8_lossy(&sample.response)
        )
    })?;
    s.check(&value)?;
    Ok(value)
}

/// Same status and same JSON body for an HTTP response; the same document otherwise (an
/// authorizer's, or the `null` of an event-source function's `Ok(())`).
fn same_answer(ours: &Value, python: &Value) -> bool {
    match (ours.get("statusCode"), python.get("statusCode")) {
        (Some(a), Some(b)) => {
            let body = |v: &Value| {
                v.get("body")
                    .and_then(Value::as_str)
                    .and_then(|b| serde_json::from_str::<Value>(b).ok())
            };
            a == b && body(ours) == body(python)
        }
        _ => ours == python,
    }
}

/// Fails with a useful message when the binary is missing or built for another machine.
fn check_native_binary(path: &Path) -> Result<(), String> {
    let mut head = [0u8; 20];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if &head[..4] != b"\x7fELF" {
        return Err(format!("{} is not an ELF executable", path.display()));
    }
    let machine = u16::from_le_bytes([head[18], head[19]]);
    let native = match std::env::consts::ARCH {
        "x86_64" => 0x3e,
        "aarch64" => 0xb7,
        _ => machine,
    };
    if machine != native {
        return Err(format!(
            "{} is built for another architecture (ELF machine {machine:#x}); the benchmark runs \
             binaries natively, so it needs the {} build",
            path.display(),
            std::env::consts::ARCH
        ));
    }
    Ok(())
}

fn python_version(python: &Path) -> Result<String, String> {
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, boto3; print('Python', sys.version.split()[0], '+ boto3', boto3.__version__)",
        ])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} cannot import boto3: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_compare_status_and_parsed_body() {
        let a = json!({ "statusCode": 401, "body": "{\"a\":1,\"b\":2}", "headers": { "x": "1" } });
        let b = json!({ "statusCode": 401, "body": "{\"b\": 2, \"a\": 1}" });
        assert!(same_answer(&a, &b));
        let c = json!({ "statusCode": 403, "body": "{\"a\":1,\"b\":2}" });
        assert!(!same_answer(&a, &c));
        assert!(same_answer(
            &json!({ "isAuthorized": false }),
            &json!({ "isAuthorized": false })
        ));
        // An event-source function's `Ok(())` is `null` on both sides.
        assert!(same_answer(&Value::Null, &Value::Null));
        assert!(!same_answer(&Value::Null, &json!({ "errorType": "x" })));
    }
}
