//! The services the SCM events name: the host's directory (registry, Exchange and
//! Windows tables) and the keys 7040 events give, with what the rule saw of each.

use std::collections::BTreeMap;

use super::super::services::{self, Directory};
use super::super::SCM;
use super::scm::{Change, State};
use crate::model::{HostEvent, HostView};
use crate::registry::host_state::ServiceInfo;

/// What the rule saw of one service.
pub(super) struct Service<'h, 'a> {
    /// The name its first event gave it.
    pub(super) name: String,
    /// Who it is: key, display name, how much it matters to Exchange.
    pub(super) who: services::Service,
    /// Its key is known (registry, built-in tables, or the key a 7040 names), not only
    /// the name of its events.
    pub(super) key_known: bool,
    /// Its registry key, when exported.
    pub(super) info: Option<&'a ServiceInfo>,
    /// Its 7036 states in time order.
    pub(super) states: Vec<(&'h HostEvent<'a>, State)>,
    /// Its 7040 start-type changes in time order.
    pub(super) changes: Vec<Change<'h, 'a>>,
}

impl Service<'_, '_> {
    /// `Display name (Key)`, or the name as found.
    pub(super) fn label(&self) -> String {
        self.who.label()
    }

    /// Its key when known, else the name its events give it: what findings name it by.
    pub(super) fn key(&self) -> &str {
        &self.who.key
    }

    /// The name to give `sc`/`net start`: the key, else the quoted name.
    pub(super) fn command_name(&self) -> String {
        if self.key_known {
            services::shown(&self.who.key)
        } else {
            format!("\"{}\"", services::shown(&self.name))
        }
    }

    /// An Exchange service: in the Exchange table, an Exchange key in the registry, or a
    /// display name beginning with "Microsoft Exchange".
    pub(super) fn is_exchange(&self) -> bool {
        self.who.exchange.is_some()
            || self.info.is_some_and(|i| i.exchange)
            || self.name.to_lowercase().starts_with("microsoft exchange")
    }

    /// A service setup stops and starts itself: Exchange's own, IIS, and the Windows
    /// services Exchange depends on.
    pub(super) fn setup_managed(&self) -> bool {
        self.is_exchange() || self.who.subject.matters_to_exchange()
    }
}

/// Service names to services: the host's directory (registry, Exchange and Windows
/// tables), and the key SCM 7040 names (`%4`, Windows Server 2008 R2 and later) for
/// services neither knows.
pub(super) struct Names<'d, 'a> {
    /// The host's services by key and display name.
    directory: &'d Directory<'a>,
    /// Lowercase display names and keys of 7040 events to the key they name.
    from_7040: BTreeMap<String, String>,
}

impl<'d, 'a> Names<'d, 'a> {
    pub(super) fn new(view: &HostView<'a>, directory: &'d Directory<'a>) -> Names<'d, 'a> {
        let mut from_7040 = BTreeMap::new();
        for e in view.events_of(SCM, &[7040]) {
            let (Some(display), Some(key)) = (e.event.param(0), e.event.param(3)) else {
                continue;
            };
            let key = key.trim();
            if !key.is_empty() {
                from_7040.insert(display.trim().to_lowercase(), key.to_string());
                from_7040.insert(key.to_lowercase(), key.to_string());
            }
        }
        Names { directory, from_7040 }
    }

    /// The service called `name`, whether its key is known, and its registry key.
    pub(super) fn resolve(&self, name: &str) -> (services::Service, bool, Option<&'a ServiceInfo>) {
        let who = self.directory.resolve(name);
        if who.known {
            let info = self.directory.registry_entry(&who.key);
            return (who, true, info);
        }
        match self.from_7040.get(&name.trim().to_lowercase()) {
            Some(key) => (self.directory.resolve(key), true, self.directory.registry_entry(key)),
            None => (who, false, None),
        }
    }
}
