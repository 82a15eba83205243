//! The other channels of a `winevt\Logs` folder: the names, providers, event ids and
//! EventData field names of a real Windows Server collection
//! (`shared/corpus/evtx-collections/Server2022-APTSimulatorVM`, see its EXPECTED.md),
//! with record counts of the same order. Four of them are empty on every host, as in the
//! real folder (created, never written); a few more are empty on some hosts (cleared).
//! Field values are made up from the field names.

use chrono::{DateTime, Duration, Utc};
use exdoctor_parsers::event::{EventField, Level};

use super::rng::Rng;
use crate::scenarios::Log;

/// One event shape of a channel: id, level (1-5 as in EVTX), EventData field names.
type Shape = (u16, u8, &'static [&'static str]);

/// A channel: file name (without `.evtx`), provider, records in the real collection, shapes.
pub(crate) struct Channel {
    pub file: &'static str,
    pub provider: &'static str,
    pub records: u32,
    pub shapes: &'static [Shape],
}

macro_rules! ch {
    ($file:literal, $provider:literal, $records:literal, [$(($id:literal, $level:literal, [$($f:literal),*])),* $(,)?]) => {
        Channel { file: $file, provider: $provider, records: $records, shapes: &[$(($id, $level, &[$($f),*])),*] }
    };
}

/// Channels that are empty in every real collection (created, never written).
pub(crate) const ALWAYS_EMPTY: [&str; 4] = [
    "Microsoft-Windows-Crypto-DPAPI%4BackUpKeySvc",
    "Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider%4Autopilot",
    "Microsoft-Windows-Diagnosis-Scheduled%4Operational",
    "Microsoft-Windows-PowerShell%4Admin",
];

