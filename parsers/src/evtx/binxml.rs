//! Fast path: reads the fields of a record straight from its BinXML, without rendering.
//!
//! Almost every EVTX record is a fragment holding one template instance: a reference to
//! a template definition (stored once per chunk) and an array of typed substitution
//! values. A template's layout does not change, so it is read once per chunk into a
//! [`Plan`] that says which substitution (or literal text) holds the provider, the event
//! id, the time, each `EventData/Data` item and so on; a record is then decoded by
//! reading only the values the plan points at. `EventData`/`UserData` usually arrive
//! as a BinXML value that is itself a template instance: it gets a plan of its own.
//!
//! Anything unusual (no template, entity references in a template, value types whose
//! text form is not reproduced here, arrays) makes the decoder answer `None`; the caller
//! then renders that record with the `evtx` crate instead. Tests check that both paths
//! give identical events on the whole corpus.

use std::fmt::Write as _;
use std::rc::Rc;

use chrono::{DateTime, Utc};

use crate::event::EventField;
use crate::text::decode_utf16le_lossy;

/// Where a value comes from: literal text of the template or substitution `n`.
#[derive(Debug, Clone)]
enum Src {
    Lit(String),
    Sub(u16),
}

/// An `EventData`/`UserData` item of a template, or a nested BinXML substitution.
#[derive(Debug)]
enum Item {
    Data {
        name: Option<Src>,
        text: Vec<Src>,
    },
    /// An element whose content is an array substitution: one item per array element.
    ArrayData {
        name: Option<Src>,
        sub: u16,
    },
    Nested {
        sub: u16,
        ctx: Ctx,
    },
}

/// Where in the `<Event>` a template (or nested fragment) is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ctx {
    Root,
    Event,
    EventData,
    UserData,
}

impl Ctx {
    fn base(self) -> &'static [&'static str] {
        match self {
            Ctx::Root => &[],
            Ctx::Event => &["Event"],
            Ctx::EventData => &["Event", "EventData"],
            Ctx::UserData => &["Event", "UserData"],
        }
    }

    fn of(path: &[String]) -> Option<Ctx> {
        match path {
            [] => Some(Ctx::Root),
            [e] if e == "Event" => Some(Ctx::Event),
            [e, d] if e == "Event" && d == "EventData" => Some(Ctx::EventData),
            [e, d] if e == "Event" && d == "UserData" => Some(Ctx::UserData),
            _ => None,
        }
    }
}

/// What a template definition provides, by field.
#[derive(Debug, Default)]
struct Plan {
    provider: Option<Src>,
    event_id: Option<Src>,
    qualifiers: Option<Src>,
    level: Option<Src>,
    time: Option<Src>,
    record_id: Option<Src>,
    channel: Option<Src>,
    computer: Option<Src>,
    user: Option<Src>,
    items: Vec<Item>,
}

/// One substitution value: BinXML type, bytes and absolute offset in the chunk.
#[derive(Debug, Clone, Copy)]
struct Value<'a> {
    ty: u8,
    bytes: &'a [u8],
    offset: usize,
}

/// The numeric System fields of a record and the plan of its template; the text fields
/// are read on demand with [`ChunkDecoder::text`] (no allocation for filtered-out records).
pub(crate) struct Header {
    pub event_id: u16,
    pub qualifiers: Option<u16>,
    pub level: u8,
    /// TimeCreated as FILETIME (converted only when needed: [`Header::time`]).
    pub filetime: u64,
    /// `System/EventRecordID` as the record renders it (`None` when the template has none
    /// or it is empty). Normally the record header's id; in a log of forwarded events it
    /// is the id in the source log, which is what Event Viewer and wevtutil show.
    pub event_record_id: Option<u64>,
    plan: Rc<Plan>,
}

impl Header {
    /// TimeCreated in UTC.
    pub(crate) fn time(&self) -> DateTime<Utc> {
        filetime_to_utc(self.filetime).unwrap_or_default()
    }
}

/// A text field of the System element.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field {
    Provider,
    Channel,
    Computer,
    UserSid,
}

/// A plan by (template definition offset, placement); `None` = the template is not handled.
type CachedPlan = ((u32, Ctx), Option<Rc<Plan>>);

/// Per-chunk decoder with its cache of template plans. The values of the record last
/// decoded by [`ChunkDecoder::system`] stay in it until the next call.
pub(crate) struct ChunkDecoder<'a> {
    chunk: &'a [u8],
    plans: Vec<CachedPlan>,
    values: Vec<Value<'a>>,
}

