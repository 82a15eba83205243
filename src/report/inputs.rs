//! The text lines that describe each input under its host in the text report, rendered
//! from the typed summaries the sources fill.

use chrono::{DateTime, SecondsFormat, Utc};
use exdoctor_parsers::event::LogState;
use exdoctor_parsers::reg::RegHeader;
use exdoctor_parsers::setup_log::{Clock, ClockEvidence};
use exdoctor_parsers::text::TextEncoding;

use crate::model::{
    AdChangesSummary, EventLogSummary, EvtSummary, HostZone, LdifErrSummary, RegistrySummary, RuleEventCount,
    RunSummary, SetupLogSummary, SourceDetails,
};
use crate::registry::host_state::{ExchangeInstall, RoleState};
use crate::registry::HostState;

/// Runs listed in the text summary of a setup log (the last ones).
const TEXT_RUNS: usize = 20;

/// The lines describing one input of a host whose zone is `zone`.
pub(crate) fn lines(details: &SourceDetails, zone: Option<&HostZone>) -> Vec<String> {
    match details {
        SourceDetails::None => Vec::new(),
        SourceDetails::SetupLog(s) => setup_log(s, zone),
        SourceDetails::EventLog(s) => event_log(s),
        SourceDetails::Evt(s) => evt(s),
        SourceDetails::Registry(s) => registry(s),
        SourceDetails::RegistryError { error } => vec![format!("not read: {error}")],
        SourceDetails::TaskScript(s) => vec![format!("setup task script, {} steps", s.steps.len())],
        SourceDetails::LdifErr(s) => ldif_err(s),
    }
}

/// `ldifde error file: 1 failed entry`, then each entry (at most [`TEXT_RUNS`]).
fn ldif_err(s: &LdifErrSummary) -> Vec<String> {
    let mut lines = vec![format!(
        "ldifde error file: {} failed entr{}{}",
        s.entries.len(),
        if s.entries.len() == 1 { "y" } else { "ies" },
        s.entries_modified
            .map(|n| format!(", {n} modified successfully"))
            .unwrap_or_default()
    )];
    lines.extend(s.entries.iter().take(TEXT_RUNS).map(|e| {
        format!(
            "line {}: {} error on entry at line {} of the import{}: {}{}",
            e.line,
            e.operation.as_deref().unwrap_or("?"),
            e.ldif_line.map_or_else(|| "?".to_string(), |l| l.to_string()),
            e.dn.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(),
            e.reason.as_deref().unwrap_or("(no reason)"),
            e.server_error
                .as_ref()
                .map(|x| format!(
                    "; server error {:#x} {}{}",
                    x.code,
                    x.name().map(|n| format!("{n}: ")).unwrap_or_default(),
                    x.text
                ))
                .unwrap_or_default()
        )
    }));
    lines
}

fn setup_log(s: &SetupLogSummary, zone: Option<&HostZone>) -> Vec<String> {
    let mut lines = vec![format!(
        "{} lines, {} runs, dates {:?} ({:?}){}",
        s.lines,
        s.runs_total,
        s.date_order,
        s.date_order_reason,
        if s.encoding == TextEncoding::Utf8 {
            String::new()
        } else {
            format!(", {:?}", s.encoding)
        }
    )];
    lines.push(clock_line(s.clock.as_ref()));
    let utc = s.clock.is_some_and(|c| c.is_utc());
    if s.runs_total > TEXT_RUNS {
        lines.push(format!("({} earlier runs not listed)", s.runs_total - TEXT_RUNS));
    }
    for run in &s.runs[s.runs.len().saturating_sub(TEXT_RUNS)..] {
        lines.extend(run_lines(run, utc, zone));
    }
    lines
}

/// `clock: UTC (...)` / `clock: local (...)`: how the log's times are read.
fn clock_line(clock: Option<&Clock>) -> String {
    let why = |e: &ClockEvidence| match e {
        ClockEvidence::RoleInvocationId { line, offset_minutes } => format!(
            "measured: $RoleInvocationID at line {line} is the local clock, {} the bracket times",
            if *offset_minutes == 0 {
                "equal to".to_string()
            } else {
                format!("{offset_minutes:+} min from")
            }
        ),
        ClockEvidence::Version { major: 15.. } => "Exchange 2013 and later write UTC".to_string(),
        ClockEvidence::Version { major } => format!("setup version {major} writes the server's local time"),
    };
    match clock {
        Some(Clock::Utc { evidence }) => format!("clock: UTC ({})", why(evidence)),
        Some(Clock::Local { evidence }) => format!("clock: local ({})", why(evidence)),
        None => "clock: unknown (no version, no $RoleInvocationID): read as local time".to_string(),
    }
}

