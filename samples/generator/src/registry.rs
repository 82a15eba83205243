//! Registry exports (`.reg`) written byte for byte as regedit writes them: UTF-16LE with
//! BOM, `Windows Registry Editor Version 5.00`, CRLF, a blank line before each key, hex
//! data wrapped at regedit's column with `\` and two-space continuation lines, or a
//! `REGEDIT4` export in the ANSI code page (Windows-1252), as regedit's "Win9x/NT4" save
//! format writes it.
//!
//! [`RegHost`] holds the facts of one host; [`windows_exports`], [`services_export`] and
//! [`exchange_export`] build the three exports the sample hosts and the fleet hosts
//! carry (`windows.reg`, `services.reg`, `exchange.reg`), [`render`] writes them.

// ---------------------------------------------------------------------------------
// Registry tree model
// ---------------------------------------------------------------------------------

/// Value data as regedit exports it.
#[derive(Debug, Clone)]
pub enum Val {
    /// `REG_SZ`.
    Sz(String),
    /// `REG_EXPAND_SZ` (`hex(2):` in the export).
    Expand(String),
    /// `REG_MULTI_SZ` (`hex(7):`).
    Multi(Vec<String>),
    /// `REG_DWORD`.
    Dword(u32),
    /// `REG_BINARY` (`hex:`).
    Binary(Vec<u8>),
}

/// A key with its values and subkeys.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// The key's own name (last path component).
    pub name: String,
    /// Values in the order they were set.
    pub values: Vec<(String, Val)>,
    /// Subkeys (written in case-insensitive alphabetical order).
    pub children: Vec<Node>,
}

impl Node {
    /// A key without values or subkeys.
    pub fn new(name: &str) -> Node {
        Node {
            name: name.to_string(),
            ..Node::default()
        }
    }

    /// The subkey at relative path `a\b` (created when missing, case-insensitive).
    pub fn key(&mut self, rel: &str) -> &mut Node {
        let mut node = self;
        for part in rel.split('\\').filter(|p| !p.is_empty()) {
            let at = match node.children.iter().position(|c| c.name.eq_ignore_ascii_case(part)) {
                Some(i) => i,
                None => {
                    node.children.push(Node::new(part));
                    node.children.len() - 1
                }
            };
            node = &mut node.children[at];
        }
        node
    }

    /// Sets a value (replacing one of the same name, case-insensitive).
    pub fn set(&mut self, name: &str, val: Val) -> &mut Node {
        self.values.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.values.push((name.to_string(), val));
        self
    }

    /// Sets a `REG_SZ` value.
    pub fn sz(&mut self, name: &str, v: &str) -> &mut Node {
        self.set(name, Val::Sz(v.to_string()))
    }

    /// Sets a `REG_EXPAND_SZ` value.
    pub fn expand(&mut self, name: &str, v: &str) -> &mut Node {
        self.set(name, Val::Expand(v.to_string()))
    }

    /// Sets a `REG_MULTI_SZ` value.
    pub fn multi(&mut self, name: &str, v: &[&str]) -> &mut Node {
        self.set(name, Val::Multi(v.iter().map(|s| s.to_string()).collect()))
    }

    /// Sets a `REG_DWORD` value.
    pub fn dword(&mut self, name: &str, v: u32) -> &mut Node {
        self.set(name, Val::Dword(v))
    }

    /// Sets a `REG_BINARY` value.
    pub fn binary(&mut self, name: &str, v: &[u8]) -> &mut Node {
        self.set(name, Val::Binary(v.to_vec()))
    }
}

/// One exported subtree: regedit writes the root key, then every subkey depth-first in
/// case-insensitive alphabetical order.
pub struct Export {
    /// Full path of the exported key (`HKEY_LOCAL_MACHINE\\...`).
    pub path: String,
    /// The exported key.
    pub root: Node,
}

impl Export {
    /// An export of the key at `path`.
    pub fn new(path: &str) -> Export {
        Export {
            path: path.to_string(),
            root: Node::new(path.rsplit('\\').next().unwrap_or(path)),
        }
    }

    /// The subkey at relative path `rel` (created when missing).
    pub fn key(&mut self, rel: &str) -> &mut Node {
        self.root.key(rel)
    }
}

// ---------------------------------------------------------------------------------
// regedit writer
// ---------------------------------------------------------------------------------

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `Windows Registry Editor Version 5.00`, UTF-16LE.
    V5,
    /// `REGEDIT4`, ANSI (Windows-1252).
    Regedit4,
}

/// regedit's hex wrapping: after each "xx," the line length grows by 3; at 77 or more
/// it writes `\`, CRLF and two spaces (Wine's regedit reproduces the same rule).
const HEX_WRAP: usize = 77;

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Windows-1252 bytes of `s` (Latin-1 range plus the euro sign; '?' otherwise).
fn ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '€' => 0x80,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// The bytes of string data as stored: UTF-16LE (v5) or ANSI (REGEDIT4), NUL-terminated.
fn string_bytes(s: &str, format: Format) -> Vec<u8> {
    let mut out = match format {
        Format::V5 => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Format::Regedit4 => ansi(s),
    };
    out.resize(out.len() + if format == Format::V5 { 2 } else { 1 }, 0);
    out
}

fn multi_bytes(items: &[String], format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        out.extend(string_bytes(item, format));
    }
    out.extend(string_bytes("", format));
    out
}

fn hex_line(out: &mut String, lead: usize, bytes: &[u8]) {
    let mut line_len = lead;
    for (i, b) in bytes.iter().enumerate() {
        out.push_str(&format!("{b:02x}"));
        if i + 1 == bytes.len() {
            break;
        }
        out.push(',');
        line_len += 3;
        if line_len >= HEX_WRAP {
            out.push_str("\\\r\n  ");
            line_len = 2;
        }
    }
}

fn value_line(out: &mut String, name: &str, val: &Val, format: Format) {
    let head = if name.is_empty() {
        "@=".to_string()
    } else {
        format!("\"{}\"=", escape(name))
    };
    out.push_str(&head);
    let (prefix, bytes) = match val {
        Val::Sz(s) => {
            out.push_str(&format!("\"{}\"\r\n", escape(s)));
            return;
        }
        Val::Dword(v) => {
            out.push_str(&format!("dword:{v:08x}\r\n"));
            return;
        }
        Val::Expand(s) => ("hex(2):", string_bytes(s, format)),
        Val::Multi(items) => ("hex(7):", multi_bytes(items, format)),
        Val::Binary(b) => ("hex:", b.clone()),
    };
    out.push_str(prefix);
    hex_line(out, head.chars().count() + prefix.len(), &bytes);
    out.push_str("\r\n");
}

fn write_node(out: &mut String, path: &str, node: &Node, format: Format) {
    out.push_str(&format!("\r\n[{path}]\r\n"));
    for (name, val) in &node.values {
        value_line(out, name, val, format);
    }
    let mut children: Vec<&Node> = node.children.iter().collect();
    children.sort_by_key(|c| c.name.to_uppercase());
    for child in children {
        write_node(out, &format!("{path}\\{}", child.name), child, format);
    }
}

/// The file bytes of `exports` (several subtrees one after the other, as a collection
/// script that runs `reg export` per key and joins the results writes them).
pub fn render(exports: &[Export], format: Format) -> Vec<u8> {
    let mut text = String::from(match format {
        Format::V5 => "Windows Registry Editor Version 5.00\r\n",
        Format::Regedit4 => "REGEDIT4\r\n",
    });
    for export in exports {
        write_node(&mut text, &export.path, &export.root, format);
    }
    text.push_str("\r\n");
    match format {
        Format::V5 => {
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        }
        Format::Regedit4 => ansi(&text),
    }
}

// ---------------------------------------------------------------------------------
// Host facts
// ---------------------------------------------------------------------------------