fn u16_at(d: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(o..o.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(d: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(o..o.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(d: &[u8], o: usize) -> Option<u64> {
    Some(u64::from_le_bytes(d.get(o..o.checked_add(8)?)?.try_into().ok()?))
}

/// UTC to FILETIME (100 ns since 1601); times before 1601 become 0.
pub(crate) fn utc_to_filetime(time: DateTime<Utc>) -> u64 {
    let secs = time.timestamp() + 11_644_473_600;
    u64::try_from(secs).map_or(0, |s| s * 10_000_000 + u64::from(time.timestamp_subsec_nanos() / 100))
}

/// FILETIME (100 ns since 1601) to UTC.
pub(crate) fn filetime_to_utc(ft: u64) -> Option<DateTime<Utc>> {
    let secs = (ft / 10_000_000) as i64 - 11_644_473_600;
    let nanos = ((ft % 10_000_000) * 100) as u32;
    DateTime::from_timestamp(secs, nanos)
}

impl<'a> ChunkDecoder<'a> {
    /// A decoder over one chunk's bytes (header included: offsets are chunk-relative).
    pub(crate) fn new(chunk: &'a [u8]) -> Self {
        ChunkDecoder {
            chunk,
            plans: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Decodes the numeric System fields of the record whose BinXML is `chunk[start..end]`.
    pub(crate) fn system(&mut self, start: usize, end: usize) -> Option<Header> {
        let d = self.chunk;
        let inst = match d.get(start..end)? {
            [0x0F, _, _, _, 0x0C, ..] => start + 4,
            [0x0C, ..] => start,
            _ => return None,
        };
        let mut values = std::mem::take(&mut self.values);
        let found = self.instance(inst, end, &mut values);
        self.values = values;
        let (def, after) = found?;
        if after < end && d[after] != 0x00 {
            return None;
        }
        let plan = self.plan(def, Ctx::Root)?;
        let values = &self.values;
        plan.provider.as_ref()?;
        let event_id = (int_of(plan.event_id.as_ref()?, values)? & 0xFFFF) as u16;
        let qualifiers = match &plan.qualifiers {
            Some(src) => opt_int_of(src, values)?.map(|q| (q & 0xFFFF) as u16),
            None => None,
        };
        let level = match &plan.level {
            Some(src) => opt_int_of(src, values)?.unwrap_or(0).min(255) as u8,
            None => 0,
        };
        let event_record_id = match &plan.record_id {
            Some(src) => opt_int_of(src, values)?,
            None => None,
        };
        let filetime = match plan.time.as_ref()? {
            Src::Sub(i) => {
                let v = values.get(usize::from(*i))?;
                if v.ty != 0x11 || v.bytes.len() != 8 {
                    return None;
                }
                let ft = u64_at(v.bytes, 0)?;
                filetime_to_utc(ft)?;
                ft
            }
            Src::Lit(_) => return None,
        };
        Some(Header {
            event_id,
            qualifiers,
            level,
            filetime,
            event_record_id,
            plan,
        })
    }

    /// Writes a System text field of the record last decoded into `out` (cleared first);
    /// a field the template does not have is empty. `None` = needs the slow path.
    pub(crate) fn text(&self, header: &Header, field: Field, out: &mut String) -> Option<()> {
        out.clear();
        let src = match field {
            Field::Provider => &header.plan.provider,
            Field::Channel => &header.plan.channel,
            Field::Computer => &header.plan.computer,
            Field::UserSid => &header.plan.user,
        };
        match src {
            Some(src) => push_text(src, &self.values, out),
            None => Some(()),
        }
    }

    /// The EventData/UserData items of the record last decoded; `None` = needs the slow path.
    pub(crate) fn items(&mut self, header: &Header) -> Option<Vec<EventField>> {
        let mut out = Vec::new();
        let values = std::mem::take(&mut self.values);
        let found = self.collect_items(&header.plan, &values, 0, &mut out);
        self.values = values;
        found.map(|()| out)
    }

    fn collect_items(&mut self, plan: &Plan, values: &[Value<'a>], depth: u8, out: &mut Vec<EventField>) -> Option<()> {
        for item in &plan.items {
            match item {
                Item::Data { name, text } => {
                    let name = match name {
                        Some(src) => Some(text_of(src, values)?),
                        None => None,
                    };
                    let mut value = String::new();
                    for piece in text {
                        push_text(piece, values, &mut value)?;
                    }
                    out.push(EventField { name, value });
                }
                Item::ArrayData { name, sub } => {
                    let name = match name {
                        Some(src) => Some(text_of(src, values)?),
                        None => None,
                    };
                    let v = values.get(usize::from(*sub))?;
                    match v.ty {
                        0x00 => {}
                        0x81 => {
                            for value in string_array(v.bytes)? {
                                out.push(EventField {
                                    name: name.clone(),
                                    value,
                                });
                            }
                        }
                        ty if ty & 0x80 == 0 => out.push(EventField {
                            name,
                            value: text_of(&Src::Sub(*sub), values)?,
                        }),
                        _ => return None,
                    }
                }
                Item::Nested { sub, ctx } => {
                    let v = values.get(usize::from(*sub))?;
                    match v.ty {
                        0x00 => continue,
                        0x21 if depth < 4 => {}
                        _ => return None,
                    }
                    if v.bytes.is_empty() {
                        continue;
                    }
                    let inst = match v.bytes {
                        [0x0F, _, _, _, 0x0C, ..] => v.offset + 4,
                        [0x0C, ..] => v.offset,
                        _ => return None,
                    };
                    let mut nested = Vec::new();
                    let (def, _) = self.instance(inst, v.offset + v.bytes.len(), &mut nested)?;
                    let plan = self.plan(def, *ctx)?;
                    self.collect_items(&plan, &nested, depth + 1, out)?;
                }
            }
        }
        Some(())
    }

    /// Reads a template instance token at `pos` into `values`: definition offset, end offset.
    fn instance(&self, pos: usize, end: usize, values: &mut Vec<Value<'a>>) -> Option<(u32, usize)> {
        let d = self.chunk;
        if *d.get(pos)? != 0x0C {
            return None;
        }
        let def = u32_at(d, pos + 6)?;
        let mut p = pos + 10;
        if def as usize == p {
            let size = u32_at(d, p + 20)? as usize;
            p = p.checked_add(24)?.checked_add(size)?;
        }
        let count = u32_at(d, p)? as usize;
        p += 4;
        if count > end.saturating_sub(p) / 4 {
            return None;
        }
        let descriptors = d.get(p..p + count * 4)?;
        p += count * 4;
        values.clear();
        for desc in descriptors.chunks_exact(4) {
            let size = usize::from(u16::from_le_bytes([desc[0], desc[1]]));
            let bytes = d.get(p..p.checked_add(size)?)?;
            values.push(Value {
                ty: desc[2],
                bytes,
                offset: p,
            });
            p += size;
        }
        if p > end {
            return None;
        }
        Some((def, p))
    }

    fn plan(&mut self, def: u32, ctx: Ctx) -> Option<Rc<Plan>> {
        // A chunk uses a handful of templates: a linear scan beats hashing.
        if let Some((_, cached)) = self.plans.iter().find(|(key, _)| *key == (def, ctx)) {
            return cached.clone();
        }
        let plan = build_plan(self.chunk, def as usize, ctx).map(Rc::new);
        self.plans.push(((def, ctx), plan.clone()));
        plan
    }
}

/// An element of a template definition while it is walked.
struct Elem {
    name: String,
    text: Vec<Src>,
    /// Its content holds a substitution declared as an array.
    array: bool,
    attrs: Vec<(String, Vec<Src>)>,
    has_child: bool,
}

/// Reads the name structure at chunk offset `at`: (name, size of the structure).
fn read_name(d: &[u8], at: usize) -> Option<(String, usize)> {
    let chars = usize::from(u16_at(d, at + 6)?);
    let bytes = d.get(at + 8..at + 8 + chars * 2)?;
    Some((decode_utf16le_lossy(bytes), 8 + chars * 2 + 2))
}

/// Walks the template definition at `def` and records where each field comes from.
fn build_plan(d: &[u8], def: usize, ctx: Ctx) -> Option<Plan> {
    let size = u32_at(d, def + 20)? as usize;
    let mut p = def + 24;
    let end = p.checked_add(size)?.min(d.len());
    let base: Vec<String> = ctx.base().iter().map(|s| s.to_string()).collect();
    let mut stack: Vec<Elem> = Vec::new();
    let mut attr: Option<(String, Vec<Src>)> = None;
    let mut plan = Plan::default();
    while p < end {
        let token = d[p];
        p += 1;
        match token {
            0x00 => break,
            0x0F => p += 3,
            0x01 | 0x41 => {
                let name_at = u32_at(d, p + 6)? as usize;
                p += 10;
                let (name, len) = read_name(d, name_at)?;
                if name_at == p {
                    p += len;
                }
                if token & 0x40 != 0 {
                    p += 4;
                }
                if let Some(parent) = stack.last_mut() {
                    parent.has_child = true;
                }
                stack.push(Elem {
                    name,
                    text: Vec::new(),
                    array: false,
                    attrs: Vec::new(),
                    has_child: false,
                });
            }
            0x02 => finish_attr(&mut attr, &mut stack)?,
            0x03 | 0x04 => {
                finish_attr(&mut attr, &mut stack)?;
                let elem = stack.pop()?;
                let mut path: Vec<&str> = base.iter().map(String::as_str).collect();
                path.extend(stack.iter().map(|e| e.name.as_str()));
                close(&mut plan, &path, elem)?;
            }
            0x06 | 0x46 => {
                finish_attr(&mut attr, &mut stack)?;
                let name_at = u32_at(d, p)? as usize;
                p += 4;
                let (name, len) = read_name(d, name_at)?;
                if name_at == p {
                    p += len;
                }
                attr = Some((name, Vec::new()));
            }
            0x05 | 0x45 => {
                if *d.get(p)? != 0x01 {
                    return None;
                }
                let chars = usize::from(u16_at(d, p + 1)?);
                let text = decode_utf16le_lossy(d.get(p + 3..p + 3 + chars * 2)?);
                p += 3 + chars * 2;
                match &mut attr {
                    Some((_, pieces)) => pieces.push(Src::Lit(text)),
                    None => stack.last_mut()?.text.push(Src::Lit(text)),
                }
            }
            0x0D | 0x0E => {
                let id = u16_at(d, p)?;
                let ty = *d.get(p + 2)?;
                p += 3;
                match &mut attr {
                    Some((_, pieces)) => pieces.push(Src::Sub(id)),
                    None if ty == 0x21 => {
                        let mut path: Vec<String> = base.clone();
                        path.extend(stack.iter().map(|e| e.name.clone()));
                        let ctx = Ctx::of(&path)?;
                        if let Some(top) = stack.last_mut() {
                            top.has_child = true;
                        }
                        plan.items.push(Item::Nested { sub: id, ctx });
                    }
                    None => {
                        let top = stack.last_mut()?;
                        top.array |= ty & 0x80 != 0;
                        top.text.push(Src::Sub(id));
                    }
                }
            }
            _ => return None,
        }
    }
    Some(plan)
}

fn finish_attr(attr: &mut Option<(String, Vec<Src>)>, stack: &mut [Elem]) -> Option<()> {
    if let Some(a) = attr.take() {
        stack.last_mut()?.attrs.push(a);
    }
    Some(())
}

/// Takes one piece of text (a field must not be split in several pieces).
fn single(pieces: Vec<Src>) -> Option<Src> {
    let mut it = pieces.into_iter();
    let first = it.next().unwrap_or(Src::Lit(String::new()));
    it.next().is_none().then_some(first)
}

fn attr(elem: &mut Elem, name: &str) -> Option<Vec<Src>> {
    let at = elem.attrs.iter().position(|(n, _)| n == name)?;
    Some(elem.attrs.swap_remove(at).1)
}

/// An item for an element's content: an array substitution repeats the element.
fn data_item(name: Option<Src>, text: Vec<Src>, array: bool) -> Option<Item> {
    if !array {
        return Some(Item::Data { name, text });
    }
    match single(text)? {
        Src::Sub(sub) => Some(Item::ArrayData { name, sub }),
        Src::Lit(_) => None,
    }
}

/// Records what a closed element provides; `path` = its ancestors.
fn close(plan: &mut Plan, path: &[&str], mut elem: Elem) -> Option<()> {
    if elem.array && !matches!(path, ["Event", "EventData"] | ["Event", "UserData", _, ..]) {
        return None;
    }
    match (path, elem.name.as_str()) {
        (["Event", "System"], "Provider") => {
            if let Some(name) = attr(&mut elem, "Name") {
                plan.provider = Some(single(name)?);
            }
        }
        (["Event", "System"], "EventID") => {
            if let Some(q) = attr(&mut elem, "Qualifiers") {
                plan.qualifiers = Some(single(q)?);
            }
            plan.event_id = Some(single(elem.text)?);
        }
        (["Event", "System"], "Level") => plan.level = Some(single(elem.text)?),
        (["Event", "System"], "TimeCreated") => {
            if let Some(t) = attr(&mut elem, "SystemTime") {
                plan.time = Some(single(t)?);
            }
        }
        (["Event", "System"], "EventRecordID") => plan.record_id = Some(single(elem.text)?),
        (["Event", "System"], "Channel") => plan.channel = Some(single(elem.text)?),
        (["Event", "System"], "Computer") => plan.computer = Some(single(elem.text)?),
        (["Event", "System"], "Security") => {
            if let Some(u) = attr(&mut elem, "UserID") {
                plan.user = Some(single(u)?);
            }
        }
        (["Event", "EventData"], "Data") => {
            let name = match attr(&mut elem, "Name") {
                Some(n) => Some(single(n)?),
                None => None,
            };
            plan.items.push(data_item(name, elem.text, elem.array)?);
        }
        (["Event", "UserData", _, ..], _) if !elem.has_child => {
            plan.items
                .push(data_item(Some(Src::Lit(elem.name)), elem.text, elem.array)?)
        }
        _ => {}
    }
    Some(())
}

/// The strings of a UTF-16 string array (NUL-terminated items).
fn string_array(bytes: &[u8]) -> Option<Vec<String>> {
    if bytes.len() % 2 != 0 {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let mut parts: Vec<&[u16]> = units.split(|u| *u == 0).collect();
    if parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts.into_iter().map(|p| String::from_utf16(p).ok()).collect()
}

fn text_of(src: &Src, values: &[Value<'_>]) -> Option<String> {
    let mut out = String::new();
    push_text(src, values, &mut out)?;
    Some(out)
}

fn int_of(src: &Src, values: &[Value<'_>]) -> Option<u64> {
    opt_int_of(src, values)?
}

/// An integer field: `Some(None)` when the substitution is empty (NULL).
fn opt_int_of(src: &Src, values: &[Value<'_>]) -> Option<Option<u64>> {
    match src {
        Src::Lit(text) => Some(Some(text.trim().parse().ok()?)),
        Src::Sub(i) => {
            let v = values.get(usize::from(*i))?;
            let b = v.bytes;
            Some(Some(match (v.ty, b.len()) {
                (0x00, _) => return Some(None),
                (0x04, 1) => u64::from(b[0]),
                (0x06, 2) => u64::from(u16_at(b, 0)?),
                (0x08, 4) => u64::from(u32_at(b, 0)?),
                (0x0A, 8) => u64_at(b, 0)?,
                _ => return None,
            }))
        }
    }
}

/// Appends the text form of `src` as the `evtx` crate renders it; `None` for value types
/// not reproduced here.
fn push_text(src: &Src, values: &[Value<'_>], out: &mut String) -> Option<()> {
    let v = match src {
        Src::Lit(text) => {
            out.push_str(text);
            return Some(());
        }
        Src::Sub(i) => values.get(usize::from(*i))?,
    };
    let b = v.bytes;
    match (v.ty, b.len()) {
        (0x00, _) => {}
        (0x01, n) if n % 2 == 0 => {
            let mut end = n;
            while end >= 2 && b[end - 2] == 0 && b[end - 1] == 0 {
                end -= 2;
            }
            let text = &b[..end];
            if text.chunks_exact(2).all(|c| c[1] == 0 && c[0] != 0 && c[0] < 0x80) {
                // ASCII, the common case: no UTF-16 decoding needed.
                out.reserve(text.len() / 2);
                out.extend(text.chunks_exact(2).map(|c| char::from(c[0])));
                return Some(());
            }
            if text.chunks_exact(2).any(|c| c == [0, 0]) {
                return None;
            }
            let units = text.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
            for ch in char::decode_utf16(units) {
                out.push(ch.ok()?);
            }
        }
        (0x03, 1) => write!(out, "{}", b[0] as i8).ok()?,
        (0x04, 1) => write!(out, "{}", b[0]).ok()?,
        (0x05, 2) => write!(out, "{}", u16_at(b, 0)? as i16).ok()?,
        (0x06, 2) => write!(out, "{}", u16_at(b, 0)?).ok()?,
        (0x07, 4) => write!(out, "{}", u32_at(b, 0)? as i32).ok()?,
        (0x08, 4) => write!(out, "{}", u32_at(b, 0)?).ok()?,
        (0x09, 8) => write!(out, "{}", u64_at(b, 0)? as i64).ok()?,
        (0x0A, 8) => write!(out, "{}", u64_at(b, 0)?).ok()?,
        (0x0E, _) => {
            for byte in b {
                write!(out, "{byte:02X}").ok()?;
            }
        }
        (0x0F, 16) => {
            let g = |i: usize| b[i];
            write!(
                out,
                "{{{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}}}",
                g(3), g(2), g(1), g(0), g(5), g(4), g(7), g(6),
                g(8), g(9), g(10), g(11), g(12), g(13), g(14), g(15)
            )
            .ok()?;
        }
        (0x11, 8) => {
            let ft = u64_at(b, 0)?;
            let time = filetime_to_utc(ft)?;
            write!(out, "{}.{:07}Z", time.format("%Y-%m-%dT%H:%M:%S"), ft % 10_000_000).ok()?;
        }
        (0x13, n) if n >= 8 => {
            let subs = usize::from(b[1]);
            if n != 8 + subs * 4 {
                return None;
            }
            let authority = u64::from_be_bytes([0, 0, b[2], b[3], b[4], b[5], b[6], b[7]]);
            write!(out, "S-{}-{}", b[0], authority).ok()?;
            for sub in b[8..].chunks_exact(4) {
                write!(out, "-{}", u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]])).ok()?;
            }
        }
        (0x14, 4) => write!(out, "0x{:x}", u32_at(b, 0)?).ok()?,
        (0x15, 8) => write!(out, "0x{:x}", u64_at(b, 0)?).ok()?,
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(ty: u8, bytes: &[u8]) -> Option<String> {
        let values = [Value { ty, bytes, offset: 0 }];
        text_of(&Src::Sub(0), &values)
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn values_render_like_the_evtx_crate() {
        assert_eq!(text(0x01, &utf16("MSExchangeIS\0")).as_deref(), Some("MSExchangeIS"));
        assert_eq!(text(0x01, &utf16("Größe\0")).as_deref(), Some("Größe"));
        assert_eq!(text(0x01, &utf16("a\0b")), None, "embedded NUL goes to the slow path");
        assert_eq!(text(0x08, &60000u32.to_le_bytes()).as_deref(), Some("60000"));
        assert_eq!(text(0x07, &(-2i32).to_le_bytes()).as_deref(), Some("-2"));
        assert_eq!(text(0x14, &0x3e7u32.to_le_bytes()).as_deref(), Some("0x3e7"));
        assert_eq!(
            text(0x15, &0x8080_0000_0000_0000u64.to_le_bytes()).as_deref(),
            Some("0x8080000000000000")
        );
        assert_eq!(text(0x0E, &[0xD8, 0x07, 0x03]).as_deref(), Some("D80703"));
        let guid = [
            0xd1, 0x08, 0x59, 0x55, 0xd7, 0xa6, 0x95, 0x46, 0x8e, 0x1e, 0x26, 0x93, 0x1d, 0x20, 0x12, 0xf4,
        ];
        assert_eq!(
            text(0x0F, &guid).as_deref(),
            Some("{555908d1-a6d7-4695-8e1e-26931d2012f4}")
        );
        let system_sid = [1u8, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
        assert_eq!(text(0x13, &system_sid).as_deref(), Some("S-1-5-18"));
        // 2008-03-15T01:22:05.1234567Z
        let ft = utc_to_filetime(DateTime::from_timestamp(1_205_544_125, 123_456_700).expect("valid time"));
        assert_eq!(
            text(0x11, &ft.to_le_bytes()).as_deref(),
            Some("2008-03-15T01:22:05.1234567Z")
        );
        assert_eq!(filetime_to_utc(ft).map(|t| t.timestamp()), Some(1_205_544_125));
        assert_eq!(text(0x0B, &[0, 0, 0, 0]), None, "floats go to the slow path");
    }

    #[test]
    fn string_arrays_split_on_nul() {
        assert_eq!(
            string_array(&utf16("one\0\0three\0")),
            Some(vec!["one".to_string(), String::new(), "three".to_string()])
        );
        assert_eq!(string_array(&[]), Some(Vec::new()));
        assert_eq!(string_array(&[0x41]), None);
    }
}
