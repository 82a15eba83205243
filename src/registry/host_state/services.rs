//! Services under `HKLM\SYSTEM\CurrentControlSet\Services`: start mode, dependencies,
//! display name, image path.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{SourceRef, SERVICES_KEY};
use crate::registry::view::{KeyNode, RegistryView};

/// A service's `Start` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartMode {
    /// 0: boot driver.
    Boot,
    /// 1: system driver.
    System,
    /// 2: automatic.
    Automatic,
    /// 3: manual (demand).
    Manual,
    /// 4: disabled.
    Disabled,
    /// Any other number.
    Other(u32),
}

impl StartMode {
    /// The mode of `Start` = `value`.
    pub fn from_value(value: u32) -> StartMode {
        match value {
            0 => StartMode::Boot,
            1 => StartMode::System,
            2 => StartMode::Automatic,
            3 => StartMode::Manual,
            4 => StartMode::Disabled,
            other => StartMode::Other(other),
        }
    }

    /// `boot`, `system`, `automatic`, `manual`, `disabled` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            StartMode::Boot => "boot",
            StartMode::System => "system",
            StartMode::Automatic => "automatic",
            StartMode::Manual => "manual",
            StartMode::Disabled => "disabled",
            StartMode::Other(_) => "other",
        }
    }
}

/// Serialized as its lowercase name.
impl Serialize for StartMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Read back from a report by name; `other` (whose number is in the service's `start`)
/// becomes `Other(u32::MAX)`.
impl<'de> Deserialize<'de> for StartMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(match name.as_str() {
            "boot" => StartMode::Boot,
            "system" => StartMode::System,
            "automatic" => StartMode::Automatic,
            "manual" => StartMode::Manual,
            "disabled" => StartMode::Disabled,
            "other" => StartMode::Other(u32::MAX),
            _ => return Err(serde::de::Error::custom(format!("unknown start mode '{name}'"))),
        })
    }
}

/// One service key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// The key name (service name), e.g. `MSExchangeIS`.
    pub name: String,
    /// Key path.
    pub key: String,
    /// `DisplayName`.
    pub display_name: Option<String>,
    /// `ImagePath` (unexpanded).
    pub image_path: Option<String>,
    /// `Start`.
    pub start: Option<u32>,
    /// `Start` as a mode.
    pub start_mode: Option<StartMode>,
    /// `DependOnService` (MULTI_SZ), in order.
    pub depend_on_service: Vec<String>,
    /// `DependOnGroup` (MULTI_SZ).
    pub depend_on_group: Vec<String>,
    /// `ObjectName` (the account).
    pub object_name: Option<String>,
    /// An Exchange 2007+ service (`MSExchange*`, `msftesql-Exchange`, `ADAM_MSExchange`).
    pub exchange: bool,
    /// Started by triggers (a `TriggerInfo` subkey, Windows 7 / 2008 R2 and later): it
    /// stops by itself when idle, so being stopped is its normal state.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trigger_start: bool,
    /// File and line of the key.
    pub source: Option<SourceRef>,
}

impl ServiceInfo {
    /// Whether `DependOnService` names `service` (case-insensitive).
    pub fn depends_on(&self, service: &str) -> bool {
        self.depend_on_service.iter().any(|d| d.eq_ignore_ascii_case(service))
    }
}

/// The services found in the exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Services {
    /// The `Services` key path (control set resolved).
    pub key: String,
    /// Whether `Services\NtLmSsp` exists (it does not on Windows Server 2008).
    pub ntlmssp_present: bool,
    /// All service keys, ordered by name (case-insensitive).
    pub list: Vec<ServiceInfo>,
}

impl Services {
    /// The service called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&ServiceInfo> {
        self.list.iter().find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// The Exchange services.
    pub fn exchange(&self) -> impl Iterator<Item = &ServiceInfo> {
        self.list.iter().filter(|s| s.exchange)
    }
}

fn is_exchange_service(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("msexchange") || lower == "msftesql-exchange" || lower == "adam_msexchange"
}

/// The services, or `None` when the `Services` key is not in the exports.
pub(super) fn services(view: &RegistryView) -> Option<Services> {
    let node = view.key(SERVICES_KEY)?;
    Some(Services {
        key: node.path().to_string(),
        ntlmssp_present: node.subkey("NtLmSsp").is_some(),
        list: node.subkeys().map(|k| service(view, k)).collect(),
    })
}

fn service(view: &RegistryView, key: KeyNode<'_>) -> ServiceInfo {
    let start = key.u32_value("Start");
    ServiceInfo {
        name: key.name().to_string(),
        key: key.path().to_string(),
        display_name: key.text_value("DisplayName"),
        image_path: key.text_value("ImagePath"),
        start,
        start_mode: start.map(StartMode::from_value),
        depend_on_service: non_empty(key.multi_value("DependOnService")),
        depend_on_group: non_empty(key.multi_value("DependOnGroup")),
        object_name: key.text_value("ObjectName"),
        exchange: is_exchange_service(key.name()),
        trigger_start: key.subkey("TriggerInfo").is_some(),
        source: SourceRef::from_origin(view, key.origin()),
    }
}

fn non_empty(items: Option<Vec<String>>) -> Vec<String> {
    items
        .unwrap_or_default()
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect()
}