/// The Windows version of a host, as its registry shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Windows Server 2003 (R2) x64 SP2, 5.2.3790.
    W2003 {
        /// Release 2.
        r2: bool,
        /// Enterprise Edition (else Standard).
        enterprise: bool,
    },
    /// Windows Server 2008 x64 SP1, 6.0.6001.
    W2008 {
        /// Enterprise Edition (else Standard).
        enterprise: bool,
    },
}

impl Os {
    /// Windows Server 2008.
    pub fn is_2008(self) -> bool {
        matches!(self, Os::W2008 { .. })
    }
}

/// An Exchange 2007 server role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Mailbox.
    Mailbox,
    /// Hub Transport.
    Hub,
    /// Client Access.
    Cas,
}

/// A role key under `v8.0`: its name and the setup state values.
#[derive(Debug, Clone, Copy)]
pub struct RoleKey {
    /// `MailboxRole`, `ClientAccessRole`, `HubTransportRole`, `AdminTools`.
    pub name: &'static str,
    /// `UnpackedVersion`.
    pub unpacked: &'static str,
    /// `ConfiguredVersion` (none for AdminTools or a role not configured yet).
    pub configured: Option<&'static str>,
    /// `Action` of an unfinished setup.
    pub action: Option<&'static str>,
    /// `Watermark` of an unfinished setup.
    pub watermark: Option<&'static str>,
}

/// A role unpacked and configured at `build`.
pub fn configured(name: &'static str, build: &'static str) -> RoleKey {
    RoleKey {
        name,
        unpacked: build,
        configured: Some(build),
        action: None,
        watermark: None,
    }
}

/// The management tools at `build` (no `ConfiguredVersion`).
pub fn admin_tools(build: &'static str) -> RoleKey {
    RoleKey {
        name: "AdminTools",
        unpacked: build,
        configured: None,
        action: None,
        watermark: None,
    }
}

/// Time zone registry data.
#[derive(Debug, Clone, Copy)]
pub struct Tz {
    /// `TimeZoneKeyName` (Windows Server 2008).
    pub key_name: &'static str,
    /// `StandardName`.
    pub standard_name: &'static str,
    /// `DaylightName`.
    pub daylight_name: &'static str,
    /// `Bias` in minutes (UTC = local + bias).
    pub bias: i32,
    /// `ActiveTimeBias`: the bias in effect when the export was taken.
    pub active_bias: i32,
    /// (month, week, day of week, hour) of the return to standard time.
    pub standard_start: (u16, u16, u16, u16),
    /// Start of daylight time.
    pub daylight_start: (u16, u16, u16, u16),
}

/// The facts of one host that its registry exports show.
#[derive(Debug, Clone)]
pub struct RegHost<'a> {
    /// NetBIOS computer name.
    pub name: &'a str,
    /// DNS domain (`contoso.com`, or a single label such as `CORP`).
    pub domain: &'a str,
    /// Its Windows version.
    pub os: Os,
    /// Its time zone.
    pub tz: Tz,
    /// Its Exchange roles.
    pub roles: Vec<Role>,
    /// The role keys of `v8.0` with their versions and watermarks.
    pub role_keys: Vec<RoleKey>,
    /// MSI build of `v8.0\\Setup` (major, minor, build, revision); `None` = no Exchange.
    pub msi: Option<(u32, u32, u32, u32)>,
    /// Exchange was installed while the OS was Windows Server 2003 (its services list
    /// NtLmSsp in DependOnService).
    pub installed_on_2003: bool,
    /// Services from which the admin removed NtLmSsp by hand.
    pub ntlmssp_removed_from: &'a [&'a str],
    /// `SP` of .NET Framework 2.0.
    pub dotnet20_sp: u32,
    /// Windows PowerShell 1.0 installed.
    pub powershell: bool,
    /// A `PendingFileRenameOperations` value (reboot pending).
    pub pending_file_renames: bool,
    /// `Services` exported via `ControlSet001` and `SYSTEM\\Select` exported too.
    pub control_set_paths: bool,
    /// "Enable Remote Streaming Backup" on MSExchangeIS\\ParametersSystem.
    pub remote_streaming_backup: Option<u32>,
    /// `RegisteredOwner` of `Windows NT\\CurrentVersion`.
    pub registered_owner: &'a str,
    /// IPv4 address of the host and of its DNS server.
    pub ip: &'a str,
    /// IPv4 address of its DNS server.
    pub dns: &'a str,
    /// Format of `windows.reg` (the other exports are always version 5).
    pub format_windows: Format,
}

/// Where Exchange 2007 is installed.
pub const EXCHANGE_DIR: &str = "C:\\Program Files\\Microsoft\\Exchange Server\\";
/// Exchange 2007 SP1.
pub const SP1: &str = "8.1.240.6";
/// Exchange 2007 RTM.
pub const RTM: &str = "8.0.685.25";

// ---------------------------------------------------------------------------------
// windows.reg: OS, prerequisites, reboot markers, time zone, computer name
// ---------------------------------------------------------------------------------

fn system_time(rule: (u16, u16, u16, u16)) -> Vec<u8> {
    let (month, week, dow, hour) = rule;
    [0u16, month, dow, week, hour, 0, 0, 0]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect()
}

