//! Who a service named in an event is: its key, display name and process image, from
//! the host's registry exports (`DisplayName`, `ImagePath`, the Exchange services'
//! `DependOnService`) first, else from the built-in tables of the Exchange and Windows
//! services; and how much it matters to an Exchange triage.

use std::collections::{HashMap, HashSet};

use super::exchange::{self, ExchangeService};
use super::windows;
use crate::model::HostView;
use crate::registry::host_state::ServiceInfo;

/// How much a service matters to Exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Subject {
    /// Neither an Exchange service nor one Exchange depends on.
    Other,
    /// A Windows service Exchange depends on.
    ExchangeDependency,
    /// An Exchange service.
    Exchange,
    /// An Exchange service whose failure stops mail flow or the databases.
    ExchangeCritical,
}

impl Subject {
    /// An Exchange service or one Exchange depends on.
    pub(crate) fn matters_to_exchange(self) -> bool {
        self != Subject::Other
    }
}

/// A service as the rules name it.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    /// Service key when known, else the name as the event gives it.
    pub key: String,
    /// Display name when known, else the name as the event gives it.
    pub display: String,
    /// The Exchange service it is.
    pub exchange: Option<&'static ExchangeService>,
    /// How much it matters to Exchange.
    pub subject: Subject,
    /// Lowercase stems of its own process image (`spoolsv`): empty for services that
    /// share a process (svchost.exe, lsass.exe) or whose image is unknown.
    pub images: Vec<String>,
}

impl Service {
    /// The grouping key: the lowercase service key.
    pub(crate) fn group_key(&self) -> String {
        self.key.to_ascii_lowercase()
    }

    /// `Print Spooler (Spooler)`, or the name alone when key and display are the same.
    pub(crate) fn label(&self) -> String {
        if self.key.eq_ignore_ascii_case(&self.display) {
            shown(&self.display)
        } else {
            format!("{} ({})", shown(&self.display), shown(&self.key))
        }
    }
}

/// Processes that host many services: their crash reports name no single service.
const SHARED_PROCESSES: &[&str] = &["svchost", "lsass", "services", "dllhost"];

/// The services of one host: its registry exports and the built-in tables.
pub(crate) struct Directory<'h> {
    by_name: HashMap<String, &'h ServiceInfo>,
    /// Lowercase keys that an Exchange service lists in `DependOnService`.
    exchange_needs: HashSet<String>,
    /// The host shows Exchange (role keys or services in the registry, Exchange events,
    /// setup runs): only then do the Windows services Exchange needs matter more.
    exchange_host: bool,
}

impl<'h> Directory<'h> {
    /// The directory of `host` (empty registry part when no `Services` key was exported).
    pub(crate) fn new(host: &HostView<'h>) -> Directory<'h> {
        let mut by_name = HashMap::new();
        let mut exchange_needs = HashSet::new();
        let exchange_host = shows_exchange(host);
        if let Some(services) = host.registry.and_then(|r| r.services.as_ref()) {
            for s in &services.list {
                by_name.entry(s.name.trim().to_ascii_lowercase()).or_insert(s);
                if let Some(display) = s.display_name.as_deref().filter(|d| !d.starts_with('@')) {
                    by_name.entry(display.trim().to_ascii_lowercase()).or_insert(s);
                }
                if s.exchange {
                    exchange_needs.extend(s.depend_on_service.iter().map(|d| d.trim().to_ascii_lowercase()));
                }
            }
        }
        Directory {
            by_name,
            exchange_needs,
            exchange_host,
        }
    }

    /// Why a finding about a service of subject [`Subject::Other`] is only a warning.
    pub(crate) fn why_warning(&self) -> &'static str {
        if self.exchange_host {
            "Not an Exchange service nor one Exchange depends on"
        } else {
            "The logs show no Exchange on this host"
        }
    }

    /// The service an event calls `name` (key or display name, any case).
    pub(crate) fn resolve(&self, name: &str) -> Service {
        let name = name.trim();
        let registry = self.by_name.get(&name.to_ascii_lowercase()).copied();
        let exchange = exchange::lookup(name).or_else(|| registry.and_then(|r| exchange::lookup(&r.name)));
        let windows = windows::lookup(name).or_else(|| registry.and_then(|r| windows::lookup(&r.name)));
        let key = registry
            .map(|r| r.name.clone())
            .or_else(|| exchange.map(|e| e.key.to_string()))
            .or_else(|| windows.map(|w| w.key.to_string()))
            .unwrap_or_else(|| name.to_string());
        let display = registry
            .and_then(|r| r.display_name.clone())
            .filter(|d| !d.starts_with('@') && !d.trim().is_empty())
            .or_else(|| exchange.map(|e| e.display.to_string()))
            .or_else(|| windows.and_then(|w| w.displays.first()).map(|d| d.to_string()))
            .unwrap_or_else(|| name.to_string());
        let mut images: Vec<String> = registry
            .and_then(|r| r.image_path.as_deref())
            .and_then(image_stem)
            .into_iter()
            .chain(exchange.map(|e| process_stem(e.image)))
            .chain(windows.and_then(|w| w.image).map(process_stem))
            .filter(|s| !s.is_empty() && !SHARED_PROCESSES.contains(&s.as_str()))
            .collect();
        images.dedup();
        let subject = match exchange {
            Some(e) if e.critical => Subject::ExchangeCritical,
            Some(_) => Subject::Exchange,
            None if self.exchange_host
                && (windows.is_some_and(|w| w.exchange_needs)
                    || self.exchange_needs.contains(&key.to_ascii_lowercase())) =>
            {
                Subject::ExchangeDependency
            }
            None => Subject::Other,
        };
        Service {
            key,
            display,
            exchange,
            subject,
            images,
        }
    }
}

