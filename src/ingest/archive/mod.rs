//! Archives: `.zip` bundles and gzip-compressed files. Their members are read in
//! memory (never extracted to disk), one at a time, and analysed as if they sat in a
//! folder named after the archive (`bundle.zip/EX01/ExchangeSetup.log`; a gzip file
//! `System.evtx.gz` gives `System.evtx`). Archives inside archives are opened too, up
//! to [`Limits::max_depth`] levels.
//!
//! Every read is bounded ([`Limits`]): a member is decompressed only up to a size cap
//! of its format (a setup log of more than 256 MiB inside a zip is suspicious), within
//! a budget per archive, and not beyond its declared size or a bomb-like compression
//! ratio; at most [`MEMORY_IN_FLIGHT`] bytes of members are held by all threads at
//! once. Members whose data overlap (a zip-bomb construction), encrypted members,
//! links, unsafe paths and unsupported compression are skipped; a name listed twice
//! is read twice, the later copy shown with a `~2` suffix. Each skipped member gets a
//! diagnostic; members in formats exdoctor does not read are passed over silently, as
//! in a folder.

mod directory;
mod gate;
mod inflate;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use flate2::bufread::{DeflateDecoder, MultiGzDecoder};

use self::directory::{Member, DEFLATED, STORED};
use self::gate::Gate;
use self::inflate::Unread;
use super::{sniff, InputFile};
use crate::model::{Diagnostic, SourceKind};

pub use self::gate::MEMORY_IN_FLIGHT;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// The ceilings of archive reading. [`Limits::default`] holds the numbers documented in
/// the README ("Limits"): they fit a 24 GB machine that runs other work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest setup log, `.reg`, XML/CSV export or task script taken from an archive
    /// (256 MiB: more is suspicious for these formats).
    pub text_member: u64,
    /// Largest `.evtx`/`.evt` taken from an archive (1 GiB).
    pub event_log_member: u64,
    /// Largest archive inside an archive (1 GiB; it is held while its members are read).
    pub nested_archive: u64,
    /// Most bytes decompressed from one archive named on the command line, the
    /// archives inside it included (16 GiB).
    pub per_archive: u64,
    /// Below [`Limits::per_archive`], an archive decompresses to at most
    /// [`Limits::max_ratio`] times its size, or this much when that is more (1 GiB):
    /// many members each too small for the ratio check cannot add up to a bomb.
    pub archive_floor: u64,
    /// Highest compression ratio of a member that decompresses to more than
    /// [`Limits::ratio_floor`] (100:1; real logs of that size compress 10-40:1).
    pub max_ratio: u64,
    /// Members up to this size are not ratio-checked (64 MiB: a nearly empty event log
    /// compresses a thousandfold, and the size caps bound them anyway).
    pub ratio_floor: u64,
    /// Deepest nesting: an archive named on the command line is level 1 (3).
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            text_member: 256 * MIB,
            event_log_member: GIB,
            nested_archive: GIB,
            per_archive: 16 * GIB,
            archive_floor: GIB,
            max_ratio: 100,
            ratio_floor: 64 * MIB,
            max_depth: 3,
        }
    }
}

impl Limits {
    /// The same checks at a small scale (4 MiB members and nested archives, 16 MiB per
    /// archive, the ratio checked from 1 MiB): for fuzzing, where every input must run
    /// in milliseconds.
    pub fn for_fuzzing() -> Limits {
        Limits {
            text_member: 4 * MIB,
            event_log_member: 4 * MIB,
            nested_archive: 4 * MIB,
            per_archive: 16 * MIB,
            archive_floor: 8 * MIB,
            ratio_floor: MIB,
            ..Limits::default()
        }
    }
}

impl Limits {
    /// Most bytes decompressed from an archive of `size` bytes named on the command line.
    fn archive_budget(&self, size: u64) -> u64 {
        self.per_archive
            .min(self.archive_floor.max(size.saturating_mul(self.max_ratio)))
    }
}