/// `windows.reg`: OS version, .NET, PowerShell, IIS, updates and reboot markers, Session
/// Manager, time zone, computer name.
pub fn windows_exports(h: &RegHost<'_>) -> Vec<Export> {
    let mut out = Vec::new();

    // Windows NT\CurrentVersion (without its many subkeys).
    let mut cv = Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion");
    {
        let k = &mut cv.root;
        match h.os {
            Os::W2003 { r2, enterprise } => {
                k.sz("SoftwareType", "SYSTEM")
                    .sz("RegisteredOwner", h.registered_owner)
                    .sz("RegisteredOrganization", "")
                    .sz("CurrentVersion", "5.2")
                    .sz("CurrentBuildNumber", "3790")
                    .sz("CurrentBuild", "3790")
                    .sz("CSDVersion", "Service Pack 2")
                    .dword("CSDBuildNumber", 0x0e11)
                    .sz("CurrentType", "Multiprocessor Free")
                    .sz("BuildLab", "3790.srv03_sp2_rtm.070216-1710")
                    .sz(
                        "ProductName",
                        if r2 {
                            "Microsoft Windows Server 2003 R2"
                        } else {
                            "Microsoft Windows Server 2003"
                        },
                    )
                    .sz(
                        "ProductId",
                        if enterprise {
                            "76871-644-5241427-50783"
                        } else {
                            "76871-643-3781125-50474"
                        },
                    )
                    .binary(
                        "DigitalProductId",
                        &[0xa4, 0, 0, 0, 3, 0, 0, 0, 0x37, 0x36, 0x38, 0x37, 0x31],
                    )
                    .sz("SystemRoot", "C:\\WINDOWS")
                    .dword("InstallDate", 0x4748_1f2a)
                    .sz("PathName", "C:\\WINDOWS")
                    .sz("SourcePath", "D:\\AMD64");
            }
            Os::W2008 { enterprise } => {
                k.sz("CurrentVersion", "6.0")
                    .sz("CurrentBuildNumber", "6001")
                    .sz("CurrentBuild", "6001")
                    .sz("CSDVersion", "Service Pack 1")
                    .dword("CSDBuildNumber", 0x0450)
                    .sz("SoftwareType", "System")
                    .sz("CurrentType", "Multiprocessor Free")
                    .sz("RegisteredOwner", h.registered_owner)
                    .sz("RegisteredOrganization", "")
                    .sz("BuildLab", "6001.longhorn_rtm.080118-1840")
                    .sz("BuildLabEx", "6001.18000.amd64fre.longhorn_rtm.080118-1840")
                    .sz("BuildGUID", "ffffffff-ffff-ffff-ffff-ffffffffffff")
                    .sz(
                        "ProductName",
                        if enterprise {
                            "Windows Server® 2008 Enterprise"
                        } else {
                            "Windows Server® 2008 Standard"
                        },
                    )
                    .sz(
                        "EditionID",
                        if enterprise {
                            "ServerEnterprise"
                        } else {
                            "ServerStandard"
                        },
                    )
                    .sz("InstallationType", "Server")
                    .sz("ProductId", "92577-082-2500446-76712")
                    .sz("SystemRoot", "C:\\Windows")
                    .sz("PathName", "C:\\Windows")
                    .dword("InstallDate", 0x47c8_3d10);
            }
        }
        k.key("Winlogon")
            .sz(
                "DefaultDomainName",
                h.domain.split('.').next().unwrap_or(h.domain).to_uppercase().as_str(),
            )
            .sz("DefaultUserName", "Administrator")
            .sz("Shell", "Explorer.exe")
            .sz(
                "Userinit",
                if h.os.is_2008() {
                    "C:\\Windows\\system32\\userinit.exe,"
                } else {
                    "C:\\WINDOWS\\system32\\userinit.exe,"
                },
            )
            .dword("AutoRestartShell", 1);
    }
    out.push(cv);

    // .NET Framework setup state.
    let mut ndp = Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP");
    if !h.os.is_2008() {
        ndp.key("v1.1.4322")
            .dword("Install", 1)
            .dword("SP", 1)
            .sz("Version", "1.1.4322.2407");
    }
    {
        let v2 = ndp.key("v2.0.50727");
        v2.dword("Install", 1)
            .dword("SP", h.dotnet20_sp)
            .sz(
                "Version",
                if h.dotnet20_sp >= 1 {
                    "2.1.21022"
                } else {
                    "2.0.50727.42"
                },
            )
            .sz("Increment", if h.dotnet20_sp >= 1 { "1433" } else { "42" })
            .dword("MSI", 1);
        v2.key("1033").dword("Install", 1).dword("SP", h.dotnet20_sp);
    }
    if h.os.is_2008() {
        ndp.key("v3.0")
            .dword("Install", 1)
            .dword("SP", 1)
            .sz("Version", "3.0.30618");
        ndp.key("v3.0\\Setup")
            .dword("InstallSuccess", 1)
            .sz("Version", "3.0.4506.648");
    }
    out.push(ndp);

    // Windows PowerShell 1.0.
    if h.powershell {
        let mut ps = Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\PowerShell");
        let base = if h.os.is_2008() {
            "C:\\Windows\\System32\\WindowsPowerShell\\v1.0"
        } else {
            "C:\\WINDOWS\\system32\\WindowsPowerShell\\v1.0"
        };
        ps.key("1").dword("Install", 1).sz("PID", "89383-100-0001260-04309");
        ps.key("1\\PowerShellEngine")
            .sz("ApplicationBase", base)
            .sz("PSCompatibleVersion", "1.0")
            .sz("RuntimeVersion", "v2.0.50727")
            .sz(
                "ConsoleHostAssemblyName",
                "Microsoft.PowerShell.ConsoleHost, Version=1.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35, ProcessorArchitecture=msil",
            )
            .sz("ConsoleHostModuleName", &format!("{base}\\Microsoft.PowerShell.ConsoleHost.dll"))
            .sz("PowerShellVersion", "1.0");
        ps.key("1\\ShellIds\\Microsoft.PowerShell")
            .sz("Path", &format!("{base}\\powershell.exe"))
            .sz("ExecutionPolicy", "RemoteSigned");
        out.push(ps);
    }

    // IIS.
    let mut inet = Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\InetStp");
    if h.os.is_2008() {
        inet.root
            .dword("MajorVersion", 7)
            .dword("MinorVersion", 0)
            .sz("InstallPath", "C:\\Windows\\system32\\inetsrv")
            .sz("PathWWWRoot", "%SystemDrive%\\inetpub\\wwwroot")
            .sz("SetupString", "IIS 7.0")
            .sz("VersionString", "Version 7.0")
            .sz("IISProgramGroup", "Microsoft Internet Information Services");
        let components = inet.key("Components");
        for name in [
            "W3SVC",
            "ASPNET",
            "NetFxExtensibility",
            "ISAPIExtensions",
            "ISAPIFilter",
            "WindowsAuthentication",
            "BasicAuthentication",
            "DigestAuthentication",
            "HttpCompressionStatic",
            "HttpCompressionDynamic",
            "ManagementConsole",
            "Metabase",
            "ADSICompatibility",
            "LegacySnapin",
            "WMICompatibility",
        ] {
            components.dword(name, 1);
        }
    } else {
        inet.root
            .dword("MajorVersion", 6)
            .dword("MinorVersion", 0)
            .sz("InstallPath", "C:\\WINDOWS\\system32\\inetsrv")
            .sz("PathWWWRoot", "c:\\inetpub\\wwwroot")
            .sz("SetupString", "IIS 6.0");
    }
    out.push(inet);

    // Hotfixes and the update.exe reboot marker (Windows Server 2003 only).
    if !h.os.is_2008() {
        let mut updates = Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Updates");
        let mut fixes = vec![
            (
                "KB925902",
                "Security Update for Windows Server 2003 (KB925902)",
                "Security Update",
            ),
            ("KB931784", "Update for Windows Server 2003 (KB931784)", "Update"),
            ("KB931836", "Update for Windows Server 2003 (KB931836)", "Update"),
            (
                "KB933729",
                "Security Update for Windows Server 2003 (KB933729)",
                "Security Update",
            ),
            ("KB936357", "Update for Windows Server 2003 (KB936357)", "Update"),
            (
                "KB941569",
                "Security Update for Windows Server 2003 (KB941569)",
                "Security Update",
            ),
        ];
        if h.powershell {
            fixes.push(("KB926139", "Windows PowerShell(TM) 1.0", "Update"));
        }
        for (id, description, kind) in fixes {
            updates
                .key(&format!("Windows Server 2003\\SP3\\{id}"))
                .sz("Description", description)
                .sz("InstalledBy", "Administrator")
                .sz("InstalledDate", "11/22/2007")
                .dword("Type", 1)
                .sz("ReleaseType", kind)
                .sz("PackageName", id)
                .sz("PackageVersion", "1")
                .sz(
                    "UninstallCommand",
                    &format!("C:\\WINDOWS\\$NtUninstall{id}$\\spuninst\\spuninst.exe"),
                );
        }
        updates.key("UpdateExeVolatile").dword("Flags", 0);
        out.push(updates);
    } else {
        let mut cbs =
            Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing");
        cbs.root
            .dword("LastTrustTime", 0x01c8_a2f3)
            .dword("CbsSessionCounter", 0x5a)
            .dword("ExecuteState", 0xffff_ffff);
        cbs.key("Version")
            .expand("6.0.6001.18000", "%SystemRoot%\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_6.0.6001.18000_none_c962d1e515e94269");
        out.push(cbs);
        let mut wu =
            Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update");
        wu.root
            .dword("AUOptions", 3)
            .dword("AUState", 7)
            .dword("ScheduledInstallDay", 0)
            .dword("ScheduledInstallTime", 3);
        out.push(wu);
    }

    // Session Manager (without its subkeys).
    let ccs = if h.control_set_paths {
        "HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001"
    } else {
        "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet"
    };
    let mut sm = Export::new(&format!("{ccs}\\Control\\Session Manager"));
    sm.root
        .dword("ProtectionMode", 1)
        .dword("EnableMCA", 1)
        .dword("EnableMCE", 0)
        .dword("ObjectSecurityMode", 0)
        .dword("LicensingInfo", 0)
        .multi("BootExecute", &["autocheck autochk *"])
        .dword("CriticalSectionTimeout", 0x278d00)
        .multi("ExcludeFromKnownDlls", &[])
        .dword("GlobalFlag", 0)
        .dword("HeapDeCommitFreeBlockThreshold", 0)
        .dword("HeapDeCommitTotalFreeThreshold", 0)
        .dword("HeapSegmentCommit", 0)
        .dword("HeapSegmentReserve", 0)
        .dword("RegisteredProcessors", 4)
        .dword("ResourceTimeoutCount", 0x0009_4000)
        .multi("ObjectDirectories", &["\\Windows", "\\RPC Control"]);
    if h.pending_file_renames {
        sm.root.multi(
            "PendingFileRenameOperations",
            &[
                "\\??\\C:\\WINDOWS\\system32\\drivers\\SET3A.tmp",
                "!\\??\\C:\\WINDOWS\\system32\\drivers\\symmpi.sys",
                "\\??\\C:\\WINDOWS\\system32\\SET3C.tmp",
                "!\\??\\C:\\WINDOWS\\system32\\msxml6.dll",
                "\\??\\C:\\Documents and Settings\\jmueller\\Local Settings\\Temp\\~DF3A1.tmp",
                "",
            ],
        );
    }
    // The system environment: every sample host is x64, as Exchange 2007 requires.
    sm.key("Environment")
        .expand("ComSpec", "%SystemRoot%\\system32\\cmd.exe")
        .sz("NUMBER_OF_PROCESSORS", "4")
        .sz("OS", "Windows_NT")
        .expand(
            "Path",
            "%SystemRoot%\\system32;%SystemRoot%;%SystemRoot%\\System32\\Wbem",
        )
        .sz("PATHEXT", ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH")
        .sz("PROCESSOR_ARCHITECTURE", "AMD64")
        .sz(
            "PROCESSOR_IDENTIFIER",
            "EM64T Family 6 Model 15 Stepping 11, GenuineIntel",
        )
        .sz("PROCESSOR_LEVEL", "6")
        .expand("TEMP", "%SystemRoot%\\TEMP")
        .expand("TMP", "%SystemRoot%\\TEMP")
        .expand("windir", "%SystemRoot%");
    out.push(sm);

    // Time zone.
    let mut tz = Export::new(&format!("{ccs}\\Control\\TimeZoneInformation"));
    tz.root
        .dword("ActiveTimeBias", h.tz.active_bias as u32)
        .dword("Bias", h.tz.bias as u32)
        .dword("DaylightBias", (-60i32) as u32)
        .sz("DaylightName", h.tz.daylight_name)
        .binary("DaylightStart", &system_time(h.tz.daylight_start))
        .dword("StandardBias", 0)
        .sz("StandardName", h.tz.standard_name)
        .binary("StandardStart", &system_time(h.tz.standard_start));
    if h.os.is_2008() {
        tz.root
            .dword("DynamicDaylightTimeDisabled", 0)
            .sz("TimeZoneKeyName", h.tz.key_name);
    }
    out.push(tz);

    // Computer name.
    let mut cn = Export::new(&format!("{ccs}\\Control\\ComputerName"));
    cn.key("ActiveComputerName").sz("ComputerName", h.name);
    cn.key("ComputerName").sz("ComputerName", h.name);
    out.push(cn);

    if h.control_set_paths {
        let mut select = Export::new("HKEY_LOCAL_MACHINE\\SYSTEM\\Select");
        select
            .root
            .dword("Current", 1)
            .dword("Default", 1)
            .dword("Failed", 0)
            .dword("LastKnownGood", 2);
        out.push(select);
    }
    out
}

// ---------------------------------------------------------------------------------
// services.reg
// ---------------------------------------------------------------------------------

/// (name, display name, image path, type, start, depends, account, description)
type SvcRow = (
    &'static str,
    &'static str,
    &'static str,
    u32,
    u32,
    &'static [&'static str],
    &'static str,
    &'static str,
);

