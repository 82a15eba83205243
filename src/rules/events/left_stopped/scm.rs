//! How the rule reads the Service Control Manager: service states (7036) and start-type
//! changes (7040) with who made them, in the languages Windows writes them in.

use exdoctor_parsers::event::Event;

use super::super::messages::evidence_text;
use super::super::start_failure::who;
use crate::model::HostEvent;

/// A service state of SCM 7036 (`%2`), as the rule reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Running,
    Stopped,
    Paused,
    /// A text the rule does not read (another language): the state is unknown.
    Unknown,
}

impl State {
    /// The state of a 7036 event: its second insertion string, in English, German,
    /// French or Spanish (Windows writes it in the system's language).
    pub(super) fn of(event: &Event) -> State {
        let Some(text) = event.param(1) else {
            return State::Unknown;
        };
        let text = text
            .trim_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '.' | '\u{201c}' | '\u{201d}' | '\u{200e}'))
            .to_lowercase();
        match text.as_str() {
            "running" | "wird ausgeführt" | "ausgeführt" | "en cours d'exécution" | "en ejecución" => {
                State::Running
            }
            "stopped" | "beendet" | "arrêté" | "detenido" => State::Stopped,
            "paused" | "angehalten" | "suspendu" | "en pausa" => State::Paused,
            _ => State::Unknown,
        }
    }
}

/// A start type of SCM 7040 (`%2` old, `%3` new).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StartType {
    Auto,
    Demand,
    Disabled,
    /// Boot or system start (drivers).
    Other,
}

impl StartType {
    /// `auto start`, `demand start`, `disabled` and their German, French and Spanish
    /// forms (matched by their stems); `None` for a text the rule does not read.
    pub(super) fn parse(text: &str) -> Option<StartType> {
        let t = text.trim().to_lowercase();
        let has = |stems: &[&str]| stems.iter().any(|s| t.contains(s));
        if t.is_empty() {
            None
        } else if has(&["auto"]) {
            Some(StartType::Auto)
        } else if has(&["demand", "manu", "petici"]) {
            Some(StartType::Demand)
        } else if has(&["disabled", "deaktiv", "désactiv", "deshabilit"]) {
            Some(StartType::Disabled)
        } else if has(&["boot", "system"]) {
            Some(StartType::Other)
        } else {
            None
        }
    }
}

/// Whether `sid` is one of the service accounts Windows itself acts as (SYSTEM, LOCAL
/// SERVICE, NETWORK SERVICE).
pub(super) fn is_windows_sid(sid: &str) -> bool {
    matches!(sid.trim(), "S-1-5-18" | "S-1-5-19" | "S-1-5-20")
}

/// A 7040: who changed a service's start type from what to what.
#[derive(Clone, Copy)]
pub(super) struct Change<'h, 'a> {
    /// The 7040.
    pub(super) event: &'h HostEvent<'a>,
    /// The start type before (`%2`), when the rule reads its text.
    pub(super) from: Option<StartType>,
    /// The start type after (`%3`).
    pub(super) to: Option<StartType>,
}

impl Change<'_, '_> {
    pub(super) fn sid(&self) -> Option<&str> {
        self.event
            .event
            .user_sid
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// ` by the built-in Administrator (S-1-5-21-...-500)`, or nothing when the event
    /// names no account.
    pub(super) fn by(&self) -> String {
        match self.sid() {
            Some(_) => format!(" {}", who(self.event.event)),
            None => String::new(),
        }
    }

    /// Made by Windows itself (the servicing stack toggles its own services).
    pub(super) fn by_windows(&self) -> bool {
        self.sid().is_some_and(is_windows_sid)
    }

    /// Made by a person (an administrator, or setup running as one).
    pub(super) fn by_person(&self) -> bool {
        self.sid().is_some_and(|s| !is_windows_sid(s))
    }
}

/// `changed from auto start to disabled by the built-in Administrator (S-1-5-21-...-500)`.
pub(super) fn change_phrase(c: &Change<'_, '_>) -> String {
    let ev = c.event.event;
    format!(
        "changed from {} to {}{}",
        ev.param(1).map_or("?", str::trim),
        ev.param(2).map_or("?", str::trim),
        c.by()
    )
}

/// The evidence text of a 7040, with who made the change.
pub(super) fn change_text(c: &Change<'_, '_>) -> String {
    match c.sid() {
        Some(_) => format!("{} Changed{}.", evidence_text(c.event), c.by()),
        None => evidence_text(c.event),
    }
}