/// `2007-11-30T17:12:03.5` -> `2007-11-30 17:12:03`, labelled with its clock: `Z` for
/// UTC, the zone's offset for a local time of a known zone, else "(local, zone unknown)".
fn wall_clock(iso: &str, utc: bool, zone: Option<&HostZone>) -> String {
    let plain = iso.get(..19).unwrap_or(iso).replacen('T', " ", 1);
    if utc {
        return format!("{plain}Z");
    }
    let local = chrono::NaiveDateTime::parse_from_str(&plain, "%Y-%m-%d %H:%M:%S").ok();
    match (zone, local) {
        (Some(z), Some(t)) => {
            let offset = z.offset_at(t);
            let sign = if offset < 0 { '-' } else { '+' };
            format!("{plain}{sign}{:02}:{:02}", offset.abs() / 60, offset.abs() % 60)
        }
        _ => format!("{plain} (local, zone unknown)"),
    }
}

fn run_lines(run: &RunSummary, utc: bool, zone: Option<&HostZone>) -> Vec<String> {
    let h = &run.header;
    let mut lines = vec![format!(
        "run {} (lines {}-{}){}: {} | version {} | mode {}{}",
        run.index + 1,
        run.first_line,
        run.last_line,
        run.start
            .as_deref()
            .map(|w| format!(" {}", wall_clock(w, utc, zone)))
            .unwrap_or_default(),
        run.result,
        h.setup_version.as_deref().unwrap_or("?"),
        h.mode.as_deref().unwrap_or("?"),
        if run.has_start_banner { "" } else { " | no start banner" },
    )];
    if let Some(e) = &run.first_error {
        lines.push(format!("  first error, line {}: {}", e.line, shorten(&e.message, 160)));
    }
    if run.is_incomplete() {
        for t in &run.unfinished_tasks {
            lines.push(format!("  unfinished task, line {}: {}", t.line, t.name));
        }
    }
    for r in &run.failed_rules {
        lines.push(format!("  failed readiness rule, line {}: {}", r.line, r.rule));
    }
    for g in run.gaps.iter().filter(|g| g.seconds >= 600) {
        lines.push(format!("  gap of {} min after line {}", g.seconds / 60, g.after_line));
    }
    if let Some(deleted) = &run.ad_changes {
        lines.extend(deletion_lines(deleted, utc, zone));
    }
    lines
}

/// What a run deleted in Active Directory: counts, place, organization, per-locale
/// counts, and whether the deleting task ended.
fn deletion_lines(deleted: &AdChangesSummary, utc: bool, zone: Option<&HostZone>) -> Vec<String> {
    let mut head = format!(
        "  deleted in Active Directory: {} ({})",
        deleted.what(),
        deleted.place()
    );
    if let Some(time) = &deleted.first_time {
        head.push_str(&format!(" at {}", wall_clock(time, utc, zone)));
    }
    if let Some(org) = deleted.organization_label() {
        head.push_str(&format!(", {org}"));
    }
    let mut lines = vec![head];
    if !deleted.by_locale.is_empty() {
        let locales: Vec<String> = deleted
            .by_locale
            .iter()
            .map(|l| format!("{} {}", l.label(), l.count))
            .collect();
        lines.push(format!("    per locale: {}", locales.join(", ")));
    }
    for task in &deleted.tasks {
        if let (Some(name), Some(begin)) = (&task.name, task.begin_line) {
            lines.push(match task.end_line {
                Some(end) => format!("    {name}: lines {begin}-{end}, ended"),
                None => format!("    {name}: begun line {begin}, never ended"),
            });
        }
    }
    for t in &deleted.unfinished_enclosing {
        lines.push(format!("    inside {} (line {}), which never ended", t.name, t.line));
    }
    if deleted.malformed > 0 {
        lines.push(format!("    {} path(s) malformed, kept as text", deleted.malformed));
    }
    lines
}

/// At most `max` characters, `...` when cut.
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

fn time_text(time: Option<DateTime<Utc>>) -> String {
    time.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| "-".into())
}

