//! BinXML encoding of one event, the way Windows writes it: a fragment header and a
//! template instance. The template definition (the XML skeleton with substitution
//! slots) is stored inline the first time a chunk uses it and referenced by offset
//! after that; element and attribute names go to the chunk string table the same way.
//! Typed values (EventID UInt16, Level UInt8, SystemTime FileTime, EventRecordID
//! UInt64, UserID Sid, Keywords HexInt64) travel as substitution values.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use exdoctor_parsers::event::{Event, Level};

use super::EvtxWriteError;

/// The namespace of every `<Event>` element.
const EVENT_NS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";
/// `Keywords` of classic (ReportEvent) events: `EventLogClassic`.
const KEYWORDS_CLASSIC: u64 = 0x0080_0000_0000_0000;
/// Keywords Windows sets on audit events.
const KEYWORDS_AUDIT_SUCCESS: u64 = 0x8020_0000_0000_0000;
const KEYWORDS_AUDIT_FAILURE: u64 = 0x8010_0000_0000_0000;
/// 100 ns intervals between 1601-01-01 and 1970-01-01.
const FILETIME_UNIX_EPOCH: i64 = 116_444_736_000_000_000;

/// Providers whose Windows Server 2008 events carry a provider GUID, and whether they
/// also carry `EventSourceName` (classic sources registered through a manifest).
const PROVIDER_GUIDS: &[(&str, &str, bool)] = &[
    ("Service Control Manager", "555908d1-a6d7-4695-8e1e-26931d2012f4", true),
    (
        "Microsoft-Windows-Kernel-General",
        "a68ca8b7-004f-d7b6-a698-07e2de0f1f5d",
        false,
    ),
    (
        "Microsoft-Windows-Time-Service",
        "06edcfeb-0fd0-4e53-acca-a6f8bbf81bcb",
        false,
    ),
];

/// BinXML value types (MS-EVEN6 2.2.3.1 / libevtx).
mod ty {
    pub(super) const STRING: u8 = 0x01;
    pub(super) const UINT8: u8 = 0x04;
    pub(super) const UINT16: u8 = 0x06;
    pub(super) const UINT64: u8 = 0x0a;
    pub(super) const GUID: u8 = 0x0f;
    pub(super) const FILETIME: u8 = 0x11;
    pub(super) const SID: u8 = 0x13;
    pub(super) const HEX_INT64: u8 = 0x15;
}

/// BinXML tokens.
mod tok {
    pub(super) const EOF: u8 = 0x00;
    pub(super) const OPEN_START: u8 = 0x01;
    pub(super) const CLOSE_START: u8 = 0x02;
    pub(super) const CLOSE_EMPTY: u8 = 0x03;
    pub(super) const END_ELEMENT: u8 = 0x04;
    pub(super) const VALUE: u8 = 0x05;
    pub(super) const ATTRIBUTE: u8 = 0x06;
    pub(super) const TEMPLATE_INSTANCE: u8 = 0x0c;
    pub(super) const SUBSTITUTION: u8 = 0x0d;
    pub(super) const FRAGMENT_HEADER: u8 = 0x0f;
    /// "More data" flag: an element with attributes, or an attribute followed by more.
    pub(super) const MORE: u8 = 0x40;
}

/// Names and templates already stored in one chunk, and the chunk's hash tables.
#[derive(Debug, Clone)]
pub(crate) struct ChunkState {
    names: HashMap<String, u32>,
    templates: HashMap<[u8; 16], u32>,
    /// Heads of the 64 string-table buckets (chunk header bytes 128..384).
    pub(crate) string_buckets: [u32; 64],
    /// Heads of the 32 template-table buckets (chunk header bytes 384..512).
    pub(crate) template_buckets: [u32; 32],
}

impl Default for ChunkState {
    fn default() -> Self {
        ChunkState {
            names: HashMap::new(),
            templates: HashMap::new(),
            string_buckets: [0; 64],
            template_buckets: [0; 32],
        }
    }
}

/// A substitution value.
enum Value {
    Str(String),
    U8(u8),
    U16(u16),
    U64(u64),
    HexU64(u64),
    FileTime(u64),
    Sid(Vec<u8>),
    Guid([u8; 16]),
}

