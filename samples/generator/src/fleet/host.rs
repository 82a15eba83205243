//! All files of one fleet host, in memory: its event logs (the story's events, the
//! problem's, and the noise around them, renamed where the machine was renamed), the
//! setup log, the registry exports.

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::Event;

use super::channels::{self, ALWAYS_EMPTY, CHANNELS};
use super::noise::{self, Period};
use super::plan::{HostPlan, Problem, Story as StoryKind, Windows};
use super::problems;
use super::rng::Rng;
use super::setup_log;
use super::FleetOptions;
use crate::evt_writer::EvtWriter;
use crate::evtx_writer::{EvtxWriter, CHUNK_SIZE, FILE_HEADER_SIZE};
use crate::registry::{
    admin_tools, configured, exchange_export, render, services_export, windows_exports, Format, Os as RegOs, RegHost,
    Role, RoleKey, RTM, SP1,
};
use crate::scenarios::exchange::{Svc, ADTOPOLOGY, CAS_SERVICES, HUB_SERVICES, MAILBOX_SERVICES, SERVICEHOST};
use crate::scenarios::windows::{app_boot, boot, shutdown, Restart};
use crate::scenarios::{self, Host, Log, Os, Story};

/// One file of a host bundle.
#[derive(Debug, Clone)]
pub struct HostFile {
    /// Path inside the host's folder (or zip), with `/` separators.
    pub path: String,
    /// The file's content.
    pub bytes: Vec<u8>,
    /// Number of event records, for event logs.
    pub records: Option<u64>,
}

/// The auto-start Exchange services of `roles`, Topology and Service Host first.
pub(crate) fn exchange_services(roles: &[Role]) -> Vec<Svc> {
    let mut out = vec![ADTOPOLOGY, SERVICEHOST];
    for role in roles {
        let list: &[Svc] = match role {
            Role::Hub => HUB_SERVICES,
            Role::Cas => CAS_SERVICES,
            Role::Mailbox => MAILBOX_SERVICES,
        };
        for svc in list {
            if svc.auto_start && !out.iter().any(|s| s.key == svc.key) {
                out.push(*svc);
            }
        }
    }
    out
}

/// Events in record order: by time (EventLog 6011 before the boot records of its
/// second), record ids from `first_id`, and the old computer name before a rename.
fn finish(mut events: Vec<Event>, first_id: u64, rename: Option<&(DateTime<Utc>, String)>) -> Vec<Event> {
    let rank = |e: &Event| u8::from(!(e.event_id == 6011 && e.provider == "EventLog"));
    events.sort_by(|a, b| a.time.cmp(&b.time).then(rank(a).cmp(&rank(b))));
    for (i, e) in events.iter_mut().enumerate() {
        e.record_id = first_id + i as u64;
        if let Some((cut, old)) = rename {
            if e.time < *cut {
                e.computer.clone_from(old);
            }
        }
    }
    events
}

/// Pads an `.evtx` file with unused (zeroed) chunks the way Windows grows its logs: a
/// single chunk stays as it is, more chunks take the file to the next 16-chunk step.
fn preallocate(bytes: &mut Vec<u8>) {
    let chunks = (bytes.len().saturating_sub(FILE_HEADER_SIZE)) / CHUNK_SIZE;
    if chunks > 1 {
        let allocated = chunks.next_multiple_of(16);
        bytes.resize(FILE_HEADER_SIZE + allocated * CHUNK_SIZE, 0);
    }
}

/// Roughly the bytes `events` take as records (UTF-16 text plus fixed parts), a little
/// more rather than less.
fn estimate(events: &[Event]) -> usize {
    events
        .iter()
        .map(|e| {
            let text: usize = e
                .data
                .iter()
                .map(|f| f.value.len() + f.name.as_ref().map_or(0, |_| 4))
                .sum();
            160 + 2 * (text + e.provider.len() + e.computer.len() + e.channel.len())
        })
        .sum::<usize>()
        * 9
        / 8
}