/// `Service Control Manager 7031 x3, ...`.
fn rule_event_list(counts: &[RuleEventCount]) -> String {
    counts
        .iter()
        .map(|c| format!("{} {} x{}", c.provider, c.event_id, c.count))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a, b, c`, with ` (+N more)` for the names a summary does not list; `empty` when
/// there is none.
fn names<'n>(listed: impl IntoIterator<Item = &'n String>, more: usize, empty: &str) -> String {
    let mut text = listed.into_iter().map(String::as_str).collect::<Vec<_>>().join(", ");
    if text.is_empty() {
        text = empty.to_string();
    }
    if more > 0 {
        text.push_str(&format!(" (+{more} more)"));
    }
    text
}

fn event_log(s: &EventLogSummary) -> Vec<String> {
    let join = |set: &std::collections::BTreeSet<String>, more: usize| names(set, more, "-");
    let more = &s.unlisted;
    if s.state == LogState::Empty {
        return vec![format!(
            "empty: no records (a channel created and never written, or cleared){}",
            if s.channels.is_empty() {
                String::new()
            } else {
                format!("; channel {}", join(&s.channels, more.channels))
            }
        )];
    }
    let mut lines = vec![
        format!(
            "channel {}; computer(s) {}",
            join(&s.channels, more.channels),
            join(&s.computers, more.computers)
        ),
        format!("time span {} .. {}", time_text(s.first_time), time_text(s.last_time)),
    ];
    if !s.rule_events.is_empty() {
        lines.push(format!("rule events: {}", rule_event_list(&s.rule_events)));
    }
    if !s.record_id_gaps.is_empty() {
        let missing: u64 = s.record_id_gaps.iter().map(|g| g.missing).sum::<u64>() + more.record_ids_missing;
        lines.push(format!(
            "record-id gaps: {} ({missing} record ids missing)",
            s.record_id_gaps.len() + more.record_id_gaps
        ));
    }
    lines
}

fn evt(s: &EvtSummary) -> Vec<String> {
    if s.state == LogState::Empty && s.recovered_records == 0 {
        return vec![format!("{} log: empty, no records (created or cleared)", s.channel)];
    }
    let mut lines = vec![format!(
        "{} log of {}: {} live + {} recovered records",
        s.channel,
        names(&s.computers, s.unlisted.computers, "?"),
        s.live_records,
        s.recovered_records
    )];
    if let (Some(first), Some(last)) = (&s.first, &s.last) {
        lines.push(format!("time span {first} .. {last}"));
    }
    if let (Some(wrapped), Some(dirty), Some(oldest), Some(current)) =
        (s.wrapped, s.dirty, s.oldest_record_number, s.current_record_number)
    {
        let mut flags = Vec::new();
        if wrapped {
            flags.push("wrapped");
        }
        if dirty {
            flags.push("dirty (not closed cleanly)");
        }
        if s.log_full {
            flags.push("log full");
        }
        lines.push(format!(
            "header: records {}..{}{}{}",
            oldest,
            current.saturating_sub(1),
            if flags.is_empty() { "" } else { ", " },
            flags.join(", ")
        ));
    }
    if !s.record_id_gaps.is_empty() {
        let missing: u64 = s.record_id_gaps.iter().map(|g| g.missing()).sum::<u64>() + s.unlisted.record_ids_missing;
        lines.push(format!(
            "{} record-id gaps, {missing} records missing",
            s.record_id_gaps.len() + s.unlisted.record_id_gaps
        ));
    }
    if !s.rule_events.is_empty() {
        lines.push(format!("rule events: {}", rule_event_list(&s.rule_events)));
    }
    lines
}

fn registry(s: &RegistrySummary) -> Vec<String> {
    let mut lines = vec![format!(
        "{} export ({}), {} keys, {} values, {} key deletions, {} lines",
        match s.header {
            RegHeader::V5 => "regedit v5",
            RegHeader::Regedit4 => "REGEDIT4",
        },
        serde_json::to_value(s.encoding)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        s.keys,
        s.values,
        s.deleted_keys,
        s.lines
    )];
    lines.extend(host_state_lines(&s.host_state));
    lines
}

/// The host state as short text lines (only what the file contains).
fn host_state_lines(state: &HostState) -> Vec<String> {
    let mut lines = Vec::new();
    let id = &state.identity;
    if let Some(host) = state.host_name() {
        let mut line = format!("host: {host}");
        match (&id.fqdn, &id.domain) {
            (Some(fqdn), _) => line.push_str(&format!(" (FQDN {fqdn})")),
            (None, Some(_)) => line.push_str(" (no DNS domain set)"),
            (None, None) => {}
        }
        if id.single_label_domain == Some(true) {
            line.push_str(", single-label domain");
        }
        if id.rename_pending {
            line.push_str(", rename pending");
        }
        lines.push(line);
    }
    if let Some(os) = &state.os {
        lines.push(format!(
            "os: {} {}.{} {}",
            os.product_name.as_deref().or(os.family.as_deref()).unwrap_or("Windows"),
            os.current_version.as_deref().unwrap_or("?"),
            os.build_number.map(|b| b.to_string()).unwrap_or_else(|| "?".into()),
            os.csd_version.as_deref().unwrap_or("no service pack")
        ));
    }
    for install in &state.exchange {
        lines.extend(exchange_lines(install));
    }
    if let Some(services) = &state.services {
        lines.push(format!(
            "services: {} ({} Exchange), NtLmSsp {}",
            services.list.len(),
            services.exchange().count(),
            if services.ntlmssp_present { "present" } else { "absent" }
        ));
        for svc in services.exchange() {
            let mut line = format!(
                "  {}: {}",
                svc.name,
                svc.start_mode.map(|m| m.as_str()).unwrap_or("start not set")
            );
            if !svc.depend_on_service.is_empty() {
                line.push_str(&format!(", depends on {}", svc.depend_on_service.join(", ")));
            }
            lines.push(line);
        }
    }
    let pre = &state.prerequisites;
    for dotnet in &pre.dotnet {
        lines.push(format!(
            ".NET {}: Install={} SP={}",
            dotnet.version_key,
            opt(dotnet.install),
            opt(dotnet.sp)
        ));
    }
    if let Some(ps) = &pre.powershell {
        lines.push(format!(
            "PowerShell 1.0: Install={} version {}",
            opt(ps.install),
            ps.version.as_deref().unwrap_or("?")
        ));
    }
    if let Some(iis) = &pre.iis {
        lines.push(format!("IIS {}.{}", opt(iis.major_version), opt(iis.minor_version)));
    }
    if !pre.hotfixes.is_empty() {
        let ids: Vec<&str> = pre.hotfixes.iter().map(|h| h.id.as_str()).collect();
        lines.push(format!("hotfixes: {}", ids.join(", ")));
    }
    if state.pending_reboot.pending {
        lines.push(format!("pending reboot: {}", state.pending_reboot.markers.join("; ")));
    }
    if let Some(tz) = &state.time_zone {
        let offset = tz.utc_offset_minutes().unwrap_or(0);
        lines.push(format!(
            "time zone: {} (UTC{}{:02}:{:02})",
            tz.name().unwrap_or("?"),
            if offset < 0 { '-' } else { '+' },
            offset.abs() / 60,
            offset.abs() % 60
        ));
    }
    if let Some(rsb) = &state.remote_streaming_backup {
        lines.push(format!("remote streaming backup: {}", rsb.value));
    }
    if let Some(sd) = &state.event_log_custom_sd {
        lines.push(format!("Application event log CustomSD: {}", sd.value));
    }
    lines
}

fn opt(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".to_string())
}

fn exchange_lines(install: &ExchangeInstall) -> Vec<String> {
    let mut lines = vec![format!("{} ({}):", install.product, install.version_key)];
    if let Some(setup) = &install.setup {
        lines.push(format!(
            "  MSI build {} at {}",
            setup.build.map(|b| b.to_string()).unwrap_or_else(|| "?".into()),
            setup.install_path.as_deref().unwrap_or("?")
        ));
    }
    for role in &install.roles {
        let mut line = format!(
            "  {}: unpacked {}",
            role.name,
            role.unpacked_version.as_deref().unwrap_or("-")
        );
        if let Some(level) = &role.unpacked_level {
            line.push_str(&format!(" ({level})"));
        }
        line.push_str(&format!(
            ", configured {}",
            role.configured_version.as_deref().unwrap_or("-")
        ));
        if let Some(level) = &role.configured_level {
            line.push_str(&format!(" ({level})"));
        }
        if let Some(action) = &role.action {
            line.push_str(&format!(", action {action}"));
        }
        if let Some(watermark) = &role.watermark {
            line.push_str(&format!(", watermark {watermark}"));
        }
        if role.state != RoleState::Configured && role.state != RoleState::Installed {
            line.push_str(&format!(
                " [{}]",
                serde_json::to_value(role.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ));
        }
        lines.push(line);
    }
    lines
}
