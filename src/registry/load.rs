//! Reading the `.reg` inputs of one host: parse each file, merge them, read the state.

use exdoctor_parsers::reg::{parse_reg, RegFile};

use super::host_state::HostState;
use super::view::RegistryView;
use crate::ingest::InputFile;
use crate::model::Diagnostic;

/// Parses the registry exports of one host (in the given order; later files win on
/// conflicts) and reads their [`HostState`]. Files that are not regedit exports are left
/// out with an error diagnostic; parse problems of the others are warnings.
pub fn host_state_from_inputs(inputs: &[&InputFile]) -> (HostState, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut parsed: Vec<(&str, RegFile<'_>)> = Vec::with_capacity(inputs.len());
    for input in inputs {
        match parse_reg(input.bytes()) {
            Ok(file) => {
                diagnostics.extend(crate::sources::reg::diagnostics(input.display(), &file));
                parsed.push((input.display(), file));
            }
            Err(err) => diagnostics.push(Diagnostic::error(input.display(), err.to_string())),
        }
    }
    let refs: Vec<(&str, &RegFile<'_>)> = parsed.iter().map(|(path, file)| (*path, file)).collect();
    (HostState::from_view(&RegistryView::from_files(&refs)), diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_inputs_and_reports_unreadable_ones() {
        let services = InputFile::from_bytes(
            "services.reg",
            b"REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\r\n\
              \"Hostname\"=\"EX1\"\r\n\"Domain\"=\"corp.example\"\r\njunk\r\n"
                .to_vec(),
        );
        let wine = InputFile::from_bytes("wine.reg", b"WINE REGISTRY Version 2\n".to_vec());
        let (state, diags) = host_state_from_inputs(&[&services, &wine]);
        assert_eq!(state.identity.fqdn.as_deref(), Some("EX1.corp.example"));
        assert_eq!(state.sources, vec!["services.reg"]);
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].level, crate::model::DiagLevel::Warning);
        assert!(diags[0].message.starts_with("line 5:"), "{}", diags[0].message);
        assert_eq!(diags[1].level, crate::model::DiagLevel::Error);
        assert_eq!(diags[1].path, "wine.reg");
    }
}
