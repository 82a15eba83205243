//! Exchange installations: role keys under `Exchange\v8.0` (2007) and
//! `ExchangeServer\v14|v15` (2010, 2013+), and the MSI build under `...\Setup`.

use serde::{Deserialize, Serialize};

use super::SourceRef;
use crate::registry::build::Build;
use crate::registry::view::{KeyNode, RegistryView};

/// `HKLM\SOFTWARE\Microsoft\Exchange`.
pub(super) const EXCHANGE_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange";
/// `HKLM\SOFTWARE\Microsoft\ExchangeServer`.
pub(super) const EXCHANGE_SERVER_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ExchangeServer";
/// `HKLM\SOFTWARE\Microsoft\Exchange\Setup`.
pub(super) const LEGACY_SETUP_KEY: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\Setup";

/// The version keys looked at: (key, version key name, product).
const VERSIONS: [(&str, &str, &str); 3] = [
    (EXCHANGE_KEY, "v8.0", "Exchange 2007"),
    (EXCHANGE_SERVER_KEY, "v14", "Exchange 2010"),
    (EXCHANGE_SERVER_KEY, "v15", "Exchange 2013 or later"),
];

/// The MSI install data of a `Setup` key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsiSetup {
    /// Key path.
    pub key: String,
    /// `MsiInstallPath`.
    pub install_path: Option<String>,
    /// `MsiProductMajor`.
    pub product_major: Option<u32>,
    /// `MsiProductMinor`.
    pub product_minor: Option<u32>,
    /// `MsiBuildMajor`.
    pub build_major: Option<u32>,
    /// `MsiBuildMinor`.
    pub build_minor: Option<u32>,
    /// `ProductMajor.ProductMinor.BuildMajor.BuildMinor` when all four are present.
    pub build: Option<Build>,
}

/// What the role key says about the role's setup state (the raw values stay in
/// [`ExchangeRole`]; the rules decide severity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleState {
    /// `Action` or `Watermark` present: setup stopped inside this role.
    Incomplete,
    /// `UnpackedVersion` != `ConfiguredVersion`: half-upgraded.
    VersionMismatch,
    /// Unpacked but never configured (not `AdminTools`, which has no configured step).
    Unconfigured,
    /// Unpacked == configured, no action or watermark.
    Configured,
    /// `AdminTools` unpacked (it has no `ConfiguredVersion`).
    Installed,
    /// No version values at all.
    Unknown,
}

/// One role key (`MailboxRole`, `HubTransportRole`, `AdminTools`...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeRole {
    /// The key name, e.g. `MailboxRole`.
    pub name: String,
    /// Key path.
    pub key: String,
    /// `UnpackedVersion` as written.
    pub unpacked_version: Option<String>,
    /// `ConfiguredVersion` as written.
    pub configured_version: Option<String>,
    /// `UnpackedVersion` parsed.
    pub unpacked_build: Option<Build>,
    /// `ConfiguredVersion` parsed.
    pub configured_build: Option<Build>,
    /// Level of the unpacked build, e.g. "SP1".
    pub unpacked_level: Option<String>,
    /// Level of the configured build, e.g. "RTM".
    pub configured_level: Option<String>,
    /// `Action` (e.g. `BuildToBuildUpgrade`, `Install`) when setup did not finish.
    pub action: Option<String>,
    /// `Watermark`: the id of the last task setup reached.
    pub watermark: Option<String>,
    /// The role's own install path value, else `MsiInstallPath` of the version's Setup key.
    pub install_path: Option<String>,
    /// Summary of the values above.
    pub state: RoleState,
    /// File and line of the key.
    pub source: Option<SourceRef>,
}

/// One Exchange version key with its roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeInstall {
    /// `v8.0`, `v14` or `v15`.
    pub version_key: String,
    /// "Exchange 2007", "Exchange 2010", "Exchange 2013 or later".
    pub product: String,
    /// Key path.
    pub key: String,
    /// Role keys, ordered by name.
    pub roles: Vec<ExchangeRole>,
    /// The `Setup` subkey.
    pub setup: Option<MsiSetup>,
}

