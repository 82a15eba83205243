//! Registry view and host state (being written).