fn evtx_file(path: String, events: &[Event], preallocated: bool) -> Result<HostFile> {
    let chunks = estimate(events) / (CHUNK_SIZE - 512) + 1;
    let room = if preallocated {
        chunks.next_multiple_of(16)
    } else {
        chunks
    };
    let mut writer = EvtxWriter::with_capacity(FILE_HEADER_SIZE + room * CHUNK_SIZE);
    for e in events {
        writer
            .push(e)
            .with_context(|| format!("{path}: record {}", e.record_id))?;
    }
    let mut bytes = writer.finish().with_context(|| path.clone())?;
    if preallocated {
        preallocate(&mut bytes);
    }
    Ok(HostFile {
        path,
        bytes,
        records: Some(events.len() as u64),
    })
}

fn evt_file(path: String, events: &[Event]) -> HostFile {
    let mut writer = EvtWriter::with_capacity(estimate(events) + 0x10000);
    for e in events {
        writer.push(e);
    }
    HostFile {
        path,
        bytes: writer.finish(),
        records: Some(events.len() as u64),
    }
}

fn time_range(events: &[Event]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = events.iter().map(|e| e.time).min()?;
    let last = events.iter().map(|e| e.time).max()?;
    Some((first, last))
}

/// The registry exports of the host (`exchange.reg` only with Exchange installed).
fn registry_files(plan: &HostPlan, rng: &mut Rng, collected: DateTime<Utc>) -> Vec<HostFile> {
    let mailbox = plan.roles.contains(&Role::Mailbox);
    let os = match plan.windows {
        Windows::Server2003 => RegOs::W2003 {
            r2: rng.chance(500),
            enterprise: mailbox,
        },
        Windows::Server2008 => RegOs::W2008 { enterprise: mailbox },
    };
    let role_name = |r: &Role| match r {
        Role::Mailbox => "MailboxRole",
        Role::Hub => "HubTransportRole",
        Role::Cas => "ClientAccessRole",
    };
    let role_keys: Vec<RoleKey> = match (plan.problem, plan.build) {
        (_, None) => Vec::new(),
        (Problem::Sp1Interrupted, _) => vec![
            admin_tools(SP1),
            configured("ClientAccessRole", SP1),
            configured("HubTransportRole", SP1),
            RoleKey {
                name: "MailboxRole",
                unpacked: SP1,
                configured: Some(RTM),
                action: Some("BuildToBuildUpgrade"),
                watermark: Some("5b3d6f0e"),
            },
        ],
        (_, Some(build)) => std::iter::once(admin_tools(build))
            .chain(plan.roles.iter().map(|r| configured(role_name(r), build)))
            .collect(),
    };
    let msi = match plan.build {
        Some(b) if b == RTM => Some((8, 0, 685, 25)),
        Some(_) => Some((8, 1, 240, 6)),
        None => None,
    };
    let mut tz = plan.zone.tz;
    tz.active_bias = -plan.zone.offset_minutes(collected) as i32;
    let readiness = plan.problem == Problem::ReadinessFailure;
    let ntlmssp_removed: &[&str] = if plan.story == StoryKind::Ntlmssp {
        &["MSExchangeServiceHost", "MSExchangeRepl", "MSExchangeSearch"]
    } else {
        &[]
    };
    let reg = RegHost {
        name: &plan.name,
        domain: plan.org.dns,
        os,
        tz,
        roles: plan.roles.clone(),
        role_keys,
        msi,
        installed_on_2003: plan.windows == Windows::Server2003 || plan.story == StoryKind::Ntlmssp,
        ntlmssp_removed_from: ntlmssp_removed,
        dotnet20_sp: u32::from(!readiness),
        powershell: !readiness,
        pending_file_renames: readiness,
        control_set_paths: rng.chance(100),
        remote_streaming_backup: mailbox.then_some(0),
        registered_owner: plan.org.owner,
        ip: &plan.ip,
        dns: &plan.dc_ip,
        format_windows: if plan.windows == Windows::Server2003 && rng.chance(200) {
            Format::Regedit4
        } else {
            Format::V5
        },
    };
    let mut files = Vec::new();
    if let Some(ex) = exchange_export(&reg) {
        files.push(HostFile {
            path: "exchange.reg".to_owned(),
            bytes: render(&[ex], Format::V5),
            records: None,
        });
    }
    files.push(HostFile {
        path: "services.reg".to_owned(),
        bytes: render(&[services_export(&reg)], Format::V5),
        records: None,
    });
    files.push(HostFile {
        path: "windows.reg".to_owned(),
        bytes: render(&windows_exports(&reg), reg.format_windows),
        records: None,
    });
    files
}