/// Every other channel with records.
pub(crate) static CHANNELS: &[Channel] = &[
    ch!(
        "Microsoft-Client-Licensing-Platform%4Admin",
        "Microsoft-Client-Licensing-Platform",
        16,
        [(100, 4, ["Data"]), (101, 4, ["Data"]), (102, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-AAD%4Operational",
        "Microsoft-Windows-AAD",
        8,
        [
            (1097, 3, ["Error", "ErrorMessage", "AdditionalInformation"]),
            (1104, 2, ["API", "Result"])
        ]
    ),
    ch!(
        "Microsoft-Windows-AppModel-Runtime%4Admin",
        "Microsoft-Windows-AppModel-Runtime",
        142,
        [
            (70, 4, ["PackageFullName", "User", "DesiredStatus", "CurrentStatus"]),
            (39, 4, ["AppContainerName"])
        ]
    ),
    ch!(
        "Microsoft-Windows-AppReadiness%4Admin",
        "Microsoft-Windows-AppReadiness",
        161,
        [
            (240, 4, ["User", "TaskId", "TaskCount"]),
            (241, 4, ["User", "TaskId", "TaskCount"]),
            (213, 4, ["Username", "Package", "Operation", "Elapsed"])
        ]
    ),
    ch!(
        "Microsoft-Windows-AppReadiness%4Operational",
        "Microsoft-Windows-AppReadiness",
        8,
        [(103, 4, []), (106, 4, ["User"])]
    ),
    ch!(
        "Microsoft-Windows-AppXDeployment%4Operational",
        "Microsoft-Windows-AppXDeployment",
        10,
        [
            (326, 5, ["UserSid", "IsSpecialUserProfile"]),
            (327, 5, ["InstallPackageList", "RemovePackageList"])
        ]
    ),
    ch!(
        "Microsoft-Windows-AppXDeploymentServer%4Operational",
        "Microsoft-Windows-AppXDeployment-Server",
        1029,
        [
            (10001, 5, ["PackageFullName", "ErrorCode"]),
            (633, 4, ["PackageFullName", "IsInstalled"]),
            (9643, 5, ["ErrorCode"])
        ]
    ),
    ch!(
        "Microsoft-Windows-AppxPackaging%4Operational",
        "Microsoft-Windows-AppxPackagingOM",
        16,
        [(216, 3, ["namespace"])]
    ),
    ch!(
        "Microsoft-Windows-Biometrics%4Operational",
        "Microsoft-Windows-Biometrics",
        2,
        [(1600, 4, ["ErrorCode"])]
    ),
    ch!(
        "Microsoft-Windows-Bits-Client%4Operational",
        "Microsoft-Windows-Bits-Client",
        11,
        [
            (306, 5, []),
            (310, 3, ["ErrorCode"]),
            (
                59,
                4,
                [
                    "transferId",
                    "name",
                    "Id",
                    "url",
                    "peer",
                    "fileTime",
                    "fileLength",
                    "bytesTotal",
                    "bytesTransferred",
                    "bytesTransferredFromPeer"
                ]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-CloudStore%4Operational",
        "Microsoft-Windows-CloudStore",
        16,
        [
            (1, 2, ["ProcessName", "Type", "ErrorCode", "File", "LineNumber"]),
            (3013, 3, ["Id", "ErrorCode"])
        ]
    ),
    ch!(
        "Microsoft-Windows-CodeIntegrity%4Operational",
        "Microsoft-Windows-CodeIntegrity",
        17,
        [
            (3010, 3, ["FileNameLength", "FileNameBuffer", "Status"]),
            (3085, 4, ["Settings", "Exemption"])
        ]
    ),
    ch!(
        "Microsoft-Windows-Containers-BindFlt%4Operational",
        "Microsoft-Windows-Containers-BindFlt",
        3,
        [(2, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-Containers-Wcifs%4Operational",
        "Microsoft-Windows-Containers-Wcifs",
        3,
        [(2, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-Crypto-DPAPI%4Operational",
        "Microsoft-Windows-Crypto-DPAPI",
        11,
        [
            (12289, 4, ["CredKeyIdentifier", "UserName", "UserSid"]),
            (1, 4, ["MasterKeyGUID", "UserStorage"])
        ]
    ),
    ch!(
        "Microsoft-Windows-Crypto-NCrypt%4Operational",
        "Microsoft-Windows-Crypto-NCrypt",
        11,
        [
            (3, 2, ["ProviderName", "KeyName", "Status", "ProcessName"]),
            (2, 2, ["ProviderName", "Status", "ProcessName"])
        ]
    ),
    ch!(
        "Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider%4Admin",
        "Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider",
        1,
        [(1709, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-DeviceSetupManager%4Admin",
        "Microsoft-Windows-DeviceSetupManager",
        38,
        [
            (
                112,
                4,
                [
                    "Prop_DeviceName",
                    "Prop_ContainerId",
                    "Prop_TaskCount",
                    "Prop_PropertyCount",
                    "Prop_WorkTime_MilliSeconds"
                ]
            ),
            (202, 3, []),
            (109, 4, ["Prop_CoreServiceMode"])
        ]
    ),
    ch!(
        "Microsoft-Windows-DeviceSetupManager%4Operational",
        "Microsoft-Windows-DeviceSetupManager",
        22,
        [(300, 4, ["Prop_ContainerId"]), (301, 4, ["Prop_ContainerId"])]
    ),
    ch!(
        "Microsoft-Windows-Dhcp-Client%4Admin",
        "Microsoft-Windows-Dhcp-Client",
        1,
        [(50041, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-Diagnosis-DPS%4Operational",
        "Microsoft-Windows-Diagnosis-DPS",
        10,
        [
            (
                100,
                4,
                [
                    "ScenarioId",
                    "InstanceId",
                    "OriginalActivityId",
                    "DiagnosticModuleImageName",
                    "DiagnosticModuleId"
                ]
            ),
            (
                105,
                4,
                [
                    "ScenarioId",
                    "InstanceId",
                    "OriginalActivityId",
                    "DiagnosticModuleImageName",
                    "DiagnosticModuleId"
                ]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-GroupPolicy%4Operational",
        "Microsoft-Windows-GroupPolicy",
        111,
        [
            (5320, 4, ["InfoDescription"]),
            (5324, 4, ["NotificationType", "SessionId"]),
            (6338, 4, [])
        ]
    ),
    ch!(
        "Microsoft-Windows-HelloForBusiness%4Operational",
        "Microsoft-Windows-HelloForBusiness",
        13,
        [(7054, 4, ["Info"])]
    ),
    ch!(
        "Microsoft-Windows-Kernel-Boot%4Operational",
        "Microsoft-Windows-Kernel-Boot",
        12,
        [
            (235, 2, ["StatusCode", "Position"]),
            (
                208,
                2,
                [
                    "InitState",
                    "StatusCode",
                    "FailureAddress",
                    "ReferenceAddress",
                    "ReasonCode"
                ]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-Kernel-Cache%4Operational",
        "Microsoft-Windows-Kernel-Cache",
        17,
        [(101, 4, ["VolumeDeviceGuid"])]
    ),
    ch!(
        "Microsoft-Windows-Kernel-IO%4Operational",
        "Microsoft-Windows-Kernel-IO",
        382,
        [
            (1, 4, ["VolumeGuid", "VolumeNameLength", "VolumeName"]),
            (2, 4, ["VolumeGuid", "VolumeNameLength", "VolumeName"]),
            (3, 3, ["VolumeGuid", "VolumeNameLength", "VolumeName", "Error"])
        ]
    ),
    ch!(
        "Microsoft-Windows-Kernel-PnP%4Configuration",
        "Microsoft-Windows-Kernel-PnP",
        351,
        [
            (
                400,
                4,
                [
                    "DeviceInstanceId",
                    "DriverName",
                    "ClassGuid",
                    "DriverDate",
                    "DriverVersion",
                    "DriverProvider",
                    "DriverInbox",
                    "DriverSection",
                    "DriverRank",
                    "MatchingDeviceId",
                    "OutrankedDrivers",
                    "DeviceUpdated"
                ]
            ),
            (
                410,
                4,
                [
                    "DeviceInstanceId",
                    "DriverName",
                    "ClassGuid",
                    "ServiceName",
                    "LowerFilters",
                    "UpperFilters",
                    "Problem",
                    "Status"
                ]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-Kernel-PnP%4Device Management",
        "Microsoft-Windows-Kernel-PnP",
        6,
        [
            (1010, 4, ["DeviceInstanceId", "DeviceCount"]),
            (1000, 3, ["DeviceInstanceId", "VetoType", "VetoName"])
        ]
    ),
    ch!(
        "Microsoft-Windows-Kernel-ShimEngine%4Operational",
        "Microsoft-Windows-Kernel-ShimEngine",
        9,
        [
            (4, 4, ["DeviceName", "DeviceClass", "FlagSource", "Flags"]),
            (3, 4, ["DriverName", "ShimSource", "ShimCount", "AppliedGuids"])
        ]
    ),
    ch!(
        "Microsoft-Windows-Kernel-WHEA%4Operational",
        "Microsoft-Windows-Kernel-WHEA",
        15,
        [
            (42, 4, ["Type", "Owner", "Id", "Flags", "Length", "RawData"]),
            (
                5,
                4,
                [
                    "ErrorSourceCount",
                    "ErrorRecordFormat",
                    "ErrorSourceTableLength",
                    "ErrorSourceTable"
                ]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-Known Folders API Service",
        "Microsoft-Windows-KnownFolders",
        3,
        [(1002, 3, ["hrError", "FolderId", "Path"])]
    ),
    ch!(
        "Microsoft-Windows-LiveId%4Operational",
        "Microsoft-Windows-LiveId",
        52,
        [(6115, 4, ["Value"]), (6116, 4, ["Value"])]
    ),
    ch!(
        "Microsoft-Windows-MUI%4Operational",
        "Microsoft-Windows-MUI",
        12,
        [
            (3002, 4, ["FileName", "FunctionName", "ReturnValue"]),
            (3000, 4, ["Flags", "NewLanguage", "PrevLanguage", "ExtendedFlag"])
        ]
    ),
    ch!(
        "Microsoft-Windows-NCSI%4Operational",
        "Microsoft-Windows-NCSI",
        2,
        [(
            4042,
            4,
            [
                "InterfaceGuid",
                "IfLuid",
                "Family",
                "Capability",
                "CapabilityChangeReason",
                "PreviousCapability"
            ]
        )]
    ),
    ch!(
        "Microsoft-Windows-NetworkProfile%4Operational",
        "Microsoft-Windows-NetworkProfile",
        28,
        [
            (
                20002,
                4,
                [
                    "ProfileGuid",
                    "InterfaceGuid",
                    "Category",
                    "ErrorCodev4",
                    "ErrorCodev6",
                    "Context"
                ]
            ),
            (10000, 4, ["Name", "Description", "Guid", "Type", "State", "Category"])
        ]
    ),
    ch!(
        "Microsoft-Windows-Ntfs%4Operational",
        "Microsoft-Windows-Ntfs",
        15,
        [
            (
                4,
                4,
                [
                    "VolumeCorrelationId",
                    "VolumeIdLength",
                    "VolumeId",
                    "VolumeLabelLength",
                    "VolumeLabel",
                    "DeviceNameLength",
                    "DeviceName",
                    "DeviceGuid"
                ]
            ),
            (
                9,
                4,
                [
                    "VolumeCorrelationId",
                    "VolumeIdLength",
                    "VolumeId",
                    "VolumeLabelLength",
                    "VolumeLabel",
                    "DeviceNameLength",
                    "DeviceName",
                    "DeviceGuid"
                ]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-Ntfs%4WHC",
        "Microsoft-Windows-Ntfs",
        3,
        [(100, 4, ["hc_stateid"])]
    ),
    ch!(
        "Microsoft-Windows-Partition%4Diagnostic",
        "Microsoft-Windows-Partition",
        3,
        [(
            1006,
            4,
            [
                "DiskNumber",
                "Flags",
                "Characteristics",
                "IsSystemCritical",
                "PagingCount",
                "HibernationCount",
                "DumpCount",
                "BytesPerSector",
                "Capacity",
                "BusType"
            ]
        )]
    ),
    ch!(
        "Microsoft-Windows-PowerShell%4Operational",
        "Microsoft-Windows-PowerShell",
        168,
        [
            (
                4104,
                3,
                [
                    "MessageNumber",
                    "MessageTotal",
                    "ScriptBlockText",
                    "ScriptBlockId",
                    "Path"
                ]
            ),
            (40961, 4, []),
            (40962, 4, [])
        ]
    ),
    ch!(
        "Microsoft-Windows-Privacy-Auditing%4Operational",
        "Microsoft-Windows-Privacy-Auditing",
        73,
        [
            (
                1006,
                4,
                [
                    "NewConsentValue",
                    "TargetUserSid",
                    "ConsentID",
                    "AppPackageFamilyName",
                    "HResult",
                    "SettingName",
                    "Migrated",
                    "Suppressed"
                ]
            ),
            (
                1008,
                4,
                [
                    "NewConsentValue",
                    "TargetUserSid",
                    "ConsentID",
                    "AppPackageFamilyName",
                    "HResult",
                    "SettingName",
                    "Migrated",
                    "Suppressed"
                ]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-PushNotification-Platform%4Operational",
        "Microsoft-Windows-PushNotifications-Platform",
        84,
        [
            (
                2413,
                4,
                [
                    "PackageFullName",
                    "AppUserModelId",
                    "AppSettings",
                    "AppType",
                    "ErrorCode"
                ]
            ),
            (1025, 4, ["PowerEventType", "IsEnabled"])
        ]
    ),
    ch!(
        "Microsoft-Windows-Resource-Exhaustion-Detector%4Operational",
        "Microsoft-Windows-Resource-Exhaustion-Detector",
        1,
        [(1001, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-SMBServer%4Operational",
        "Microsoft-Windows-SMBServer",
        12,
        [
            (
                1010,
                4,
                [
                    "NameLength",
                    "Name",
                    "DomainNameLength",
                    "DomainName",
                    "TransportNameLength",
                    "TransportName",
                    "TransportFlags"
                ]
            ),
            (1025, 3, [])
        ]
    ),
    ch!(
        "Microsoft-Windows-Security-Mitigations%4KernelMode",
        "Microsoft-Windows-Security-Mitigations",
        4,
        [(
            3,
            4,
            [
                "ProcessPathLength",
                "ProcessPath",
                "ProcessCommandLineLength",
                "ProcessCommandLine",
                "CallingProcessId",
                "CallingProcessCreateTime"
            ]
        )]
    ),
    ch!(
        "Microsoft-Windows-Security-SPP-UX-Notifications%4ActionCenter",
        "Microsoft-Windows-Security-SPP-UX-Notifications",
        4,
        [(100, 3, ["hc_stateid"])]
    ),
    ch!(
        "Microsoft-Windows-ServerManager-DeploymentProvider%4Operational",
        "Microsoft-Windows-ServerManager-DeploymentProvider",
        17,
        [(111, 4, ["requestGuid"]), (112, 4, ["restartRequired", "requestGuid"])]
    ),
    ch!(
        "Microsoft-Windows-ServerManager-MgmtProvider%4Operational",
        "Microsoft-Windows-ServerManager-ManagementProvider",
        41,
        [
            (45, 3, ["Name", "hResult", "hLastError"]),
            (85, 3, ["XPath", "Error", "LastError"])
        ]
    ),
    ch!(
        "Microsoft-Windows-ServerManager-MultiMachine%4Operational",
        "Microsoft-Windows-ServerManager-MultiMachine",
        100,
        [
            (
                217,
                4,
                ["serverName", "namespaceName", "wmiClassName", "methodName", "protocol"]
            ),
            (
                214,
                4,
                ["serverName", "namespaceName", "wmiClassName", "methodName", "protocol"]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-Shell-Core%4AppDefaults",
        "Microsoft-Windows-Shell-Core",
        242,
        [(62443, 4, ["Info"])]
    ),
    ch!(
        "Microsoft-Windows-Shell-Core%4Operational",
        "Microsoft-Windows-Shell-Core",
        390,
        [
            (62170, 4, ["LogonType", "TaskName"]),
            (62171, 4, ["LogonType", "TaskName"])
        ]
    ),
    ch!(
        "Microsoft-Windows-ShellCommon-StartLayoutPopulation%4Operational",
        "Microsoft-Windows-ShellCommon-StartLayoutPopulation",
        67,
        [
            (1102, 4, ["itemName", "itemId", "containerId", "collectionName"]),
            (16, 4, ["tileIdentifier"])
        ]
    ),
    ch!(
        "Microsoft-Windows-SmbClient%4Connectivity",
        "Microsoft-Windows-SMBClient",
        14,
        [
            (30810, 4, ["NameLength", "Name", "IfIndex"]),
            (30812, 4, ["ServerNameLength", "ServerName"])
        ]
    ),
    ch!(
        "Microsoft-Windows-StateRepository%4Operational",
        "Microsoft-Windows-StateRepository",
        98,
        [(271, 5, ["Options"]), (221, 5, ["Partition", "ProcessId"])]
    ),
    ch!(
        "Microsoft-Windows-Storage-Storport%4Health",
        "Microsoft-Windows-StorPort",
        91,
        [(
            548,
            3,
            [
                "MiniportName",
                "MiniportEventId",
                "MiniportEventDescription",
                "PortNumber",
                "AdapterGuid",
                "PathID",
                "TargetID",
                "LUN"
            ]
        )]
    ),
    ch!(
        "Microsoft-Windows-Storage-Storport%4Operational",
        "Microsoft-Windows-StorPort",
        45,
        [
            (
                524,
                2,
                [
                    "MiniportName",
                    "MiniportEventId",
                    "MiniportEventDescription",
                    "PortNumber",
                    "AdapterGuid",
                    "PathID",
                    "TargetID",
                    "LUN"
                ]
            ),
            (
                576,
                4,
                [
                    "AdapterGuid",
                    "PortNumber",
                    "AdapterHardwareId",
                    "MiniportName",
                    "AdapterInterfaceType",
                    "Flags"
                ]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-StorageSpaces-Driver%4Operational",
        "Microsoft-Windows-StorageSpaces-Driver",
        3,
        [(
            207,
            4,
            [
                "DriveId",
                "PoolId",
                "DeviceNumber",
                "DriveManufacturer",
                "DriveModel",
                "DriveSerial"
            ]
        )]
    ),
    ch!(
        "Microsoft-Windows-Store%4Operational",
        "Microsoft-Windows-Store",
        183,
        [
            (8001, 4, ["Message", "Function", "Source", "Line Number"]),
            (8002, 3, ["Message", "Function", "Source", "Line Number"])
        ]
    ),
    ch!(
        "Microsoft-Windows-SystemDataArchiver%4Diagnostic",
        "Microsoft-Windows-SystemDataArchiver",
        578,
        [
            (2050, 4, ["LogString"]),
            (2049, 5, ["LogString"]),
            (2051, 3, ["LogString"])
        ]
    ),
    ch!(
        "Microsoft-Windows-TWinUI%4Operational",
        "Microsoft-Windows-Immersive-Shell",
        1,
        [(105, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-TaskScheduler%4Maintenance",
        "Microsoft-Windows-TaskScheduler",
        11,
        [(808, 3, ["Task"]), (800, 4, ["hc_stateid", "LastRunDateTime"])]
    ),
    ch!(
        "Microsoft-Windows-TerminalServices-LocalSessionManager%4Operational",
        "Microsoft-Windows-TerminalServices-LocalSessionManager",
        41,
        [
            (34, 4, []),
            (32, 4, ["messageName"]),
            (21, 4, ["User", "SessionID", "Address"])
        ]
    ),
    ch!(
        "Microsoft-Windows-Time-Service%4Operational",
        "Microsoft-Windows-Time-Service",
        36,
        [
            (261, 4, ["NewTime", "OldTime", "TickCount"]),
            (266, 4, ["ReasonCode", "TickCount"])
        ]
    ),
    ch!(
        "Microsoft-Windows-UniversalTelemetryClient%4Operational",
        "Microsoft-Windows-UniversalTelemetryClient",
        17,
        [(61, 4, ["Environment", "State"]), (50, 4, ["Environment", "Status"])]
    ),
    ch!(
        "Microsoft-Windows-User Device Registration%4Admin",
        "Microsoft-Windows-User Device Registration",
        5,
        [(369, 4, ["Message"])]
    ),
    ch!(
        "Microsoft-Windows-User Profile Service%4Operational",
        "Microsoft-Windows-User Profiles Service",
        12,
        [
            (5, 4, ["File", "Key"]),
            (1, 4, ["Session"]),
            (67, 4, ["LogonType", "LocalPath", "ProfileType"])
        ]
    ),
    ch!(
        "Microsoft-Windows-UserPnp%4DeviceInstall",
        "Microsoft-Windows-UserPnp",
        6,
        [(8001, 4, []), (8004, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-VolumeSnapshot-Driver%4Operational",
        "Microsoft-Windows-VolumeSnapshot-Driver",
        18,
        [
            (100, 4, ["TargetVolumeGuid", "SourceFile", "SourceLine", "SourceTag"]),
            (101, 4, ["TargetVolumeGuid", "SourceFile", "SourceLine", "SourceTag"])
        ]
    ),
    ch!(
        "Microsoft-Windows-WMI-Activity%4Operational",
        "Microsoft-Windows-WMI-Activity",
        137,
        [
            (
                5858,
                2,
                [
                    "Id",
                    "ClientMachine",
                    "User",
                    "ClientProcessId",
                    "Component",
                    "Operation",
                    "ResultCode",
                    "PossibleCause"
                ]
            ),
            (
                5857,
                4,
                ["ProviderName", "Code", "HostProcess", "ProcessID", "ProviderPath"]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-Wcmsvc%4Operational",
        "Microsoft-Windows-Wcmsvc",
        23,
        [(1006, 4, ["Reason"]), (10001, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-WebAuthN%4Operational",
        "Microsoft-Windows-WebAuthN",
        5,
        [(1000, 4, [])]
    ),
    ch!(
        "Microsoft-Windows-WinINet-Config%4ProxyConfigChanged",
        "Microsoft-Windows-WinINet-Config",
        1,
        [(
            5600,
            4,
            ["fAutoDetect", "pwszAutoConfigUrl", "pwszProxy", "pwszProxyBypass"]
        )]
    ),
    ch!(
        "Microsoft-Windows-WinRM%4Operational",
        "Microsoft-Windows-WinRM",
        22,
        [(145, 4, ["operationName", "resourceUri"]), (132, 4, ["operationName"])]
    ),
    ch!(
        "Microsoft-Windows-Windows Defender%4Operational",
        "Microsoft-Windows-Windows Defender",
        26,
        [
            (5007, 4, ["Product Name", "Product Version", "Old Value", "New Value"]),
            (
                1150,
                4,
                ["Product Name", "Product Version", "Platform version", "Engine version"]
            )
        ]
    ),
    ch!(
        "Microsoft-Windows-Windows Firewall With Advanced Security%4Firewall",
        "Microsoft-Windows-Windows Firewall With Advanced Security",
        153,
        [
            (
                2097,
                4,
                [
                    "RuleId",
                    "RuleName",
                    "Origin",
                    "ApplicationPath",
                    "ServiceName",
                    "Direction",
                    "Protocol",
                    "LocalPorts",
                    "RemotePorts",
                    "Action",
                    "Profiles",
                    "LocalAddresses"
                ]
            ),
            (2010, 4, ["InterfaceGuid", "InterfaceName", "OldProfile", "NewProfile"])
        ]
    ),
    ch!(
        "Microsoft-Windows-WindowsUpdateClient%4Operational",
        "Microsoft-Windows-WindowsUpdateClient",
        6,
        [
            (26, 4, ["updateCount", "serviceGuid"]),
            (41, 4, ["updateTitle", "updateGuid", "updateRevisionNumber"])
        ]
    ),
    ch!(
        "Microsoft-Windows-Winlogon%4Operational",
        "Microsoft-Windows-Winlogon",
        64,
        [
            (811, 4, ["Event", "SubscriberName"]),
            (812, 4, ["Event", "SubscriberName"])
        ]
    ),
];

/// A made-up value for an EventData field, shaped by its name.
fn value(field: &str, rng: &mut Rng, log: &Log<'_>, t: DateTime<Utc>) -> String {
    let f = field.to_ascii_lowercase();
    if f.contains("guid") || f.ends_with("id") && !f.contains("pid") && !f.contains("processid") {
        format!(
            "{{{:08x}-{:04x}-{:04x}-{:04x}-{:012x}}}",
            rng.next_u64() as u32,
            rng.below(0x10000),
            rng.below(0x10000),
            rng.below(0x10000),
            rng.below(1 << 48)
        )
    } else if f.contains("time") || f.contains("date") || f == "created" || f == "expires" {
        (t - Duration::seconds(rng.range(0, 5)))
            .format("%Y-%m-%dT%H:%M:%S.%6f0Z")
            .to_string()
    } else if f.contains("sid") || f == "user" || f == "key" {
        log.host.admin_sid.to_owned()
    } else if f.contains("name") && (f.contains("server") || f.contains("machine") || f == "name") {
        log.host.netbios.to_owned()
    } else if f.contains("domain") {
        log.host.domain.to_owned()
    } else if f.contains("path") || f.contains("file") || f.contains("image") {
        format!(
            "C:\\Windows\\System32\\{}.dll",
            ["kernel32", "wevtsvc", "ntdll", "svchost", "wbemcore"][rng.below(5) as usize]
        )
    } else if f.contains("code")
        || f.contains("status")
        || f.contains("result")
        || f.contains("error")
        || f.contains("flags")
    {
        format!("0x{:x}", rng.below(0x8000_0000))
    } else if f.contains("length")
        || f.contains("count")
        || f.contains("number")
        || f.contains("port")
        || f.contains("pid")
    {
        rng.range(0, 4096).to_string()
    } else if f.contains("message")
        || f.contains("text")
        || f.contains("string")
        || f == "info"
        || f == "value"
        || f == "data"
    {
        let words = [
            "operation",
            "completed",
            "service",
            "started",
            "refresh",
            "policy",
            "scheduled",
            "state",
            "changed",
            "successfully",
        ];
        (0..rng.range(3, 12))
            .map(|_| *rng.pick(&words))
            .collect::<Vec<_>>()
            .join(" ")
    } else if f.starts_with("is") || f.starts_with('f') || f.contains("enabled") || f.contains("required") {
        ["true", "false"][rng.below(2) as usize].to_owned()
    } else {
        rng.range(0, 100).to_string()
    }
}

/// Adds `count` events of `channel` at random times between `from` and `to`.
pub(crate) fn fill(
    channel: &Channel,
    log: &mut Log<'_>,
    rng: &mut Rng,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    count: usize,
) {
    let span = (to - from).num_milliseconds().max(1) as u64;
    for _ in 0..count {
        let t = from + Duration::milliseconds(rng.below(span) as i64);
        let (id, level, fields) = *rng.pick(channel.shapes);
        let data: Vec<EventField> = fields
            .iter()
            .map(|name| EventField {
                name: Some((*name).to_owned()),
                value: value(name, rng, log, t),
            })
            .collect();
        log.add(
            t,
            channel.provider,
            id,
            None,
            Level::from_evtx(level),
            Some("S-1-5-18"),
            data,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_are_unique_and_none_is_always_empty() {
        let mut names: Vec<&str> = CHANNELS.iter().map(|c| c.file).collect();
        names.extend(ALWAYS_EMPTY);
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert!(CHANNELS.len() >= 70, "{}", CHANNELS.len());
        assert!(CHANNELS.iter().all(|c| !c.shapes.is_empty() && c.records > 0));
    }
}