impl Value {
    fn type_code(&self) -> u8 {
        match self {
            Value::Str(_) => ty::STRING,
            Value::U8(_) => ty::UINT8,
            Value::U16(_) => ty::UINT16,
            Value::U64(_) => ty::UINT64,
            Value::HexU64(_) => ty::HEX_INT64,
            Value::FileTime(_) => ty::FILETIME,
            Value::Sid(_) => ty::SID,
            Value::Guid(_) => ty::GUID,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        match self {
            Value::Str(s) => utf16(s),
            Value::U8(v) => vec![*v],
            Value::U16(v) => v.to_le_bytes().to_vec(),
            Value::U64(v) | Value::HexU64(v) | Value::FileTime(v) => v.to_le_bytes().to_vec(),
            Value::Sid(b) => b.clone(),
            Value::Guid(g) => g.to_vec(),
        }
    }
}

/// Attribute value in a template: constant text or a substitution slot.
enum Attr {
    Text(String),
    Subst(u16, u8),
}

/// Element content in a template.
enum Node {
    Elem(Elem),
    Subst(u16, u8),
}

struct Elem {
    name: &'static str,
    attrs: Vec<(&'static str, Attr)>,
    children: Vec<Node>,
}

impl Elem {
    fn new(name: &'static str) -> Self {
        Elem {
            name,
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }
    fn attr(mut self, name: &'static str, value: Attr) -> Self {
        self.attrs.push((name, value));
        self
    }
    fn child(mut self, node: Node) -> Self {
        self.children.push(node);
        self
    }
}

/// FNV-1a (128 bit) of a template's shape: the type code of every substitution slot and
/// the name (or position) of every EventData item, in order. Two events share a
/// template exactly when their shapes are equal.
#[derive(Clone, Copy)]
pub(crate) struct ShapeHash(u128);

impl Default for ShapeHash {
    fn default() -> Self {
        ShapeHash(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d)
    }
}

/// Receives the bytes of a template's shape (the hash itself, or a buffer of them).
trait ShapeSink {
    fn bytes(&mut self, bytes: &[u8]);

    /// A slot of type `code` (written as two lower-case hex digits and a comma).
    fn slot(&mut self, code: u8) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.bytes(&[HEX[usize::from(code >> 4)], HEX[usize::from(code & 0xf)], b',']);
    }

    /// An EventData item named `name` (`n<len>:<name>,`) or a positional one (`p,`).
    fn data_item(&mut self, name: Option<&str>) {
        match name {
            Some(name) => {
                self.bytes(b"n");
                // The length in decimal, without allocating.
                let mut digits = [0u8; 20];
                let mut at = digits.len();
                let mut n = name.len();
                loop {
                    at -= 1;
                    digits[at] = b'0' + (n % 10) as u8;
                    n /= 10;
                    if n == 0 {
                        break;
                    }
                }
                self.bytes(&digits[at..]);
                self.bytes(b":");
                self.bytes(name.as_bytes());
                self.bytes(b",");
            }
            None => self.bytes(b"p,"),
        }
    }
}

impl ShapeSink for ShapeHash {
    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u128::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013B);
        }
    }
}