/// Builds every file of `plan`'s host.
pub fn host_files(plan: &HostPlan, opts: &FleetOptions) -> Result<Vec<HostFile>> {
    let mut rng = Rng::new(plan.seed, 0);
    let k = opts.events_per_log;
    let offset = plan.story_offset_minutes();
    let story_start_utc = plan
        .story
        .span()
        .map_or(plan.collected, |(first, _)| plan.shifted_utc(first));
    let tz_bias = plan.zone.bias_text(story_start_utc);
    let admin_sid = plan.admin_sid();
    let host = Host {
        fqdn: &plan.fqdn,
        netbios: &plan.name,
        domain: plan.org.netbios,
        utc_offset_minutes: offset,
        tz_bias: &tz_bias,
        admin_sid: &admin_sid,
        dc: &plan.dc,
        ip: &plan.ip,
        dc_ip: &plan.dc_ip,
        shift_days: plan.shift_days,
    };
    let os = match plan.windows {
        Windows::Server2003 => Os::Win2003,
        Windows::Server2008 => Os::Win2008,
    };
    let story: Option<Story<'_>> = match plan.story {
        StoryKind::FreshInstall => Some(scenarios::healthy::story(host)),
        StoryKind::MailboxUpgrade => Some(scenarios::upgrade_order::exmbx12_upgrade(host, os)),
        StoryKind::Sp1Interrupted => Some(scenarios::sp1_interrupted::story(host, os)),
        StoryKind::CrlStall => Some(scenarios::crl_stall::story(host)),
        StoryKind::Readiness => Some(scenarios::prereq_gaps::story(host)),
        StoryKind::Ntlmssp => Some(scenarios::ntlmssp::story(host)),
        StoryKind::Steady => None,
    };
    let services = exchange_services(&plan.roles);
    let span = Duration::days((k as i64 / 700).clamp(4, 90));
    let mut sys_story = Log::seeded(host, os, "System", rng.next_u64());
    let mut app_story = Log::seeded(host, os, "Application", rng.next_u64());
    let mut story_window = None;
    let (mut sys_events, mut app_events, periods, collected, log_start, install) = match story {
        Some(st) => {
            let collected_story = st.collected;
            let sys = st.system.into_events();
            let app = st.application.into_events();
            let (first, last) = time_range(&sys)
                .into_iter()
                .chain(time_range(&app))
                .fold((collected_story, collected_story), |(a, b), (c, d)| {
                    (a.min(c), b.max(d))
                });
            story_window = Some((first, last));
            if plan.story.installs_windows() {
                let collected = last + Duration::days(rng.range(5, 40)) + Duration::minutes(rng.range(0, 600));
                let post = Period {
                    from: last + Duration::hours(1),
                    to: collected - Duration::minutes(10),
                    os: Os::Win2008,
                    exchange: true,
                };
                (sys, app, vec![post], collected, first, None)
            } else {
                let pre_os = if plan.story == StoryKind::Ntlmssp {
                    Os::Win2003
                } else {
                    os
                };
                let pre = Period {
                    from: first - span,
                    to: first - Duration::hours(1),
                    os: pre_os,
                    exchange: plan.build.is_some(),
                };
                (sys, app, vec![pre], collected_story.max(last), first - span, None)
            }
        }
        None => {
            let collected = plan.collected;
            let from = collected - span;
            let mut to = collected - Duration::minutes(10);
            match plan.problem {
                Problem::ServiceCrash => {
                    let svc = problems::crashing_service(&services);
                    let times: Vec<DateTime<Utc>> = [47, 26, 3]
                        .iter()
                        .map(|h| collected - Duration::hours(*h) + Duration::minutes(rng.range(0, 50)))
                        .collect();
                    problems::service_crashes(&mut sys_story, &mut app_story, &mut rng, &svc, &times);
                }
                Problem::AdTopology => {
                    let kernel = collected - Duration::hours(rng.range(3, 20));
                    to = kernel - Duration::minutes(30);
                    let reason = Restart::Admin {
                        process: None,
                        reason: "Other (Unplanned)",
                        code: "0x0",
                    };
                    shutdown(&mut sys_story, kernel - Duration::seconds(70), reason);
                    let eventlog = boot(&mut sys_story, kernel);
                    app_boot(&mut app_story, eventlog);
                    problems::topology_failure(&mut sys_story, &mut app_story, &mut rng, &services, eventlog);
                }
                Problem::MsiFailure => {
                    let at = collected - Duration::hours(rng.range(2, 10));
                    to = at - Duration::minutes(30);
                    problems::msi_failure(&mut sys_story, &mut app_story, &mut rng, &services, at);
                }
                _ => {}
            }
            let period = Period {
                from,
                to,
                os,
                exchange: true,
            };
            let install = plan
                .windows_installed_in_log
                .then(|| (from + Duration::minutes(1), plan.renamed_from.clone()));
            (Vec::new(), Vec::new(), vec![period], collected, from, install)
        }
    };
    sys_events.extend(sys_story.into_events());
    app_events.extend(app_story.into_events());

    // A rename inside a story that installs Windows: at its second boot.
    let mut rename: Option<(DateTime<Utc>, String)> = None;
    if let (Some(old), true) = (&plan.renamed_from, plan.story.installs_windows()) {
        let mut boots: Vec<DateTime<Utc>> = sys_events
            .iter()
            .filter(|e| e.provider == "EventLog" && e.event_id == 6005)
            .map(|e| e.time)
            .collect();
        boots.sort();
        if let Some(at) = boots.get(1).copied() {
            let mut log = Log::seeded(host, Os::Win2008, "System", 1);
            log.classic(
                at,
                "EventLog",
                6011,
                32768,
                exdoctor_parsers::event::Level::Information,
                None,
                &[old, &plan.name],
            );
            sys_events.extend(log.into_events());
        }
    }

    let schedule = noise::schedule(
        &mut rng,
        periods,
        offset,
        services.clone(),
        plan.roles.contains(&Role::Mailbox),
        plan.zone,
        install,
    );
    let mut sys_noise = Log::seeded(host, os, "System", rng.next_u64());
    noise::system(&schedule, &mut sys_noise, &mut rng, k.saturating_sub(sys_events.len()));
    sys_events.extend(sys_noise.into_events());
    let mut app_noise = Log::seeded(host, os, "Application", rng.next_u64());
    noise::application(&schedule, &mut app_noise, &mut rng, k.saturating_sub(app_events.len()));
    app_events.extend(app_noise.into_events());
    // Logons go on during the story too: the Security log covers the whole window.
    let mut sec_periods = schedule.periods.clone();
    if let Some((first, last)) = story_window {
        let upgrade = (plan.story == StoryKind::Ntlmssp).then(|| plan.shifted_utc("2008-03-14 15:40:58"));
        match upgrade {
            Some(at) => {
                sec_periods.push(Period {
                    from: first,
                    to: at,
                    os: Os::Win2003,
                    exchange: true,
                });
                sec_periods.push(Period {
                    from: at,
                    to: last,
                    os: Os::Win2008,
                    exchange: true,
                });
            }
            None => sec_periods.push(Period {
                from: first,
                to: last,
                os,
                exchange: true,
            }),
        }
    }
    let sec_schedule = noise::Schedule {
        periods: sec_periods,
        ..noise::Schedule::default()
    };
    let mut sec_noise = Log::seeded(host, os, "Security", rng.next_u64());
    noise::security(&sec_schedule, &mut sec_noise, &mut rng, 3 * k / 2);
    let sec_events = sec_noise.into_events();

    if let Some(old) = &plan.renamed_from {
        if let Some(e) = sys_events
            .iter()
            .find(|e| e.provider == "EventLog" && e.event_id == 6011)
        {
            rename = Some((e.time - Duration::seconds(5), old.clone()));
        }
    }

    let fresh_log = plan.windows_installed_in_log;
    let first_id = |rng: &mut Rng| {
        if fresh_log {
            1
        } else {
            rng.range(20_000, 900_000) as u64
        }
    };
    let system = finish(sys_events, first_id(&mut rng), rename.as_ref());
    let application = finish(app_events, first_id(&mut rng), rename.as_ref());
    let security = finish(sec_events, first_id(&mut rng), rename.as_ref());

    let mut files = Vec::new();
    let evtx_host = plan.windows == Windows::Server2008;
    if evtx_host {
        let dir = "winevt/Logs";
        files.push(evtx_file(
            format!("{dir}/Application.evtx"),
            &application,
            opts.preallocate,
        )?);
        files.push(evtx_file(format!("{dir}/Security.evtx"), &security, opts.preallocate)?);
        files.push(evtx_file(format!("{dir}/System.evtx"), &system, opts.preallocate)?);
        // Channels that exist since Windows Server 2008 runs on the host.
        let since = if plan.story == StoryKind::Ntlmssp {
            plan.shifted_utc("2008-03-14 15:40:58")
        } else {
            log_start
        };
        let scale = k as f64 / super::DEFAULT_EVENTS_PER_LOG as f64;
        // Channels cleared on this host (0 to 3 of them), besides the ones never written.
        let mut cleared: Vec<&str> = Vec::new();
        for _ in 0..*rng.pick(&[0, 0, 1, 1, 2, 3]) {
            cleared.push(rng.pick(CHANNELS).file);
        }
        let mut names: Vec<(&str, Option<&channels::Channel>)> = ALWAYS_EMPTY.iter().map(|n| (*n, None)).collect();
        names.extend(CHANNELS.iter().map(|c| (c.file, Some(c))));
        names.sort_by_key(|(n, _)| n.to_ascii_lowercase());
        for (name, channel) in names {
            let mut crng = Rng::new(plan.seed, 1).fork(name);
            let path = format!("{dir}/{name}.evtx");
            let count = match channel {
                Some(c) if !cleared.contains(&name) => {
                    let factor = 0.5 + crng.below(1000) as f64 / 1000.0;
                    ((f64::from(c.records) * factor * scale).round() as usize).max(1)
                }
                _ => 0,
            };
            let events = match channel.filter(|_| count > 0) {
                Some(c) => {
                    let mut log = Log::seeded(host, Os::Win2008, &name.replace("%4", "/"), crng.next_u64());
                    channels::fill(c, &mut log, &mut crng, since, collected - Duration::minutes(5), count);
                    finish(
                        log.into_events(),
                        if fresh_log { 1 } else { crng.range(100, 40_000) as u64 },
                        rename.as_ref(),
                    )
                }
                None => Vec::new(),
            };
            files.push(evtx_file(path, &events, opts.preallocate)?);
        }
    } else {
        files.push(evt_file("EventLogs/AppEvent.Evt".to_owned(), &application));
        files.push(evt_file("EventLogs/SecEvent.Evt".to_owned(), &security));
        files.push(evt_file("EventLogs/SysEvent.Evt".to_owned(), &system));
    }
    if plan.has_setup_log {
        if let Some(bytes) = setup_log::setup_log(plan) {
            files.push(HostFile {
                path: "ExchangeSetupLogs/ExchangeSetup.log".to_owned(),
                bytes,
                records: None,
            });
        }
        if let Some((name, bytes)) = setup_log::task_script(plan) {
            files.push(HostFile {
                path: format!("ExchangeSetupLogs/{name}"),
                bytes,
                records: None,
            });
        }
    }
    if plan.has_registry {
        files.extend(registry_files(plan, &mut rng, collected));
    }
    Ok(files)
}
