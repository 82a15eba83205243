//! `.reg` parse throughput on a large generated regedit v5 export (UTF-16LE, ~40 MB)
//! and the same content as an ANSI `REGEDIT4` file. Throughput is reported in input
//! bytes per second, UTF-16 decoding and dropping the result included. Each input is
//! measured twice: wall clock, and the thread's CPU time (`*_cpu_time`, Linux), which is
//! the single-core figure on a machine shared with other jobs.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use exdoctor_parsers::reg::parse_reg;

/// regedit's hex wrapping (see samples/generator/src/bin/gen-reg-samples.rs).
fn hex_value(out: &mut String, head: &str, prefix: &str, bytes: &[u8]) {
    out.push_str(head);
    out.push_str(prefix);
    let mut line_len = head.len() + prefix.len();
    for (i, b) in bytes.iter().enumerate() {
        let _ = write!(out, "{b:02x}");
        if i + 1 == bytes.len() {
            break;
        }
        out.push(',');
        line_len += 3;
        if line_len >= 77 {
            out.push_str("\\\r\n  ");
            line_len = 2;
        }
    }
    out.push_str("\r\n");
}

/// NUL-terminated string data as stored: UTF-16LE in a v5 export, ANSI in REGEDIT4.
fn string_data(s: &str, utf16: bool) -> Vec<u8> {
    if utf16 {
        let mut v: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        v.extend([0, 0]);
        v
    } else {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        v
    }
}

/// A services-like export of about `target` bytes of text (before UTF-16 encoding):
/// a v5 export when `utf16`, else REGEDIT4.
fn export_text(target: usize, utf16: bool) -> String {
    let mut out = String::with_capacity(target + 4096);
    out.push_str(if utf16 {
        "Windows Registry Editor Version 5.00\r\n"
    } else {
        "REGEDIT4\r\n"
    });
    let mut i = 0u32;
    while out.len() < target {
        let name = format!("Service{i:06}");
        let _ = write!(
            out,
            "\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\{name}]\r\n"
        );
        let _ = write!(
            out,
            "\"Type\"=dword:{:08x}\r\n\"Start\"=dword:{:08x}\r\n",
            0x10,
            2 + i % 3
        );
        out.push_str("\"ErrorControl\"=dword:00000001\r\n");
        let image = format!("\"C:\\Program Files\\Vendor\\Product {i}\\bin\\{name}.exe\" -service");
        hex_value(&mut out, "\"ImagePath\"=", "hex(2):", &string_data(&image, utf16));
        let _ = write!(out, "\"DisplayName\"=\"Vendor \\\"Product\\\" {name}\"\r\n");
        let mut deps = Vec::new();
        for d in ["RPCSS", "LanmanServer", "LanmanWorkstation", "NtLmSsp"] {
            deps.extend(string_data(d, utf16));
        }
        deps.extend(string_data("", utf16));
        hex_value(&mut out, "\"DependOnService\"=", "hex(7):", &deps);
        out.push_str("\"ObjectName\"=\"LocalSystem\"\r\n");
        out.push_str("\"Description\"=\"Provides a service that does something useful for the product.\"\r\n");
        let failure: Vec<u8> = (0..44u8).collect();
        hex_value(&mut out, "\"FailureActions\"=", "hex:", &failure);
        let _ = write!(
            out,
            "\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\{name}\\Parameters]\r\n\
             \"Path\"=\"C:\\\\Data\\\\{name}\"\r\n\"Threads\"=dword:{:08x}\r\n\"Enabled\"=hex(b):01,00,00,00,00,00,00,00\r\n",
            i % 64
        );
        i += 1;
    }
    out.push_str("\r\n");
    out
}

/// CPU time of the current thread (Linux `/proc/thread-self/schedstat`), `None`
/// elsewhere.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Runs `f` `iters` times and returns the thread's CPU time (wall time when CPU time
/// is not available): on a shared machine this is the single-core cost, not the wait.
fn cpu_timed(iters: u64, mut f: impl FnMut()) -> Duration {
    let (cpu0, wall0) = (thread_cpu_time(), Instant::now());
    for _ in 0..iters {
        f();
    }
    match (cpu0, thread_cpu_time()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => wall0.elapsed(),
    }
}

fn bench_parse(c: &mut Criterion) {
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(export_text(20 << 20, true).encode_utf16().flat_map(u16::to_le_bytes));
    let ansi = export_text(20 << 20, false).into_bytes();

    // Sanity: the inputs parse cleanly.
    for input in [&utf16, &ansi] {
        let file = parse_reg(input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(file.problem_count, 0);
        assert!(file.keys.len() > 10_000);
    }

    let mut group = c.benchmark_group("reg");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(utf16.len() as u64));
    group.bench_function("parse_utf16le_v5_cpu_time", |b| {
        b.iter_custom(|iters| cpu_timed(iters, || drop(black_box(parse_reg(black_box(&utf16))))))
    });
    group.bench_function("parse_utf16le_v5", |b| {
        b.iter(|| parse_reg(black_box(&utf16)).map(|f| f.keys.len()))
    });
    group.throughput(Throughput::Bytes(ansi.len() as u64));
    group.bench_function("parse_ansi_regedit4_cpu_time", |b| {
        b.iter_custom(|iters| cpu_timed(iters, || drop(black_box(parse_reg(black_box(&ansi))))))
    });
    group.bench_function("parse_ansi_regedit4", |b| {
        b.iter(|| parse_reg(black_box(&ansi)).map(|f| f.keys.len()))
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