/// What a zip archive's files take once decompressed, as its directory declares them
/// (at most its decompression budget under `limits`); `None` for anything but a zip with
/// a readable directory. Bundles are batched by it: a zip of logs compresses 10-40:1,
/// so its own size says little about the memory its analysis takes.
pub fn declared_size(limits: &Limits, bytes: &[u8]) -> Option<u64> {
    if !is_zip(bytes) {
        return None;
    }
    let directory = directory::read(bytes).ok()?;
    let total = directory
        .members
        .iter()
        .filter(|m| !m.is_dir)
        .fold(0u64, |sum, m| sum.saturating_add(m.size));
    Some(total.min(limits.archive_budget(bytes.len() as u64)))
}

/// The memory of decompressed members held by all threads.
static GATE: Gate = Gate::new(MEMORY_IN_FLIGHT);

/// Whether `bytes` start like a zip archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Whether `bytes` start like gzip-compressed data.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b, 0x08])
}

/// Whether `bytes` are an archive [`unpack`] opens.
pub fn is_archive(bytes: &[u8]) -> bool {
    is_zip(bytes) || is_gzip(bytes)
}

/// Hands each readable member of the archive at `path` (shown as `display`) to
/// `visit`, one at a time, within `limits` ([`Limits::default`] for the documented
/// ones); returns the diagnostics. `explicit`: the archive was named on the command
/// line (a gzip file of an unrecognised format is then worth a diagnostic).
pub fn unpack(
    limits: &Limits,
    path: &Path,
    display: &str,
    bytes: &[u8],
    explicit: bool,
    visit: &mut dyn FnMut(InputFile),
) -> Vec<Diagnostic> {
    let budget = limits.archive_budget(bytes.len() as u64);
    let mut unpacker = Unpacker {
        limits,
        budget,
        budget_total: budget,
        diagnostics: Vec::new(),
        visit,
    };
    let at = Place {
        path: path.to_path_buf(),
        display: display.to_string(),
    };
    unpacker.archive(&at, bytes, 1, explicit);
    unpacker.diagnostics
}

/// Where a file is: its path (for host grouping and format hints) and how reports show it.
#[derive(Debug, Clone)]
struct Place {
    path: PathBuf,
    display: String,
}

impl Place {
    /// The member of the archive here whose name has the (safe) `parts`, joined as the
    /// archive's path was typed ([`crate::platform::join_as_typed`]).
    fn member(&self, parts: &[&str]) -> Place {
        let path = parts.iter().fold(self.path.clone(), |path, part| {
            crate::platform::join_as_typed(&path, OsStr::new(part))
        });
        let separator = crate::platform::separator_for(self.display.as_bytes(), cfg!(windows));
        let mut display = self.display.clone();
        for part in parts {
            display.push(separator);
            display.push_str(part);
        }
        Place { path, display }
    }

    fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// What a member holds, from its first bytes.
enum Content {
    Archive,
    Source(SourceKind),
    Unknown,
}

/// A member about to be read: its place, its decompressing reader and what its
/// container says about it.
struct Pending<'r> {
    at: Place,
    reader: &'r mut dyn std::io::Read,
    /// Declared size (zip) or `None` (gzip).
    declared: Option<u64>,
    /// Compressed size.
    compressed: u64,
    /// Expected CRC-32 (zip).
    crc32: Option<u32>,
}

struct Unpacker<'l, 'v> {
    limits: &'l Limits,
    /// Bytes the archive named on the command line may still decompress.
    budget: u64,
    /// Its whole budget.
    budget_total: u64,
    diagnostics: Vec<Diagnostic>,
    visit: &'v mut dyn FnMut(InputFile),
}