const LOCAL_SYSTEM: &str = "LocalSystem";
const NETWORK_SERVICE: &str = "NT AUTHORITY\\NetworkService";
const LOCAL_SERVICE: &str = "NT AUTHORITY\\LocalService";

const W2003_SERVICES: &[SvcRow] = &[
    (
        "Alerter",
        "Alerter",
        "%SystemRoot%\\system32\\svchost.exe -k LocalService",
        0x20,
        4,
        &["LanmanWorkstation"],
        LOCAL_SERVICE,
        "Notifies selected users and computers of administrative alerts.",
    ),
    (
        "BITS",
        "Background Intelligent Transfer Service",
        "%SystemRoot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        3,
        &["Rpcss", "EventSystem"],
        LOCAL_SYSTEM,
        "Transfers files in the background using idle network bandwidth.",
    ),
    (
        "Browser",
        "Computer Browser",
        "%SystemRoot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &["LanmanWorkstation", "LanmanServer"],
        LOCAL_SYSTEM,
        "Maintains an updated list of computers on the network.",
    ),
    (
        "CryptSvc",
        "Cryptographic Services",
        "%SystemRoot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &["RpcSs"],
        LOCAL_SYSTEM,
        "Provides three management services: Catalog Database Service, Protected Root Service and Key Service.",
    ),
    (
        "DcomLaunch",
        "DCOM Server Process Launcher",
        "%SystemRoot%\\system32\\svchost.exe -k DcomLaunch",
        0x20,
        2,
        &[],
        LOCAL_SYSTEM,
        "Provides launch functionality for DCOM services.",
    ),
    (
        "Dhcp",
        "DHCP Client",
        "%SystemRoot%\\system32\\svchost.exe -k NetworkService",
        0x20,
        2,
        &["Tcpip", "Afd", "NetBT"],
        NETWORK_SERVICE,
        "Manages network configuration by registering and updating IP addresses and DNS names.",
    ),
    (
        "Dnscache",
        "DNS Client",
        "%SystemRoot%\\system32\\svchost.exe -k NetworkService",
        0x20,
        2,
        &["Tcpip"],
        NETWORK_SERVICE,
        "Resolves and caches Domain Name System (DNS) names for this computer.",
    ),
    (
        "ERSvc",
        "Error Reporting Service",
        "%SystemRoot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &["RpcSs"],
        LOCAL_SYSTEM,
        "Collects, stores, and reports unexpected application crashes to Microsoft.",
    ),
    (
        "EventSystem",
        "COM+ Event System",
        "%SystemRoot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        3,
        &["rpcss"],
        LOCAL_SYSTEM,
        "Supports System Event Notification Service (SENS).",
    ),
    (
        "IISADMIN",
        "IIS Admin Service",
        "%systemroot%\\system32\\inetsrv\\inetinfo.exe",
        0x20,
        2,
        &["RPCSS", "SamSS"],
        LOCAL_SYSTEM,
        "Enables this server to administer Web and FTP services.",
    ),
    (
        "lanmanserver",
        "Server",
        "%SystemRoot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &["SamSS", "Srv"],
        LOCAL_SYSTEM,
        "Supports file, print, and named-pipe sharing over the network for this computer.",
    ),
    (
        "lanmanworkstation",
        "Workstation",
        "%SystemRoot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &["MRxSmb", "NetBIOS"],
        LOCAL_SYSTEM,
        "Creates and maintains client network connections to remote servers.",
    ),
    (
        "LmHosts",
        "TCP/IP NetBIOS Helper",
        "%SystemRoot%\\system32\\svchost.exe -k LocalService",
        0x20,
        2,
        &["NetBT", "AFD"],
        LOCAL_SERVICE,
        "Enables support for NetBIOS over TCP/IP (NetBT) service and NetBIOS name resolution.",
    ),
    (
        "MSDTC",
        "Distributed Transaction Coordinator",
        "%SystemRoot%\\System32\\msdtc.exe",
        0x10,
        2,
        &["RPCSS", "SamSS"],
        NETWORK_SERVICE,
        "Coordinates transactions that span multiple resource managers.",
    ),
    (
        "Netlogon",
        "Net Logon",
        "%SystemRoot%\\system32\\lsass.exe",
        0x20,
        2,
        &["LanmanWorkstation"],
        LOCAL_SYSTEM,
        "Maintains a secure channel between this computer and the domain controller.",
    ),
    (
        "NtLmSsp",
        "NT LM Security Support Provider",
        "%SystemRoot%\\system32\\lsass.exe",
        0x20,
        3,
        &[],
        LOCAL_SYSTEM,
        "Provides security to remote procedure call (RPC) programs that use transports other than named pipes.",
    ),
    (
        "PlugPlay",
        "Plug and Play",
        "%SystemRoot%\\system32\\services.exe",
        0x20,
        2,
        &[],
        LOCAL_SYSTEM,
        "Enables a computer to recognize and adapt to hardware changes.",
    ),
    (
        "PolicyAgent",
        "IPSEC Services",
        "%SystemRoot%\\system32\\lsass.exe",
        0x20,
        2,
        &["RPCSS", "Tcpip", "IPSEC"],
        LOCAL_SYSTEM,
        "Provides end-to-end security between clients and servers on TCP/IP networks.",
    ),
    (
        "ProtectedStorage",
        "Protected Storage",
        "%SystemRoot%\\system32\\lsass.exe",
        0x20,
        2,
        &["RpcSs"],
        LOCAL_SYSTEM,
        "Protects storage of sensitive information, such as private keys.",
    ),
    (
        "RemoteRegistry",
        "Remote Registry",
        "%SystemRoot%\\system32\\svchost.exe -k regsvc",
        0x20,
        2,
        &["RPCSS"],
        LOCAL_SERVICE,
        "Enables remote users to modify registry settings on this computer.",
    ),
    (
        "RpcSs",
        "Remote Procedure Call (RPC)",
        "%SystemRoot%\\system32\\svchost.exe -k rpcss",
        0x20,
        2,
        &[],
        NETWORK_SERVICE,
        "Serves as the endpoint mapper and COM Service Control Manager.",
    ),
    (
        "SamSs",
        "Security Accounts Manager",
        "%SystemRoot%\\system32\\lsass.exe",
        0x20,
        2,
        &["RPCSS"],
        LOCAL_SYSTEM,
        "Stores security information for local user accounts.",
    ),
    (
        "Schedule",
        "Task Scheduler",
        "%SystemRoot%\\System32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &["RpcSs"],
        LOCAL_SYSTEM,
        "Enables a user to configure and schedule automated tasks on this computer.",
    ),
    (
        "seclogon",
        "Secondary Logon",
        "%SystemRoot%\\System32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &[],
        LOCAL_SYSTEM,
        "Enables starting processes under alternate credentials.",
    ),
    (
        "SENS",
        "System Event Notification",
        "%SystemRoot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &["EventSystem"],
        LOCAL_SYSTEM,
        "Monitors system events and notifies subscribers to COM+ Event System of these events.",
    ),
    (
        "Spooler",
        "Print Spooler",
        "%SystemRoot%\\system32\\spoolsv.exe",
        0x110,
        2,
        &["RPCSS"],
        LOCAL_SYSTEM,
        "Manages all local and network print queues and controls all printing jobs.",
    ),
    (
        "TermService",
        "Terminal Services",
        "%SystemRoot%\\System32\\svchost.exe -k termsvcs",
        0x20,
        3,
        &["RPCSS"],
        LOCAL_SYSTEM,
        "Allows users to connect interactively to a remote computer.",
    ),
    (
        "W32Time",
        "Windows Time",
        "%SystemRoot%\\System32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &[],
        LOCAL_SYSTEM,
        "Maintains date and time synchronization on all clients and servers in the network.",
    ),
    (
        "W3SVC",
        "World Wide Web Publishing Service",
        "%systemroot%\\system32\\svchost.exe -k iissvcs",
        0x20,
        2,
        &["IISADMIN", "HTTP"],
        LOCAL_SYSTEM,
        "Provides Web connectivity and administration through the Internet Information Services Manager.",
    ),
    (
        "WinHttpAutoProxySvc",
        "WinHTTP Web Proxy Auto-Discovery Service",
        "%SystemRoot%\\system32\\svchost.exe -k LocalService",
        0x20,
        3,
        &["Dhcp"],
        LOCAL_SERVICE,
        "Implements the Web Proxy Auto-Discovery (WPAD) protocol for Windows HTTP Services (WinHTTP).",
    ),
    (
        "winmgmt",
        "Windows Management Instrumentation",
        "%systemroot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &["RPCSS"],
        LOCAL_SYSTEM,
        "Provides a common interface and object model to access management information.",
    ),
    (
        "wuauserv",
        "Automatic Updates",
        "%systemroot%\\system32\\svchost.exe -k netsvcs",
        0x20,
        2,
        &[],
        LOCAL_SYSTEM,
        "Enables the download and installation of Windows updates.",
    ),
];

