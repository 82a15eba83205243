//! `exdoctor check` as a service check of a real Nagios 4 (package nagios4-core),
//! started here with a minimal configuration in a private folder (interval_length=1,
//! status_update_interval=1): the daemon runs the plugin, and its status file holds the
//! state, output and performance data of each service.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::{monitoring_tool, samples_dir, scratch, wait_for, Daemon};

/// The main configuration: everything inside `dir`, checks every few seconds.
fn main_config(dir: &Path) -> String {
    let d = dir.display();
    format!(
        "log_file={d}/nagios.log
cfg_file={d}/objects.cfg
object_cache_file={d}/objects.cache
precached_object_file={d}/objects.precache
status_file={d}/status.dat
status_update_interval=1
state_retention_file={d}/retention.dat
retain_state_information=0
command_file={d}/nagios.cmd
check_external_commands=0
lock_file={d}/nagios.lock
temp_file={d}/nagios.tmp
temp_path={d}
check_result_path={d}/checkresults
query_socket={d}/nagios.qh
nagios_user=root
nagios_group=root
interval_length=1
use_syslog=0
log_rotation_method=n
enable_notifications=0
enable_event_handlers=0
enable_flap_detection=0
execute_service_checks=1
accept_passive_service_checks=0
execute_host_checks=1
service_inter_check_delay_method=n
max_service_check_spread=1
host_inter_check_delay_method=n
max_host_check_spread=1
service_check_timeout=60
check_for_orphaned_services=0
illegal_macro_output_chars=`~$&|'\"<>
debug_level=0
"
    )
}

/// One host and three services: the sample fleet (CRITICAL), a healthy server (OK) and
/// a path that does not exist (UNKNOWN).
fn objects(exdoctor: &str, samples: &Path) -> String {
    let s = samples.display();
    let mut text = format!(
        "define command {{
    command_name    check_exdoctor
    command_line    {exdoctor} check $ARG1$ --warning warning --critical error
}}

define command {{
    command_name    host_up
    command_line    /bin/true
}}

define timeperiod {{
    timeperiod_name 24x7
    alias           Always
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}}

define contact {{
    contact_name                  nobody
    alias                         Nobody
    host_notifications_enabled    0
    service_notifications_enabled 0
    host_notification_period      24x7
    service_notification_period   24x7
    host_notification_options     n
    service_notification_options  n
    host_notification_commands    host_up
    service_notification_commands host_up
}}

define host {{
    host_name             exchange-logs
    alias                 Collected Exchange logs
    address               127.0.0.1
    check_command         host_up
    max_check_attempts    1
    check_interval        5
    check_period          24x7
    contacts              nobody
    notification_period   24x7
}}
"
    );
    for (service, path) in [
        ("fleet", format!("{s}")),
        ("healthy", format!("{s}/healthy")),
        ("missing", format!("{s}/no-such-bundle")),
    ] {
        text.push_str(&format!(
            "
define service {{
    host_name             exchange-logs
    service_description   {service}
    check_command         check_exdoctor!{path}
    max_check_attempts    1
    check_interval        5
    retry_interval        5
    check_period          24x7
    contacts              nobody
    notification_period   24x7
}}
"
        ));
    }
    text
}

/// The `servicestatus` blocks of a status file, by service description.
fn service_status(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for block in text.split("servicestatus {").skip(1) {
        let body = block.split("\n\t}").next().unwrap_or_default();
        let fields: BTreeMap<String, String> = body
            .lines()
            .filter_map(|l| l.trim_start().split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(name) = fields.get("service_description") {
            out.insert(name.clone(), fields.clone());
        }
    }
    out
}

#[test]
fn nagios_runs_the_check_and_reads_its_state_output_and_perfdata() {
    let Some(nagios) = monitoring_tool("nagios4", "nagios4-core") else {
        return;
    };
    let dir = scratch("nagios");
    fs::create_dir_all(dir.join("checkresults")).expect("checkresults folder");
    let config = dir.join("nagios.cfg");
    fs::write(&config, main_config(&dir)).expect("nagios.cfg");
    fs::write(
        dir.join("objects.cfg"),
        objects(env!("CARGO_BIN_EXE_exdoctor"), &samples_dir()),
    )
    .expect("objects.cfg");
    let verify = Command::new(&nagios)
        .arg("-v")
        .arg(&config)
        .output()
        .expect("nagios4 -v");
    assert!(
        verify.status.success(),
        "configuration rejected: {}",
        String::from_utf8_lossy(&verify.stdout)
    );

    let log = dir.join("daemon.log");
    let mut command = Command::new(&nagios);
    command.arg(&config);
    let mut daemon = Daemon::start("nagios4", command, &log);
    let status_file = dir.join("status.dat");
    let checked = wait_for(90, || {
        let services = service_status(&fs::read_to_string(&status_file).ok()?);
        let all = ["fleet", "healthy", "missing"].iter().all(|s| {
            services
                .get(*s)
                .is_some_and(|f| f.get("has_been_checked").map(String::as_str) == Some("1"))
        });
        all.then_some(services)
    });
    daemon.assert_running(&log);
    let services = checked.unwrap_or_else(|| {
        panic!(
            "the services were not checked: {}",
            fs::read_to_string(dir.join("nagios.log")).unwrap_or_default()
        )
    });
    let field = |service: &str, name: &str| -> String { services[service].get(name).cloned().unwrap_or_default() };

    assert_eq!(field("fleet", "current_state"), "2");
    assert!(
        field("fleet", "plugin_output")
            .starts_with("EXDOCTOR CRITICAL - 1 critical, 6 error, 4 warning finding(s) on 5 of 8 host(s)"),
        "{}",
        field("fleet", "plugin_output")
    );
    assert_eq!(
        field("fleet", "performance_data"),
        "critical=1;;0;0 error=6;;0;0 warning=4;0;;0 info=10;;;0 hosts=8;;;0 input_errors=0;;;0"
    );
    let long = field("fleet", "long_plugin_output");
    assert_eq!(long.split("\\n").count(), 21, "{long}");
    assert!(
        long.starts_with("[CRITICAL] EXMBX01 critical ntlmssp-dependency: Exchange services depend on NtLmSsp"),
        "{long}"
    );

    assert_eq!(field("healthy", "current_state"), "0");
    assert!(field("healthy", "plugin_output").starts_with("EXDOCTOR OK - no finding at or above warning on 1 host(s)"));
    assert_eq!(
        field("healthy", "performance_data"),
        "critical=0;;0;0 error=0;;0;0 warning=0;0;;0 info=2;;;0 hosts=1;;;0 input_errors=0;;;0"
    );

    assert_eq!(field("missing", "current_state"), "3");
    assert!(
        field("missing", "plugin_output").starts_with("EXDOCTOR UNKNOWN - 1 input(s) could not be read:"),
        "{}",
        field("missing", "plugin_output")
    );
    let nagios_log = fs::read_to_string(dir.join("nagios.log")).unwrap_or_default();
    assert!(
        nagios_log.contains("SERVICE ALERT: exchange-logs;fleet;CRITICAL;HARD;1;EXDOCTOR CRITICAL"),
        "{nagios_log}"
    );
}
