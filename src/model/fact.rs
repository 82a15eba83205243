//! Typed facts a rule attaches to its finding so that correlation can tell what the
//! finding is about without reading its (output-only) `details`: one enum per family of
//! evidence.

/// What a finding is about, as correlation reads it. Never serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// From a setup log.
    SetupLog(SetupLogFact),
    /// From the event logs.
    Event(EventFact),
    /// From the registry exports.
    Registry(RegistryFact),
}

/// Facts of the setup-log rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupLogFact {
    /// The finding is about run `index` (0-based) of the setup log shown as `source`.
    Run {
        /// The log's path as shown in evidence.
        source: String,
        /// 0-based run index.
        index: usize,
    },
    /// A readiness check that failed, as the log names it (`DomainControllerIsOutOfSite`).
    ReadinessCheck(String),
    /// A role's watermark as the prerequisite engine read it (`Watermarks` setting).
    Watermark(String),
    /// The ldifde error file the log names (`...\Temp\ldif.err`).
    LdifErrorFile(String),
}

/// Facts of the event-log rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFact {
    /// MSExchangeSetup 1000 without the 1001 that a completed run writes.
    SetupNeverCompleted,
    /// Managed Exchange services timing out at start: the Authenticode CRL check.
    CrlStartTimeout {
        /// The services that timed out, in the finding's order.
        services: Vec<String>,
    },
}

/// Facts of the registry rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryFact {
    /// Read from an Exchange role key (watermark, half-upgraded role).
    RoleKey {
        /// The role key's name (`MailboxRole`).
        role: String,
    },
    /// A role key's `Watermark` value.
    Watermark(String),
    /// A missing prerequisite, by the check's name (`NetFramework20SP1`).
    PrereqMissing(String),
}

impl Fact {
    /// The watermark this fact names, from the setup log or the registry.
    pub fn watermark(&self) -> Option<&str> {
        match self {
            Fact::SetupLog(SetupLogFact::Watermark(w)) | Fact::Registry(RegistryFact::Watermark(w)) => Some(w),
            _ => None,
        }
    }
}