const W2008_SERVICES: &[SvcRow] = &[
    ("AeLookupSvc", "Application Experience", "%systemroot%\\system32\\svchost.exe -k netsvcs", 0x20, 2, &[], LOCAL_SYSTEM, "@%systemroot%\\system32\\aelupsvc.dll,-2"),
    ("BFE", "Base Filtering Engine", "%systemroot%\\system32\\svchost.exe -k LocalServiceNoNetwork", 0x20, 2, &["RpcSs"], LOCAL_SERVICE, "@%SystemRoot%\\system32\\bfe.dll,-1002"),
    ("BITS", "Background Intelligent Transfer Service", "%SystemRoot%\\System32\\svchost.exe -k netsvcs", 0x20, 3, &["RpcSs", "EventSystem"], LOCAL_SYSTEM, "@%SystemRoot%\\system32\\qmgr.dll,-1001"),
    ("Browser", "Computer Browser", "%SystemRoot%\\System32\\svchost.exe -k netsvcs", 0x20, 4, &["LanmanWorkstation", "LanmanServer"], LOCAL_SYSTEM, "@%systemroot%\\system32\\browser.dll,-101"),
    ("CryptSvc", "Cryptographic Services", "%SystemRoot%\\system32\\svchost.exe -k NetworkService", 0x20, 2, &["RpcSs"], NETWORK_SERVICE, "@%SystemRoot%\\system32\\cryptsvc.dll,-1002"),
    ("DcomLaunch", "DCOM Server Process Launcher", "%SystemRoot%\\system32\\svchost.exe -k DcomLaunch", 0x20, 2, &[], LOCAL_SYSTEM, "@oleres.dll,-5013"),
    ("Dhcp", "DHCP Client", "%SystemRoot%\\system32\\svchost.exe -k LocalServiceNetworkRestricted", 0x20, 2, &["NSI", "Tdx", "Afd"], LOCAL_SERVICE, "@%SystemRoot%\\system32\\dhcpcsvc.dll,-101"),
    ("Dnscache", "DNS Client", "%SystemRoot%\\system32\\svchost.exe -k NetworkService", 0x20, 2, &["nsi", "Tdx"], NETWORK_SERVICE, "@%SystemRoot%\\System32\\dnsapi.dll,-102"),
    ("Eventlog", "Windows Event Log", "%SystemRoot%\\System32\\svchost.exe -k LocalServiceNetworkRestricted", 0x20, 2, &[], LOCAL_SERVICE, "@%SystemRoot%\\system32\\wevtsvc.dll,-201"),
    ("EventSystem", "COM+ Event System", "%SystemRoot%\\system32\\svchost.exe -k LocalService", 0x20, 2, &["rpcss"], LOCAL_SERVICE, "@comres.dll,-2451"),
    ("IISADMIN", "IIS Admin Service", "%systemroot%\\system32\\inetsrv\\inetinfo.exe", 0x20, 2, &["RPCSS"], LOCAL_SYSTEM, "Enables this server to administer the IIS metabase."),
    ("LanmanServer", "Server", "%SystemRoot%\\system32\\svchost.exe -k netsvcs", 0x20, 2, &["SamSS", "Srv"], LOCAL_SYSTEM, "@%systemroot%\\system32\\srvsvc.dll,-101"),
    ("LanmanWorkstation", "Workstation", "%SystemRoot%\\System32\\svchost.exe -k NetworkService", 0x20, 2, &["Bowser", "MRxSmb10", "MRxSmb20", "NSI"], NETWORK_SERVICE, "@%systemroot%\\system32\\wkssvc.dll,-1001"),
    ("lmhosts", "TCP/IP NetBIOS Helper", "%SystemRoot%\\system32\\svchost.exe -k LocalServiceNetworkRestricted", 0x20, 2, &["NetBT", "Afd"], LOCAL_SERVICE, "@%SystemRoot%\\system32\\lmhsvc.dll,-102"),
    ("MpsSvc", "Windows Firewall", "%SystemRoot%\\system32\\svchost.exe -k LocalServiceNoNetwork", 0x20, 2, &["mpsdrv", "bfe"], LOCAL_SERVICE, "@%SystemRoot%\\system32\\FirewallAPI.dll,-23091"),
    ("MSDTC", "Distributed Transaction Coordinator", "%SystemRoot%\\System32\\msdtc.exe", 0x10, 3, &["RPCSS", "SamSS"], NETWORK_SERVICE, "@%SystemRoot%\\system32\\msdtcprx.dll,-1"),
    ("Netlogon", "Netlogon", "%systemroot%\\system32\\lsass.exe", 0x20, 2, &["LanmanWorkstation", "LanmanServer"], LOCAL_SYSTEM, "@%SystemRoot%\\System32\\netlogon.dll,-103"),
    ("PlugPlay", "Plug and Play", "%SystemRoot%\\system32\\svchost.exe -k DcomLaunch", 0x20, 2, &[], LOCAL_SYSTEM, "@%SystemRoot%\\system32\\umpnpmgr.dll,-101"),
    ("PolicyAgent", "IPsec Policy Agent", "%SystemRoot%\\system32\\svchost.exe -k NetworkServiceNetworkRestricted", 0x20, 3, &["Tcpip", "bfe"], NETWORK_SERVICE, "@%SystemRoot%\\System32\\polstore.dll,-5010"),
    ("RemoteRegistry", "Remote Registry", "%SystemRoot%\\system32\\svchost.exe -k regsvc", 0x20, 2, &["RPCSS"], LOCAL_SERVICE, "@regsvc.dll,-2"),
    ("RpcSs", "Remote Procedure Call (RPC)", "%systemroot%\\system32\\svchost.exe -k rpcss", 0x20, 2, &["DcomLaunch"], NETWORK_SERVICE, "@oleres.dll,-5011"),
    ("SamSs", "Security Accounts Manager", "%SystemRoot%\\system32\\lsass.exe", 0x20, 2, &["RPCSS"], LOCAL_SYSTEM, "@%SystemRoot%\\system32\\samsrv.dll,-2"),
    ("Schedule", "Task Scheduler", "%systemroot%\\system32\\svchost.exe -k netsvcs", 0x20, 2, &["RpcSs"], LOCAL_SYSTEM, "@%SystemRoot%\\system32\\schedsvc.dll,-101"),
    ("seclogon", "Secondary Logon", "%windir%\\system32\\svchost.exe -k netsvcs", 0x20, 3, &[], LOCAL_SYSTEM, "@%SystemRoot%\\system32\\seclogon.dll,-7000"),
    ("SENS", "System Event Notification Service", "%SystemRoot%\\system32\\svchost.exe -k netsvcs", 0x20, 2, &["EventSystem"], LOCAL_SYSTEM, "@%SystemRoot%\\system32\\Sens.dll,-201"),
    ("Spooler", "Print Spooler", "%SystemRoot%\\System32\\spoolsv.exe", 0x110, 2, &["RPCSS", "http"], LOCAL_SYSTEM, "@%systemroot%\\system32\\spoolsv.exe,-2"),
    ("TermService", "Terminal Services", "%SystemRoot%\\System32\\svchost.exe -k NetworkService", 0x20, 3, &["RPCSS", "TermDD"], NETWORK_SERVICE, "@%SystemRoot%\\System32\\termsrv.dll,-267"),
    ("W32Time", "Windows Time", "%SystemRoot%\\system32\\svchost.exe -k LocalService", 0x20, 2, &[], LOCAL_SERVICE, "@%SystemRoot%\\system32\\w32time.dll,-201"),
    ("W3SVC", "World Wide Web Publishing Service", "%windir%\\system32\\svchost.exe -k iissvcs", 0x20, 2, &["WAS", "HTTP"], LOCAL_SYSTEM, "Provides Web connectivity and administration through the Internet Information Services Manager"),
    ("WAS", "Windows Process Activation Service", "%windir%\\system32\\svchost.exe -k iissvcs", 0x20, 3, &["RPCSS"], LOCAL_SYSTEM, "The Windows Process Activation Service (WAS) provides process activation, resource management and health management services."),
    ("WinHttpAutoProxySvc", "WinHTTP Web Proxy Auto-Discovery Service", "%SystemRoot%\\system32\\svchost.exe -k LocalService", 0x20, 3, &["Dhcp"], LOCAL_SERVICE, "@%SystemRoot%\\system32\\winhttp.dll,-101"),
    ("Winmgmt", "Windows Management Instrumentation", "%systemroot%\\system32\\svchost.exe -k netsvcs", 0x20, 2, &["RPCSS"], LOCAL_SYSTEM, "@%Systemroot%\\system32\\wbem\\wmisvc.dll,-204"),
    ("wuauserv", "Windows Update", "%systemroot%\\system32\\svchost.exe -k netsvcs", 0x20, 2, &["rpcss"], LOCAL_SYSTEM, "@%systemroot%\\system32\\wuaueng.dll,-106"),
];