impl Unpacker<'_, '_> {
    fn skip(&mut self, at: &Place, why: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(&at.display, why));
    }

    /// Opens the archive `bytes` at nesting `depth`.
    fn archive(&mut self, at: &Place, bytes: &[u8], depth: u32, explicit: bool) {
        if is_zip(bytes) {
            self.zip(at, bytes, depth);
        } else {
            self.gzip(at, bytes, depth, explicit);
        }
    }

    fn zip(&mut self, at: &Place, bytes: &[u8], depth: u32) {
        let directory = match directory::read(bytes) {
            Ok(directory) => directory,
            Err(why) => {
                self.diagnostics.push(Diagnostic::error(
                    &at.display,
                    format!("not a readable zip archive: {why}"),
                ));
                return;
            }
        };
        for problem in directory.problems {
            self.skip(at, problem);
        }
        let members = directory.members;
        let ranges: Vec<Result<std::ops::Range<usize>, String>> =
            members.iter().map(|m| directory::data_range(bytes, m)).collect();
        let spans: Vec<Option<std::ops::Range<usize>>> = members
            .iter()
            .zip(&ranges)
            .map(|(m, r)| r.as_ref().ok().map(|r| directory::span(m, r)))
            .collect();
        let overlaps = directory::overlaps(&spans);
        let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        for ((member, range), overlap) in members.iter().zip(ranges).zip(overlaps) {
            if member.is_dir {
                continue;
            }
            let copy = {
                let n = seen.entry(member.name.as_str()).or_insert(0);
                *n += 1;
                *n
            };
            let Some(parts) = crate::platform::archive_entry_parts(&member.name) else {
                self.skip(at, format!("member '{}' skipped: unsafe path", member.name));
                continue;
            };
            let mut place = at.member(&parts);
            if copy > 1 {
                place.display.push_str(&format!("~{copy}"));
                self.skip(
                    &place,
                    format!(
                        "the archive lists '{}' {copy} times; this copy is analysed as {}",
                        member.name, place.display
                    ),
                );
            }
            if let Some(owner) = overlap.and_then(|i| members.get(i)) {
                self.skip(
                    &place,
                    format!(
                        "skipped: its data overlaps member '{}' (a zip-bomb construction)",
                        owner.name
                    ),
                );
                continue;
            }
            match range {
                Ok(range) => self.zip_member(&place, member, bytes.get(range).unwrap_or_default(), depth),
                Err(why) => self.skip(&place, format!("skipped: {why}")),
            }
        }
    }

    fn zip_member(&mut self, at: &Place, member: &Member, raw: &[u8], depth: u32) {
        if member.is_symlink {
            return self.skip(at, "skipped: a symbolic link");
        }
        if member.encrypted {
            return self.skip(at, "skipped: encrypted");
        }
        let mut stored = raw;
        let mut deflated;
        let reader: &mut dyn std::io::Read = match member.method {
            STORED => &mut stored,
            DEFLATED => {
                deflated = DeflateDecoder::new(raw);
                &mut deflated
            }
            other => {
                return self.skip(
                    at,
                    format!("skipped: compression method {other} (only stored and deflate are read)"),
                )
            }
        };
        self.member(
            Pending {
                at: at.clone(),
                reader,
                declared: Some(member.size),
                compressed: member.compressed,
                crc32: Some(member.crc32),
            },
            depth,
            false,
        );
    }

    fn gzip(&mut self, at: &Place, bytes: &[u8], depth: u32, explicit: bool) {
        let name = at.file_name();
        let inner = match name.len().checked_sub(3) {
            Some(cut) if name.get(cut..).is_some_and(|ext| ext.eq_ignore_ascii_case(".gz")) => {
                name.get(..cut).unwrap_or_default().to_string()
            }
            _ => name,
        };
        let place = Place {
            path: at.path.with_file_name(&inner),
            display: at.display.clone(),
        };
        let mut reader = MultiGzDecoder::new(bytes);
        self.member(
            Pending {
                at: place,
                reader: &mut reader,
                declared: None,
                compressed: bytes.len() as u64,
                crc32: None,
            },
            depth,
            explicit,
        );
    }

    /// Reads one member within the limits and hands it on (or opens it as an archive).
    fn member(&mut self, pending: Pending<'_>, depth: u32, explicit: bool) {
        let Pending {
            at,
            reader,
            declared,
            compressed,
            crc32,
        } = pending;
        let head = match inflate::head(reader) {
            Ok(head) => head,
            Err(err) => return self.skip(&at, format!("skipped: cannot decompress: {err}")),
        };
        let (cap, what) = match classify(&at.file_name(), &head) {
            Content::Archive => (self.limits.nested_archive, "an archive inside an archive"),
            Content::Source(SourceKind::Evtx | SourceKind::Evt) => (self.limits.event_log_member, "an event log"),
            Content::Source(_) => (self.limits.text_member, "a text log or export"),
            Content::Unknown if explicit => {
                return self.skip(&at, "format not recognised after decompression; file skipped")
            }
            Content::Unknown => return,
        };
        let bomb_limit = compressed
            .saturating_mul(self.limits.max_ratio)
            .max(self.limits.ratio_floor);
        if let Some(size) = declared {
            if let Some(why) = self.refusal(size, &bytes_label(size), cap, what, bomb_limit, compressed) {
                return self.skip(&at, why);
            }
        }
        let limit = declared.unwrap_or(u64::MAX).min(cap).min(bomb_limit).min(self.budget);
        let _held = GATE.hold(declared.unwrap_or(limit));
        let data = match inflate::rest(reader, head, limit, declared.unwrap_or(0)) {
            Ok(data) => data,
            Err(Unread::Damaged(err)) => return self.skip(&at, format!("skipped: cannot decompress: {err}")),
            Err(Unread::TooLarge) => {
                let why = match declared {
                    Some(size) => format!("skipped: decompresses to more than its declared {size} bytes"),
                    None => self
                        .refusal(
                            limit.saturating_add(1),
                            &format!("more than {}", bytes_label(limit)),
                            cap,
                            what,
                            bomb_limit,
                            compressed,
                        )
                        .unwrap_or_else(|| format!("skipped: decompresses to more than {limit} bytes")),
                };
                return self.skip(&at, why);
            }
        };
        self.budget = self.budget.saturating_sub(data.len() as u64);
        if let Some(size) = declared.filter(|&s| s != data.len() as u64) {
            self.skip(
                &at,
                format!(
                    "damaged: {} bytes where {size} were declared; analysed as read",
                    data.len()
                ),
            );
        } else if crc32.is_some_and(|c| c != crc32_of(&data)) {
            self.skip(
                &at,
                "damaged: the CRC-32 of the data does not match the archive's; analysed as read",
            );
        }
        if is_archive(&data) {
            if depth >= self.limits.max_depth {
                return self.skip(
                    &at,
                    format!(
                        "skipped: an archive nested more than {} levels deep",
                        self.limits.max_depth
                    ),
                );
            }
            return self.archive(&at, &data, depth + 1, false);
        }
        (self.visit)(InputFile::from_bytes_shown_as(at.path, at.display, data));
    }

    /// Why a member of `size` bytes (shown as `shown`) is not read, if it is not.
    fn refusal(
        &self,
        size: u64,
        shown: &str,
        cap: u64,
        what: &str,
        bomb_limit: u64,
        compressed: u64,
    ) -> Option<String> {
        if size > cap {
            return Some(format!(
                "skipped: {what} of {shown} inside an archive is suspicious (limit {}); extract it and analyse the file directly",
                bytes_label(cap)
            ));
        }
        if size > bomb_limit {
            return Some(format!(
                "skipped: {shown} from {} compressed is a compression ratio above {}:1 (a zip bomb)",
                bytes_label(compressed),
                self.limits.max_ratio
            ));
        }
        if size > self.budget {
            return Some(format!(
                "skipped: the archive's budget of {} of decompressed data is used up ({} times its size, at least {}, at most {})",
                bytes_label(self.budget_total),
                self.limits.max_ratio,
                bytes_label(self.limits.archive_floor),
                bytes_label(self.limits.per_archive)
            ));
        }
        None
    }
}

/// What the first bytes of a member named `name` show it to be.
fn classify(name: &str, head: &[u8]) -> Content {
    if is_archive(head) {
        return Content::Archive;
    }
    match sniff(name, head) {
        Some(kind) => Content::Source(kind),
        None => Content::Unknown,
    }
}

fn crc32_of(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// `256 MiB`, `1.5 GiB`, `911.4 KiB`, `812 bytes`.
fn bytes_label(n: u64) -> String {
    let (unit, name) = match n {
        n if n >= GIB => (GIB, "GiB"),
        n if n >= MIB => (MIB, "MiB"),
        n if n >= 1024 => (1024, "KiB"),
        n => return format!("{n} bytes"),
    };
    if n % unit == 0 {
        format!("{} {name}", n / unit)
    } else {
        format!("{:.1} {name}", n as f64 / unit as f64)
    }
}

#[cfg(test)]
mod tests;