/// The Exchange version keys present in the view.
pub(super) fn installs(view: &RegistryView) -> Vec<ExchangeInstall> {
    VERSIONS
        .iter()
        .filter_map(|(parent, version, product)| {
            let node = view.key(parent)?.subkey(version)?;
            let setup = node.subkey("Setup").and_then(msi_setup_of);
            let default_path = setup.as_ref().and_then(|s| s.install_path.clone());
            let roles = node
                .subkeys()
                .filter(|k| is_role_key(k))
                .map(|k| role(view, k, default_path.as_deref()))
                .collect();
            Some(ExchangeInstall {
                version_key: node.name().to_string(),
                product: (*product).to_string(),
                key: node.path().to_string(),
                roles,
                setup,
            })
        })
        .collect()
}

/// The MSI data of the `Setup` key at `path`.
pub(super) fn msi_setup(view: &RegistryView, path: &str) -> Option<MsiSetup> {
    msi_setup_of(view.key(path)?)
}

fn msi_setup_of(node: KeyNode<'_>) -> Option<MsiSetup> {
    let setup = MsiSetup {
        key: node.path().to_string(),
        install_path: node.text_value("MsiInstallPath"),
        product_major: node.u32_value("MsiProductMajor"),
        product_minor: node.u32_value("MsiProductMinor"),
        build_major: node.u32_value("MsiBuildMajor"),
        build_minor: node.u32_value("MsiBuildMinor"),
        build: None,
    };
    let build = match (
        setup.product_major,
        setup.product_minor,
        setup.build_major,
        setup.build_minor,
    ) {
        (Some(major), Some(minor), Some(build), Some(revision)) => Some(Build {
            major,
            minor,
            build,
            revision,
        }),
        _ => None,
    };
    Some(MsiSetup { build, ..setup })
}

const ROLE_VALUES: [&str; 4] = ["UnpackedVersion", "ConfiguredVersion", "Action", "Watermark"];

fn is_role_key(key: &KeyNode<'_>) -> bool {
    let name = key.name();
    let lower = name.to_ascii_lowercase();
    lower.ends_with("role")
        || lower == "admintools"
        || lower == "clusteredmailboxserver"
        || ROLE_VALUES.iter().any(|v| key.value(v).is_some())
}

fn role(view: &RegistryView, key: KeyNode<'_>, default_path: Option<&str>) -> ExchangeRole {
    let unpacked_version = key.text_value("UnpackedVersion");
    let configured_version = key.text_value("ConfiguredVersion");
    let unpacked_build = unpacked_version.as_deref().and_then(|v| v.parse::<Build>().ok());
    let configured_build = configured_version.as_deref().and_then(|v| v.parse::<Build>().ok());
    let action = key.text_value("Action");
    let watermark = key.text_value("Watermark");
    let is_admin_tools = key.name().eq_ignore_ascii_case("AdminTools");
    let state = if action.is_some() || watermark.is_some() {
        RoleState::Incomplete
    } else {
        match (&unpacked_version, &configured_version) {
            (Some(_), Some(_)) if unpacked_build.is_some() && unpacked_build == configured_build => {
                RoleState::Configured
            }
            (Some(u), Some(c)) if u.eq_ignore_ascii_case(c) => RoleState::Configured,
            (Some(_), Some(_)) => RoleState::VersionMismatch,
            (Some(_), None) if is_admin_tools => RoleState::Installed,
            (Some(_), None) => RoleState::Unconfigured,
            (None, Some(_)) => RoleState::VersionMismatch,
            (None, None) => RoleState::Unknown,
        }
    };
    ExchangeRole {
        name: key.name().to_string(),
        key: key.path().to_string(),
        unpacked_level: unpacked_build.and_then(|b| b.level()),
        configured_level: configured_build.and_then(|b| b.level()),
        unpacked_version,
        configured_version,
        unpacked_build,
        configured_build,
        action,
        watermark,
        install_path: key
            .text_value("InstallPath")
            .or_else(|| default_path.map(str::to_string)),
        state,
        source: SourceRef::from_origin(view, key.origin()),
    }
}