/// An Exchange 2007 service: (name, display name, image path below the install dir,
/// start, depends (without NtLmSsp), lists NtLmSsp when installed on 2003, roles).
type ExSvc = (
    &'static str,
    &'static str,
    &'static str,
    u32,
    &'static [&'static str],
    bool,
    &'static [Role],
    &'static str,
);

const ALL: &[Role] = &[Role::Mailbox, Role::Hub, Role::Cas];

const EXCHANGE_SERVICES: &[ExSvc] = &[
    ("MSExchangeADTopology", "Microsoft Exchange Active Directory Topology Service", "bin\\Microsoft.Exchange.Directory.TopologyService.exe", 2, &[], false, ALL, "Provides Active Directory topology information to Exchange services. If this service is stopped, most Exchange services are unable to start."),
    ("MSExchangeAntispamUpdate", "Microsoft Exchange Anti-spam Update", "bin\\Microsoft.Exchange.AntispamUpdateSvc.exe", 2, &["MSExchangeADTopology"], true, &[Role::Hub], "The Microsoft Forefront Security for Exchange Server anti-spam update service."),
    ("MSExchangeEdgeSync", "Microsoft Exchange EdgeSync", "bin\\Microsoft.Exchange.EdgeSyncSvc.exe", 2, &["MSExchangeADTopology"], false, &[Role::Hub], "Replicates configuration and recipient data from the Hub Transport servers to the Edge Transport servers."),
    ("MSExchangeFDS", "Microsoft Exchange File Distribution", "bin\\MSExchangeFDS.exe", 2, &["MSExchangeADTopology", "LanmanWorkstation"], true, &[Role::Cas], "Distributes offline address book and custom Unified Messaging prompts."),
    ("MSExchangeIMAP4", "Microsoft Exchange IMAP4", "ClientAccess\\PopImap\\Microsoft.Exchange.Imap4Service.exe", 3, &["MSExchangeADTopology"], false, &[Role::Cas], "Provides Internet Message Access Protocol service to clients."),
    ("MSExchangeIS", "Microsoft Exchange Information Store", "bin\\store.exe", 2, &["MSExchangeSA", "RPCSS", "LanmanServer", "LanmanWorkstation"], true, &[Role::Mailbox], "Manages the Microsoft Exchange Information Store. This includes mailbox stores and public folder stores."),
    ("MSExchangeMailboxAssistants", "Microsoft Exchange Mailbox Assistants", "bin\\MSExchangeMailboxAssistants.exe", 2, &["MSExchangeIS", "MSExchangeADTopology"], false, &[Role::Mailbox], "Performs background processing of mailboxes in the Exchange store."),
    ("MSExchangeMailSubmission", "Microsoft Exchange Mail Submission", "bin\\MSExchangeMailSubmission.exe", 2, &["MSExchangeIS", "MSExchangeADTopology"], false, &[Role::Mailbox], "Submits messages from the Mailbox server to the Hub Transport servers."),
    ("MSExchangeMonitoring", "Microsoft Exchange Monitoring", "bin\\Microsoft.Exchange.Monitoring.exe", 3, &[], false, ALL, "Allows applications to call the Exchange diagnostic cmdlets."),
    ("MSExchangePOP3", "Microsoft Exchange POP3", "ClientAccess\\PopImap\\Microsoft.Exchange.Pop3Service.exe", 3, &["MSExchangeADTopology"], false, &[Role::Cas], "Provides Post Office Protocol version 3 service to clients."),
    ("MSExchangeRepl", "Microsoft Exchange Replication Service", "bin\\msexchangerepl.exe", 2, &["MSExchangeADTopology"], true, &[Role::Mailbox], "Provides replication functionality for Mailbox servers in a CCR or LCR environment."),
    ("MSExchangeSA", "Microsoft Exchange System Attendant", "bin\\mad.exe", 2, &["MSExchangeADTopology", "RPCSS", "LanmanServer", "LanmanWorkstation"], true, &[Role::Mailbox], "Forwards directory lookups to a global catalog server for legacy Outlook clients, generates e-mail addresses and offline address books."),
    ("MSExchangeSearch", "Microsoft Exchange Search Indexer", "bin\\Microsoft.Exchange.Search.ExSearch.exe", 2, &["msftesql-Exchange", "MSExchangeADTopology"], true, &[Role::Mailbox], "Drives indexing of mailbox content, which improves the performance of content search."),
    ("MSExchangeServiceHost", "Microsoft Exchange Service Host", "bin\\Microsoft.Exchange.ServiceHost.exe", 2, &["MSExchangeADTopology"], true, ALL, "Provides a host for several Microsoft Exchange services."),
    ("MSExchangeTransport", "Microsoft Exchange Transport", "bin\\MSExchangeTransport.exe", 2, &["MSExchangeADTopology"], true, &[Role::Hub], "Provides SMTP server and transport stack."),
    ("MSExchangeTransportLogSearch", "Microsoft Exchange Transport Log Search", "bin\\MSExchangeTransportLogSearch.exe", 2, &["MSExchangeADTopology"], false, &[Role::Hub], "Provides remote search capability for Microsoft Exchange Transport log files."),
    ("msftesql-Exchange", "Microsoft Search (Exchange)", "", 2, &["RPCSS"], false, &[Role::Mailbox], "Creates full-text indexes on content and properties of structured and semi-structured data to allow fast linguistic searches on this data."),
];

