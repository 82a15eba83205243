//! Round trip through exdoctor's own EVTX reader: every sample event log written by the
//! EVTX writer (samples/generator) reads back as exactly the events it was made of.

use exdoctor_parsers::evtx::{parse_evtx, EvtxOptions};
use exdoctor_samples::scenarios::sample_logs;

#[test]
fn every_written_event_comes_back_identical() {
    let mut checked = 0;
    for log in sample_logs().into_iter().filter(|l| l.path.ends_with(".evtx")) {
        let bytes = log.encode();
        let read = parse_evtx(&bytes, &EvtxOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", log.path));
        assert!(
            read.integrity.problems.is_empty(),
            "{}: {:?}",
            log.path,
            read.integrity.problems
        );
        assert_eq!(read.integrity.readable, log.events.len() as u64, "{}", log.path);
        assert_eq!(read.events.len(), log.events.len(), "{}", log.path);
        for (got, want) in read.events.iter().zip(&log.events) {
            assert_eq!(got, want, "{} record {}", log.path, want.record_id);
        }
        checked += log.events.len();
    }
    assert!(checked > 500, "only {checked} events checked");
}