impl ShapeSink for Vec<u8> {
    fn bytes(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl ShapeHash {
    /// The hash of shape bytes collected in a buffer.
    fn of(shape: &[u8]) -> Self {
        let mut hash = ShapeHash::default();
        hash.bytes(shape);
        hash
    }

    /// The template GUID of the shape.
    fn guid(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }
}

/// Collects substitution values while the template skeleton is built.
#[derive(Default)]
struct Values {
    values: Vec<Value>,
    shape: ShapeHash,
}

impl Values {
    fn slot(&mut self, value: Value) -> (u16, u8) {
        let index = self.values.len() as u16;
        let code = value.type_code();
        self.shape.slot(code);
        self.values.push(value);
        (index, code)
    }
    fn node(&mut self, value: Value) -> Node {
        let (i, t) = self.slot(value);
        Node::Subst(i, t)
    }
    fn attr(&mut self, value: Value) -> Attr {
        let (i, t) = self.slot(value);
        Attr::Subst(i, t)
    }
}

/// EVTX `Level` and `Keywords` for a normalized level.
fn level_and_keywords(level: Level) -> (u8, u64) {
    match level {
        Level::Critical => (1, KEYWORDS_CLASSIC),
        Level::Error => (2, KEYWORDS_CLASSIC),
        Level::Warning => (3, KEYWORDS_CLASSIC),
        Level::Information => (4, KEYWORDS_CLASSIC),
        Level::Verbose => (5, KEYWORDS_CLASSIC),
        Level::AuditSuccess => (0, KEYWORDS_AUDIT_SUCCESS),
        Level::AuditFailure => (0, KEYWORDS_AUDIT_FAILURE),
        Level::Other(n) => (n, KEYWORDS_CLASSIC),
    }
}

/// FILETIME (100 ns since 1601-01-01 UTC) of a UTC time.
pub(crate) fn filetime(time: &DateTime<Utc>) -> Option<u64> {
    let ticks = time.timestamp().checked_mul(10_000_000)? + i64::from(time.timestamp_subsec_nanos() / 100);
    u64::try_from(ticks.checked_add(FILETIME_UNIX_EPOCH)?).ok()
}

/// Binary SID from its string form `S-R-A-S1-S2...`.
fn sid_bytes(sid: &str) -> Option<Vec<u8>> {
    let mut parts = sid.strip_prefix("S-")?.split('-');
    let revision: u8 = parts.next()?.parse().ok()?;
    let authority: u64 = parts.next()?.parse().ok()?;
    if authority >= 1 << 48 {
        return None;
    }
    let subs: Vec<u32> = parts.map(|p| p.parse().ok()).collect::<Option<_>>()?;
    if subs.len() > 15 {
        return None;
    }
    let mut out = vec![revision, subs.len() as u8];
    out.extend_from_slice(&authority.to_be_bytes()[2..]);
    for sub in subs {
        out.extend_from_slice(&sub.to_le_bytes());
    }
    Some(out)
}

/// GUID bytes (mixed-endian, as Windows stores them) of `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
fn guid_bytes(text: &str) -> Option<[u8; 16]> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok();
    let mut raw = [0u8; 16];
    for (i, b) in raw.iter_mut().enumerate() {
        *b = byte(i)?;
    }
    let mut out = raw;
    out[0..4].copy_from_slice(&[raw[3], raw[2], raw[1], raw[0]]);
    out[4..6].copy_from_slice(&[raw[5], raw[4]]);
    out[6..8].copy_from_slice(&[raw[7], raw[6]]);
    Some(out)
}

/// The template skeleton and the substitution values of one event.
fn build(event: &Event) -> Result<(Elem, Values), EvtxWriteError> {
    let mut v = Values::default();
    let mut provider = Elem::new("Provider").attr("Name", v.attr(Value::Str(event.provider.clone())));
    if let Some((_, guid, source_name)) = PROVIDER_GUIDS.iter().find(|(name, _, _)| *name == event.provider) {
        let guid = guid_bytes(guid).ok_or(EvtxWriteError::Internal("bad provider GUID table entry"))?;
        provider = provider.attr("Guid", v.attr(Value::Guid(guid)));
        if *source_name {
            provider = provider.attr("EventSourceName", v.attr(Value::Str(event.provider.clone())));
        }
    }
    let mut event_id = Elem::new("EventID");
    if let Some(q) = event.qualifiers {
        event_id = event_id.attr("Qualifiers", v.attr(Value::U16(q)));
    }
    let event_id = event_id.child(v.node(Value::U16(event.event_id)));
    let (level, keywords) = level_and_keywords(event.level);
    let time = filetime(&event.time).ok_or(EvtxWriteError::TimeOutOfRange {
        record_id: event.record_id,
    })?;
    let mut security = Elem::new("Security");
    if let Some(sid) = &event.user_sid {
        let bytes = sid_bytes(sid).ok_or_else(|| EvtxWriteError::InvalidSid {
            record_id: event.record_id,
            sid: sid.clone(),
        })?;
        security = security.attr("UserID", v.attr(Value::Sid(bytes)));
    }
    let system = Elem::new("System")
        .child(Node::Elem(provider))
        .child(Node::Elem(event_id))
        .child(Node::Elem(Elem::new("Level").child(v.node(Value::U8(level)))))
        .child(Node::Elem(Elem::new("Task").child(v.node(Value::U16(0)))))
        .child(Node::Elem(Elem::new("Keywords").child(v.node(Value::HexU64(keywords)))))
        .child(Node::Elem(
            Elem::new("TimeCreated").attr("SystemTime", v.attr(Value::FileTime(time))),
        ))
        .child(Node::Elem(
            Elem::new("EventRecordID").child(v.node(Value::U64(event.record_id))),
        ))
        .child(Node::Elem(
            Elem::new("Channel").child(v.node(Value::Str(event.channel.clone()))),
        ))
        .child(Node::Elem(
            Elem::new("Computer").child(v.node(Value::Str(event.computer.clone()))),
        ))
        .child(Node::Elem(security));
    let mut data = Elem::new("EventData");
    for field in &event.data {
        let mut item = Elem::new("Data");
        if let Some(name) = &field.name {
            item = item.attr("Name", Attr::Text(name.clone()));
        }
        v.shape.data_item(field.name.as_deref());
        data = data.child(Node::Elem(item.child(v.node(Value::Str(field.value.clone())))));
    }
    let root = Elem::new("Event")
        .attr("xmlns", Attr::Text(EVENT_NS.to_owned()))
        .child(Node::Elem(system))
        .child(Node::Elem(data));
    Ok((root, v))
}

/// Hash of a name as stored in the chunk string table (low 16 bits of `h * 65599 + c`).
fn name_hash(name: &str) -> u16 {
    let hash = name
        .encode_utf16()
        .fold(0u32, |h, c| h.wrapping_mul(65599).wrapping_add(u32::from(c)));
    (hash & 0xFFFF) as u16
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Writes BinXML at a known absolute chunk offset (`base` + bytes written so far).
struct Encoder<'s> {
    buf: Vec<u8>,
    base: u32,
    state: &'s mut ChunkState,
}

impl Encoder<'_> {
    fn pos(&self) -> u32 {
        self.base + self.buf.len() as u32
    }

    fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn patch_u32(&mut self, at: usize, v: u32) {
        self.buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// A name reference; the name itself follows inline the first time the chunk uses it.
    fn name(&mut self, name: &str) -> Result<(), EvtxWriteError> {
        if let Some(&offset) = self.state.names.get(name) {
            self.u32(offset);
            return Ok(());
        }
        let chars =
            u16::try_from(name.encode_utf16().count()).map_err(|_| EvtxWriteError::Internal("name too long"))?;
        let offset = self.pos() + 4;
        self.u32(offset);
        let hash = name_hash(name);
        let bucket = usize::from(hash) % self.state.string_buckets.len();
        self.u32(self.state.string_buckets[bucket]);
        self.u16(hash);
        self.u16(chars);
        self.buf.extend_from_slice(&utf16(name));
        self.u16(0);
        self.state.string_buckets[bucket] = offset;
        self.state.names.insert(name.to_owned(), offset);
        Ok(())
    }

    /// An element of a template definition (with dependency identifiers).
    fn element(&mut self, elem: &Elem) -> Result<(), EvtxWriteError> {
        let has_attrs = !elem.attrs.is_empty();
        self.buf.push(if has_attrs {
            tok::OPEN_START | tok::MORE
        } else {
            tok::OPEN_START
        });
        self.u16(0xFFFF);
        let size_at = self.buf.len();
        self.u32(0);
        self.name(elem.name)?;
        if has_attrs {
            let attr_size_at = self.buf.len();
            self.u32(0);
            for (i, (name, value)) in elem.attrs.iter().enumerate() {
                let more = i + 1 < elem.attrs.len();
                self.buf.push(if more {
                    tok::ATTRIBUTE | tok::MORE
                } else {
                    tok::ATTRIBUTE
                });
                self.name(name)?;
                match value {
                    Attr::Text(text) => self.value_text(text)?,
                    Attr::Subst(index, code) => self.substitution(*index, *code),
                }
            }
            let attr_size = (self.buf.len() - attr_size_at - 4) as u32;
            self.patch_u32(attr_size_at, attr_size);
        }
        if elem.children.is_empty() {
            self.buf.push(tok::CLOSE_EMPTY);
        } else {
            self.buf.push(tok::CLOSE_START);
            for child in &elem.children {
                match child {
                    Node::Elem(e) => self.element(e)?,
                    Node::Subst(index, code) => self.substitution(*index, *code),
                }
            }
            self.buf.push(tok::END_ELEMENT);
        }
        let size = (self.buf.len() - size_at - 4) as u32;
        self.patch_u32(size_at, size);
        Ok(())
    }

    fn value_text(&mut self, text: &str) -> Result<(), EvtxWriteError> {
        let chars =
            u16::try_from(text.encode_utf16().count()).map_err(|_| EvtxWriteError::Internal("text too long"))?;
        self.buf.push(tok::VALUE);
        self.buf.push(ty::STRING);
        self.u16(chars);
        self.buf.extend_from_slice(&utf16(text));
        Ok(())
    }

    fn substitution(&mut self, index: u16, code: u8) {
        self.buf.push(tok::SUBSTITUTION);
        self.u16(index);
        self.buf.push(code);
    }

    fn fragment_header(&mut self) {
        self.buf.extend_from_slice(&[tok::FRAGMENT_HEADER, 1, 1, 0]);
    }
}

/// Encodes the BinXML of `event`, to be stored at absolute chunk offset `base`, and
/// records in `state` the names and template it adds to the chunk.
pub(crate) fn encode_event(event: &Event, base: u32, state: &mut ChunkState) -> Result<Vec<u8>, EvtxWriteError> {
    let (root, values) = build(event)?;
    let guid = values.shape.guid();
    let template_id = u32::from_le_bytes([guid[0], guid[1], guid[2], guid[3]]);
    let mut enc = Encoder {
        buf: Vec::with_capacity(1024),
        base,
        state,
    };
    enc.fragment_header();
    enc.buf.push(tok::TEMPLATE_INSTANCE);
    enc.buf.push(1);
    enc.u32(template_id);
    match enc.state.templates.get(&guid) {
        Some(&offset) => enc.u32(offset),
        None => {
            let offset = enc.pos() + 4;
            enc.u32(offset);
            let bucket = (template_id % 32) as usize;
            enc.u32(enc.state.template_buckets[bucket]);
            enc.buf.extend_from_slice(&guid);
            let size_at = enc.buf.len();
            enc.u32(0);
            enc.fragment_header();
            enc.element(&root)?;
            enc.buf.push(tok::EOF);
            let size = (enc.buf.len() - size_at - 4) as u32;
            enc.patch_u32(size_at, size);
            enc.state.template_buckets[bucket] = offset;
            enc.state.templates.insert(guid, offset);
        }
    }
    enc.u32(values.values.len() as u32);
    let encoded: Vec<(u8, Vec<u8>)> = values.values.iter().map(|v| (v.type_code(), v.bytes())).collect();
    for (code, bytes) in &encoded {
        let size = u16::try_from(bytes.len()).map_err(|_| EvtxWriteError::RecordTooLarge {
            record_id: event.record_id,
            size: bytes.len(),
        })?;
        enc.u16(size);
        enc.buf.push(*code);
        enc.buf.push(0);
    }
    for (_, bytes) in &encoded {
        enc.buf.extend_from_slice(bytes);
    }
    Ok(enc.buf)
}

/// Buffers reused from one record to the next by [`encode_known`].
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// Value descriptors (size, type, 0) of the record being encoded.
    desc: Vec<u8>,
    /// Value data of the record being encoded.
    data: Vec<u8>,
    /// The record's BinXML.
    pub(crate) out: Vec<u8>,
    /// Shape bytes of the record being encoded.
    shape: Vec<u8>,
    /// Template GUIDs of the shapes met so far (hashing a shape costs more than
    /// looking it up).
    guids: HashMap<Vec<u8>, [u8; 16]>,
}

