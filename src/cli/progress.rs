//! Progress of the loading phase on a terminal (never with `--quiet` or when stderr is
//! not a terminal that takes ANSI sequences): files, bytes, throughput and time left.

use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ingest::LoadProgress;

/// A progress bar on stderr, or nothing.
pub(super) struct LoadBar {
    bar: Option<ProgressBar>,
    /// The most files done shown so far: workers report out of order.
    shown: AtomicUsize,
}

impl LoadBar {
    /// A bar when stderr is a terminal and not `quiet`.
    pub(super) fn new(quiet: bool) -> LoadBar {
        let bar = (!quiet && crate::platform::stderr_takes_ansi()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(4));
            bar.set_style(
                ProgressStyle::with_template(
                    "reading {msg} files  {bytes}/{total_bytes}  {binary_bytes_per_sec}  ETA {eta}  {wide_bar}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message("0/?");
            bar
        });
        LoadBar {
            bar,
            shown: AtomicUsize::new(0),
        }
    }

    /// Shows one update.
    pub(super) fn update(&self, p: &LoadProgress) {
        if let Some(bar) = &self.bar {
            if self.shown.fetch_max(p.files_done, Ordering::Relaxed) > p.files_done {
                return;
            }
            bar.set_length(p.bytes_total);
            bar.set_position(p.bytes_done);
            bar.set_message(format!("{}/{}", p.files_done, p.files_total));
        }
    }

    /// Whether a bar is shown (the loader then reports progress).
    pub(super) fn is_shown(&self) -> bool {
        self.bar.is_some()
    }
}

impl Drop for LoadBar {
    /// Clears the bar before the report or the diagnostics are printed.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