/// SERVICE_FAILURE_ACTIONS as Exchange setup writes them: reset after a day, restart
/// after 5 s twice, then nothing.
fn failure_actions() -> Vec<u8> {
    let mut b = Vec::new();
    for dw in [86_400u32, 0, 0, 3, 0x14, 1, 5000, 1, 5000, 0, 0] {
        b.extend(dw.to_le_bytes());
    }
    b
}

/// The values the service control manager writes for a service.
struct Svc<'s> {
    display: &'s str,
    image: &'s str,
    kind: u32,
    start: u32,
    deps: &'s [&'s str],
    account: &'s str,
    desc: &'s str,
}

fn service_key(k: &mut Node, svc: &Svc<'_>) {
    k.dword("Type", svc.kind)
        .dword("Start", svc.start)
        .dword("ErrorControl", 1)
        .expand("ImagePath", svc.image)
        .sz("DisplayName", svc.display);
    if !svc.deps.is_empty() {
        k.multi("DependOnService", svc.deps);
    }
    k.sz("ObjectName", svc.account).sz("Description", svc.desc);
}

/// `services.reg`: the Windows services and drivers, TCP/IP parameters, and the Exchange
/// services of the host's roles.
pub fn services_export(h: &RegHost<'_>) -> Export {
    let root = if h.control_set_paths {
        "HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services"
    } else {
        "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services"
    };
    let mut svc = Export::new(root);
    let w2008 = h.os.is_2008();
    for &(name, display, image, kind, start, deps, account, desc) in if w2008 { W2008_SERVICES } else { W2003_SERVICES }
    {
        let spec = Svc {
            display,
            image,
            kind,
            start,
            deps,
            account,
            desc,
        };
        service_key(svc.key(name), &spec);
        if name.eq_ignore_ascii_case("lanmanserver") {
            svc.key(&format!("{name}\\Parameters"))
                .expand("ServiceDll", "%SystemRoot%\\system32\\srvsvc.dll")
                .dword("AutoShareServer", 1)
                .multi("NullSessionPipes", &[]);
        }
    }
    // Drivers the services above depend on.
    let tcpip = svc.key("Tcpip");
    tcpip
        .dword("Type", 1)
        .dword("Start", if w2008 { 0 } else { 1 })
        .dword("ErrorControl", 1)
        .expand("ImagePath", "system32\\DRIVERS\\tcpip.sys")
        .sz("DisplayName", "TCP/IP Protocol Driver")
        .sz("Group", "PNP_TDI")
        .dword("Tag", 4);
    let params = svc.key("Tcpip\\Parameters");
    params
        .expand("DataBasePath", "%SystemRoot%\\System32\\drivers\\etc")
        .sz("NameServer", "")
        .sz("ForwardBroadcasts", "0")
        .dword("IPEnableRouter", 0)
        .sz("Domain", h.domain)
        .sz("Hostname", h.name)
        .sz("SearchList", "")
        .dword("UseDomainNameDevolution", 1)
        .dword("EnableICMPRedirect", 1)
        .dword("DeadGWDetectDefault", 1)
        .dword("DontAddDefaultGatewayDefault", 0)
        .sz("NV Hostname", h.name)
        .sz("NV Domain", h.domain)
        .dword("SyncDomainWithMembership", 1);
    let iface = svc.key("Tcpip\\Parameters\\Interfaces\\{6A1E4E1B-3C2A-4F3B-9D1E-2B7C5D8E0F11}");
    let gateway = format!("{}.1", h.ip.rsplit_once('.').map(|(net, _)| net).unwrap_or("10.0.0"));
    iface
        .dword("UseZeroBroadcast", 0)
        .dword("EnableDeadGWDetect", 1)
        .dword("EnableDHCP", 0)
        .multi("IPAddress", &[h.ip])
        .multi("SubnetMask", &["255.255.255.0"])
        .multi("DefaultGateway", &[&gateway])
        .multi("DefaultGatewayMetric", &["0"])
        .sz("NameServer", h.dns)
        .sz("Domain", "")
        .dword("RegistrationEnabled", 1)
        .dword("RegisterAdapterName", 0);
    let http = Svc {
        display: "HTTP",
        image: "System32\\Drivers\\HTTP.sys",
        kind: 1,
        start: 3,
        deps: &[],
        account: "",
        desc: "This service implements the hypertext transfer protocol (HTTP).",
    };
    service_key(svc.key("HTTP"), &http);

    // Event log with the Application log's sources.
    {
        let el = svc.key("Eventlog");
        if !w2008 {
            let spec = Svc {
                display: "Event Log",
                image: "%SystemRoot%\\system32\\services.exe",
                kind: 0x20,
                start: 2,
                deps: &[],
                account: LOCAL_SYSTEM,
                desc: "Enables event log messages issued by Windows-based programs and components to be viewed in Event Viewer.",
            };
            service_key(el, &spec);
            el.sz("Group", "Event log").dword("PlugPlayServiceType", 3);
        }
    }
    let mut sources: Vec<&str> = vec![
        "Application Error",
        "Application Hang",
        "EventSystem",
        "LoadPerf",
        "MsiInstaller",
        "Userenv",
        "Winlogon",
        "WSH",
        ".NET Runtime",
        ".NET Runtime 2.0 Error Reporting",
    ];
    let exchange_sources: &[(&str, &str)] = &[
        (
            "MSExchange ADAccess",
            "bin\\Microsoft.Exchange.Common.ProcessManagerMsg.dll",
        ),
        (
            "MSExchange Common",
            "bin\\Microsoft.Exchange.Common.ProcessManagerMsg.dll",
        ),
        ("MSExchangeIS", "bin\\mdbmsg.dll"),
        ("MSExchangeSA", "bin\\madmsg.dll"),
        ("MSExchangeSetup", "bin\\Microsoft.Exchange.Setup.Common.dll"),
        (
            "MSExchangeTransport",
            "bin\\Microsoft.Exchange.Common.ProcessManagerMsg.dll",
        ),
    ];
    let has_exchange = h.msi.is_some();
    if has_exchange {
        sources.extend(exchange_sources.iter().map(|(s, _)| *s));
    }
    sources.sort_by_key(|s| s.to_uppercase());
    sources.push("Application");
    let app = svc.key("Eventlog\\Application");
    app.expand(
        "File",
        if w2008 {
            "%SystemRoot%\\System32\\Winevt\\Logs\\Application.evtx"
        } else {
            "%SystemRoot%\\system32\\config\\AppEvent.Evt"
        },
    )
    .dword("MaxSize", if w2008 { 0x0140_0000 } else { 0x0100_0000 })
    .dword("Retention", 0)
    .sz(
        "CustomSD",
        if w2008 {
            "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)(A;;0x3;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573)"
        } else {
            "O:BAG:SYD:(D;;0xf0007;;;AN)(D;;0xf0007;;;BG)(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)"
        },
    );
    if !w2008 {
        app.multi("Sources", &sources);
    }
    for source in ["Application Error", "MsiInstaller", "Userenv", "Winlogon"] {
        svc.key(&format!("Eventlog\\Application\\{source}"))
            .expand("EventMessageFile", "%SystemRoot%\\System32\\msiexec.exe")
            .dword("TypesSupported", 7);
    }
    if has_exchange {
        for (source, dll) in exchange_sources {
            let k = svc.key(&format!("Eventlog\\Application\\{source}"));
            k.expand("EventMessageFile", &format!("{EXCHANGE_DIR}{dll}"))
                .dword("TypesSupported", 7);
            if *source == "MSExchangeIS" || *source == "MSExchangeSA" {
                k.expand("CategoryMessageFile", &format!("{EXCHANGE_DIR}{dll}"))
                    .dword("CategoryCount", 0x10);
            }
        }
    }
    svc.key("Eventlog\\System")
        .expand(
            "File",
            if w2008 {
                "%SystemRoot%\\System32\\Winevt\\Logs\\System.evtx"
            } else {
                "%SystemRoot%\\system32\\config\\SysEvent.Evt"
            },
        )
        .dword("MaxSize", if w2008 { 0x0140_0000 } else { 0x0100_0000 })
        .dword("Retention", 0);

    // Exchange services of the installed roles.
    if has_exchange {
        for &(name, display, image, start, deps, ntlm, roles, desc) in EXCHANGE_SERVICES {
            if !roles.iter().any(|r| {
                h.roles
                    .iter()
                    .any(|hr| std::mem::discriminant(hr) == std::mem::discriminant(r))
            }) {
                continue;
            }
            let mut depends: Vec<&str> = deps.to_vec();
            if ntlm && h.installed_on_2003 && !h.ntlmssp_removed_from.contains(&name) {
                depends.push("NtLmSsp");
            }
            let image_path = if name == "msftesql-Exchange" {
                format!("\"{EXCHANGE_DIR}Bin\\msftesql.exe\" -s:MSSearch.Exchange -f:Exchange")
            } else {
                format!("\"{EXCHANGE_DIR}{image}\"")
            };
            let k = svc.key(name);
            let spec = Svc {
                display,
                image: &image_path,
                kind: 0x10,
                start,
                deps: &depends,
                account: LOCAL_SYSTEM,
                desc,
            };
            service_key(k, &spec);
            k.binary("FailureActions", &failure_actions());
        }
        if h.roles.iter().any(|r| matches!(r, Role::Mailbox)) {
            let ps = svc.key("MSExchangeIS\\ParametersSystem");
            ps.dword("Background Cleanup", 0x3a98)
                .dword("Working Directory Size", 0)
                .expand("Working Directory", &format!("{EXCHANGE_DIR}Mailbox\\MDBTEMP"))
                .dword("Max Threads (EXEC)", 0xa0)
                .dword("Online Maintenance Checkpointing", 1);
            if let Some(v) = h.remote_streaming_backup {
                ps.dword("Enable Remote Streaming Backup", v);
            }
            svc.key("MSExchangeSA\\Parameters")
                .sz("Site", "")
                .dword("RpcMaxCalls", 0x40);
        }
    }
    svc
}