/// Whether `host` shows Exchange: Exchange role keys or services in its registry, setup
/// runs, events of an Exchange provider, or SCM events naming an Exchange service.
fn shows_exchange(host: &HostView<'_>) -> bool {
    let registry = host.registry.is_some_and(|r| {
        r.exchange.iter().any(|i| !i.roles.is_empty())
            || r.services.as_ref().is_some_and(|s| s.exchange().next().is_some())
    });
    registry
        || !host.runs.is_empty()
        || host.events.iter().any(|e| {
            let provider = e.event.provider.as_bytes();
            provider.len() >= 10 && provider[..10].eq_ignore_ascii_case(b"MSExchange")
                || (e.event.provider.eq_ignore_ascii_case("Service Control Manager")
                    && e.event
                        .param(usize::from(matches!(e.event.event_id, 7009 | 7011)))
                        .is_some_and(|name| exchange::lookup(name).is_some()))
        })
}

/// `store.exe`, `C:\...\store.exe` or `store` -> `store`.
pub(crate) fn process_stem(process: &str) -> String {
    let file = process.rsplit(['\\', '/']).next().unwrap_or(process).trim();
    let lower = file.to_ascii_lowercase();
    lower.strip_suffix(".exe").map(str::to_owned).unwrap_or(lower)
}

/// The executable of an `ImagePath` (`"C:\Program Files\x.exe" -k`, `%SystemRoot%\x.exe`,
/// `cmd.exe /c ...`) as a stem; `None` for drivers and paths without an `.exe`.
fn image_stem(image_path: &str) -> Option<String> {
    let path = image_path.trim();
    let path = match path.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or(quoted),
        None => {
            let end = path.to_ascii_lowercase().find(".exe").map(|i| i + 4)?;
            path.get(..end)?
        }
    };
    path.to_ascii_lowercase().ends_with(".exe").then(|| process_stem(path))
}

/// At most this many characters of a name from an event are shown.
const SHOWN_CHARS: usize = 64;

/// A name from an event as it may be printed: control characters escaped (`\u{1b}`),
/// cut after [`SHOWN_CHARS`] characters with `…` (random or base64 service names can
/// be long).
pub(crate) fn shown(name: &str) -> String {
    cut(name, SHOWN_CHARS)
}

/// Like [`shown`], cut after `max` characters.
pub(crate) fn cut(name: &str, max: usize) -> String {
    let name = name.trim();
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_tables_name_exchange_and_windows_services() {
        let host = HostView::default();
        let dir = Directory::new(&host);
        let is = dir.resolve("Microsoft Exchange Information Store");
        assert_eq!(
            (is.key.as_str(), is.subject),
            ("MSExchangeIS", Subject::ExchangeCritical)
        );
        assert_eq!(is.images, ["store"]);
        assert_eq!(is.label(), "Microsoft Exchange Information Store (MSExchangeIS)");
        let spooler = dir.resolve("Print Spooler");
        assert_eq!((spooler.key.as_str(), spooler.subject), ("Spooler", Subject::Other));
        assert_eq!(spooler.images, ["spoolsv"]);
        let log = dir.resolve("Windows Event Log");
        assert_eq!(
            (log.key.as_str(), log.subject),
            ("EventLog", Subject::Other),
            "no Exchange on the host"
        );
        assert!(log.images.is_empty(), "hosted by svchost.exe");
        let events = [crate::rules::events::testing::event(
            "MSExchangeSetup",
            1000,
            1,
            "2008-01-01T00:00:00Z",
            &["8.1.240.6"],
        )];
        let exchange_host = crate::rules::events::testing::view(&events);
        let dir = Directory::new(&exchange_host);
        let log = dir.resolve("Event Log");
        assert_eq!(
            (log.key.as_str(), log.subject),
            ("EventLog", Subject::ExchangeDependency)
        );
        let random = dir.resolve("outmgo");
        assert_eq!((random.key.as_str(), random.subject), ("outmgo", Subject::Other));
        assert_eq!(random.label(), "outmgo");
    }

    #[test]
    fn image_paths_give_the_process() {
        assert_eq!(
            image_stem("\"C:\\Program Files\\Microsoft\\Exchange Server\\Bin\\store.exe\"").as_deref(),
            Some("store")
        );
        assert_eq!(
            image_stem("%SystemRoot%\\System32\\spoolsv.exe").as_deref(),
            Some("spoolsv")
        );
        assert_eq!(
            image_stem("C:\\Windows\\system32\\svchost.exe -k netsvcs").as_deref(),
            Some("svchost")
        );
        assert_eq!(image_stem("\\SystemRoot\\system32\\drivers\\HdAudio.sys"), None);
    }

    #[test]
    fn shown_names_are_escaped_and_cut() {
        assert_eq!(shown("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        let long = "IyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMj";
        let cut = shown(long);
        assert_eq!(cut.chars().count(), SHOWN_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
