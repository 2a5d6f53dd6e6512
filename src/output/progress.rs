//! The progress bar of a file transfer: on stderr, and only when stderr is a terminal (a script
//! or a log file never sees it).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress(ProgressBar);

impl Progress {
    /// A byte counter toward `total` (a spinner with the rate when the total is unknown).
    pub fn bytes(total: Option<u64>) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(ProgressBar::hidden());
        }
        let bar = match total {
            Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {bytes} {bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        Progress(bar)
    }

    pub fn add(&self, n: u64) {
        self.0.inc(n);
    }

    /// Remove the bar: a finished transfer leaves no trace on the terminal.
    pub fn done(&self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // On an error the bar goes before the error line is printed.
        self.0.finish_and_clear();
    }
}