// ---------------------------------------------------------------------------------
// exchange.reg
// ---------------------------------------------------------------------------------

/// `exchange.reg`: the `v8.0` role keys and setup values; none without Exchange.
pub fn exchange_export(h: &RegHost<'_>) -> Option<Export> {
    let (major, minor, build, revision) = h.msi?;
    let mut ex = Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange");
    ex.key("v8.0");
    for role in &h.role_keys {
        let k = ex.key(&format!("v8.0\\{}", role.name));
        if let Some(c) = role.configured {
            k.sz("ConfiguredVersion", c);
        }
        k.sz("UnpackedVersion", role.unpacked);
        if let Some(a) = role.action {
            k.sz("Action", a);
        }
        if let Some(w) = role.watermark {
            k.sz("Watermark", w);
        }
    }
    ex.key("v8.0\\Setup")
        .sz("MsiInstallPath", EXCHANGE_DIR)
        .dword("MsiProductMajor", major)
        .dword("MsiProductMinor", minor)
        .dword("MsiBuildMajor", build)
        .dword("MsiBuildMinor", revision)
        .sz("MsiProductCode", "{24B2C164-DE66-44FE-B468-A46D9D5E6B31}")
        .sz("Services", &format!("{EXCHANGE_DIR}bin"))
        .sz("ServicesPath", EXCHANGE_DIR);
    ex.key("v8.0\\Setup\\Language Packs\\Server")
        .sz("en", &format!("{major}.{minor}.{build}.{revision}"));
    // Per-role settings setup writes.
    if h.roles.iter().any(|r| matches!(r, Role::Hub)) {
        ex.key("v8.0\\HubTransportRole\\Pickup")
            .sz("Path", &format!("{EXCHANGE_DIR}TransportRoles\\Pickup"));
    }
    if h.roles.iter().any(|r| matches!(r, Role::Cas)) {
        ex.key("v8.0\\ClientAccessRole\\OWA").sz("VirtualDirectory", "/owa");
    }
    Some(ex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    }

    #[test]
    fn wraps_hex_like_regedit() {
        let mut ex = Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\T");
        ex.root
            .expand("ImagePath", "%SystemRoot%\\System32\\svchost.exe -k netsvcs");
        let out = text(&render(&[ex], Format::V5));
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines[0], "Windows Registry Editor Version 5.00");
        assert_eq!(lines[1], "");
        assert_eq!(lines[2], "[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]");
        assert!(lines[3].starts_with("\"ImagePath\"=hex(2):25,00,53,00,"));
        assert_eq!(lines[3].len(), 80, "{}", lines[3]);
        assert_eq!(lines[4].len(), 78, "{}", lines[4]);
        assert!(lines[4].starts_with("  ") && lines[4].ends_with(",\\"));
        assert!(out.ends_with("00,00\r\n\r\n"));
    }

    #[test]
    fn regedit4_is_ansi() {
        let mut ex = Export::new("HKEY_LOCAL_MACHINE\\SOFTWARE\\T");
        ex.root.sz("Owner", "Jürgen €").multi("M", &["a"]);
        let out = render(&[ex], Format::Regedit4);
        assert!(
            out.starts_with(b"REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\T]\r\n\"Owner\"=\"J\xfcrgen \x80\"\r\n")
        );
        assert!(out.ends_with(b"\"M\"=hex(7):61,00,00\r\n\r\n"));
    }
}
