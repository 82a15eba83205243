use std::process::ExitCode;

fn main() -> ExitCode {
    exdoctor::cli::run()
}
