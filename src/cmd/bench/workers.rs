//! `mq bench conn --workers N`: past one process's file descriptor limit, N processes of mq
//! itself each connect their share of the clients (`--worker K/N`: a contiguous range of client
//! numbers, so ids, brokers and source addresses are those a single process would use) and
//! print their `--json` result; this process merges them as `mq bench merge` does.
//!
//! Their progress lines on stderr are summed into one line a second; anything else they say
//! is passed on, named by worker. The workers run in their own process group, so a Ctrl-C reaches this process alone: it
//! passes one SIGINT to each worker, which stops and prints its result, and the merged summary
//! is still printed. A worker dies with this process (PR_SET_PDEATHSIG).

use super::stats::{self, Summary};
use super::Plan;
use crate::exit::{Code, Error, Result};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

/// Run the plan's clients in `n` worker processes; returns the merged summary and whether
/// Ctrl-C cut the run short.
pub async fn run(plan: &Plan, n: u32) -> Result<(Summary, bool)> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::runtime(format!("finding mq's own executable: {e}")))?;
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let mut children = Vec::new();
    for k in 0..n {
        let mut cmd = tokio::process::Command::new(&exe);
        cmd.args(&args)
            .arg("--worker")
            .arg(format!("{k}/{n}"))
            .args(["--prefix", &plan.prefix, "--json"])
            .args(plan.quiet.then_some("--quiet"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        // SAFETY: prctl is async-signal-safe; it only asks the kernel to signal this child
        // when its parent dies.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .map_err(|e| Error::runtime(format!("starting worker {k} ({}): {e}", exe.display())))?;
        children.push(child);
    }
    if !plan.quiet {
        crate::output::note(&format!(
            "mq bench: {n} worker processes of about {} clients each; their results are merged when they end",
            plan.publishers.div_ceil(n)
        ));
    }
    let pids: Vec<Option<u32>> = children.iter().map(|c| c.id()).collect();
    // Each worker's latest (connected, failures), from its once-a-second progress line.
    let progress = Arc::new(Mutex::new(vec![(0u64, 0u64); children.len()]));
    let handles: Vec<_> = children
        .into_iter()
        .enumerate()
        .map(|(k, mut child)| {
            let progress = progress.clone();
            tokio::spawn(async move {
                let (mut out, mut last_error) = (Vec::new(), String::new());
                let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
                let read_out = async {
                    if let Some(mut s) = stdout {
                        let _ = s.read_to_end(&mut out).await;
                    }
                };
                let read_err = async {
                    let Some(s) = stderr else { return };
                    let mut lines = BufReader::new(s).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(p) = parse_progress(&line) {
                            progress.lock().expect("progress lock")[k] = p;
                        } else if let Some(e) = line.strip_prefix("mq: ") {
                            // The worker's error: said once, merged, by this process.
                            last_error = e.to_string();
                        } else {
                            crate::output::note(&format!("worker {k}: {line}"));
                        }
                    }
                };
                tokio::join!(read_out, read_err);
                let code = child.wait().await.ok().and_then(|s| s.code());
                (k, code, out, last_error)
            })
        })
        .collect();
    let live = (!plan.quiet).then(|| {
        let progress = progress.clone();
        tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.tick().await;
            loop {
                tick.tick().await;
                let (c, f) = progress
                    .lock()
                    .expect("progress lock")
                    .iter()
                    .fold((0, 0), |(c, f), (c2, f2)| (c + c2, f + f2));
                crate::output::note(&format!(
                    "mq bench {}s: conn  connected {c}  failures {f}  ({n} workers)",
                    start.elapsed().as_secs()
                ));
            }
        })
    });
    let all = async {
        let mut results = Vec::new();
        for h in handles {
            if let Ok(r) = h.await {
                results.push(r);
            }
        }
        results
    };
    tokio::pin!(all);
    let mut interrupted = false;
    let results = loop {
        tokio::select! {
            r = &mut all => break r,
            s = tokio::signal::ctrl_c(), if !interrupted => {
                if s.is_ok() {
                    interrupted = true;
                    for pid in pids.iter().flatten() {
                        // SAFETY: kill has no memory-safety preconditions; the pid is our
                        // child's, not yet reaped (we still wait for it).
                        unsafe { libc::kill(*pid as libc::pid_t, libc::SIGINT) };
                    }
                }
            }
        }
    };
    if let Some(l) = live {
        l.abort();
    }
    let mut parts = Vec::new();
    let mut failed = Vec::new();
    for (k, code, out, why) in results {
        match serde_json::from_slice::<Summary>(&out) {
            Ok(s) => parts.push(s),
            Err(_) => failed.push((k, code, why)),
        }
    }
    if parts.is_empty() {
        let (k, code, why) = failed.into_iter().next().unwrap_or_default();
        return Err(Error::new(
            Code::ALL
                .iter()
                .copied()
                .find(|c| code == Some(*c as i32))
                .unwrap_or(Code::Runtime),
            format!("worker {k} of {n} failed: {why}"),
        ));
    }
    let mut merged = stats::merge(&parts)?;
    merged.mode = "conn".into();
    merged.runs = 1;
    merged.workers = u64::from(n);
    for (k, code, why) in failed {
        let e = format!(
            "worker {k} failed (exit {}): {why}",
            code.map_or("-".into(), |c| c.to_string())
        );
        merged.errors += 1;
        merged.first_error.get_or_insert(e);
    }
    Ok((merged, interrupted))
}

/// (connected, failures) of a worker's progress line (`mq bench 3s: conn  connected 1200
/// failures 0`, as `report.rs` writes it when stderr is not a terminal).
fn parse_progress(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("mq bench ")?.split_once("s: conn")?.1;
    let mut words = rest.split_whitespace();
    let mut take = |name: &str| -> Option<u64> {
        words.find(|w| *w == name)?;
        words.next()?.parse().ok()
    };
    Some((take("connected")?, take("failures")?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn progress_lines_are_read_back() {
        let line = "mq bench 3s: conn  connected 1200  failures 2";
        assert_eq!(super::parse_progress(line), Some((1200, 2)));
        assert_eq!(super::parse_progress("mq bench: raised the limit"), None);
    }
}