impl Scratch {
    fn value(&mut self, code: u8, record_id: u64, bytes: impl FnOnce(&mut Vec<u8>)) -> Result<(), EvtxWriteError> {
        let before = self.data.len();
        bytes(&mut self.data);
        let len = self.data.len() - before;
        let size = u16::try_from(len).map_err(|_| EvtxWriteError::RecordTooLarge { record_id, size: len })?;
        self.desc.extend_from_slice(&size.to_le_bytes());
        self.desc.push(code);
        self.desc.push(0);
        self.shape.slot(code);
        Ok(())
    }

    /// The template GUID of the collected shape.
    fn guid(&mut self) -> [u8; 16] {
        if let Some(guid) = self.guids.get(self.shape.as_slice()) {
            return *guid;
        }
        let guid = ShapeHash::of(&self.shape).guid();
        if self.guids.len() >= 4096 {
            self.guids.clear();
        }
        self.guids.insert(self.shape.clone(), guid);
        guid
    }
}

fn push_utf16(out: &mut Vec<u8>, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.resize(start + 2 * s.len(), 0);
        for (pair, b) in out[start..].chunks_exact_mut(2).zip(s.bytes()) {
            pair[0] = b;
        }
    } else {
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
    }
}

/// Encodes `event` into `scratch.out` when its template is already stored in the chunk
/// (the common case: only the substitution values are written, the chunk state does
/// not change); `Ok(false)` when the template is new to the chunk (use [`encode_event`]).
/// The bytes are the same [`encode_event`] would write.
pub(crate) fn encode_known(event: &Event, state: &ChunkState, scratch: &mut Scratch) -> Result<bool, EvtxWriteError> {
    let id = event.record_id;
    scratch.desc.clear();
    scratch.data.clear();
    scratch.shape.clear();
    // The slots in the order `build` numbers them.
    scratch.value(ty::STRING, id, |d| push_utf16(d, &event.provider))?;
    if let Some((_, guid, source_name)) = PROVIDER_GUIDS.iter().find(|(name, _, _)| *name == event.provider) {
        let guid = guid_bytes(guid).ok_or(EvtxWriteError::Internal("bad provider GUID table entry"))?;
        scratch.value(ty::GUID, id, |d| d.extend_from_slice(&guid))?;
        if *source_name {
            scratch.value(ty::STRING, id, |d| push_utf16(d, &event.provider))?;
        }
    }
    if let Some(q) = event.qualifiers {
        scratch.value(ty::UINT16, id, |d| d.extend_from_slice(&q.to_le_bytes()))?;
    }
    scratch.value(ty::UINT16, id, |d| d.extend_from_slice(&event.event_id.to_le_bytes()))?;
    let (level, keywords) = level_and_keywords(event.level);
    scratch.value(ty::UINT8, id, |d| d.push(level))?;
    scratch.value(ty::UINT16, id, |d| d.extend_from_slice(&0u16.to_le_bytes()))?;
    scratch.value(ty::HEX_INT64, id, |d| d.extend_from_slice(&keywords.to_le_bytes()))?;
    let time = filetime(&event.time).ok_or(EvtxWriteError::TimeOutOfRange { record_id: id })?;
    scratch.value(ty::FILETIME, id, |d| d.extend_from_slice(&time.to_le_bytes()))?;
    scratch.value(ty::UINT64, id, |d| d.extend_from_slice(&id.to_le_bytes()))?;
    scratch.value(ty::STRING, id, |d| push_utf16(d, &event.channel))?;
    scratch.value(ty::STRING, id, |d| push_utf16(d, &event.computer))?;
    if let Some(sid) = &event.user_sid {
        let bytes = sid_bytes(sid).ok_or_else(|| EvtxWriteError::InvalidSid {
            record_id: id,
            sid: sid.clone(),
        })?;
        scratch.value(ty::SID, id, |d| d.extend_from_slice(&bytes))?;
    }
    for field in &event.data {
        scratch.shape.data_item(field.name.as_deref());
        scratch.value(ty::STRING, id, |d| push_utf16(d, &field.value))?;
    }
    let guid = scratch.guid();
    let Some(&offset) = state.templates.get(&guid) else {
        return Ok(false);
    };
    let count = (scratch.desc.len() / 4) as u32;
    let out = &mut scratch.out;
    out.clear();
    out.extend_from_slice(&[tok::FRAGMENT_HEADER, 1, 1, 0, tok::TEMPLATE_INSTANCE, 1]);
    out.extend_from_slice(&guid[0..4]);
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&scratch.desc);
    out.extend_from_slice(&scratch.data);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_and_guids_encode_like_windows() {
        assert_eq!(
            sid_bytes("S-1-5-18").unwrap(),
            vec![1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]
        );
        assert!(sid_bytes("S-1-x").is_none());
        assert!(sid_bytes("nonsense").is_none());
        let g = guid_bytes("555908d1-a6d7-4695-8e1e-26931d2012f4").unwrap();
        assert_eq!(&g[..8], &[0xd1, 0x08, 0x59, 0x55, 0xd7, 0xa6, 0x95, 0x46]);
        assert_eq!(&g[8..], &[0x8e, 0x1e, 0x26, 0x93, 0x1d, 0x20, 0x12, 0xf4]);
    }

    #[test]
    fn filetime_counts_from_1601() {
        let t = DateTime::parse_from_rfc3339("1970-01-01T00:00:00.0000001Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(filetime(&t), Some(116_444_736_000_000_001));
    }
}
