//! Prints every secret candidate of the files under a directory, with previews only (a
//! calibration aid for `security/hardcoded-secret`).
use flightcheck_project::walk::{self, FileKind};

fn main() {
    for root in std::env::args().skip(1) {
        let root = std::path::PathBuf::from(root);
        let walked = walk::walk(&root, 2);
        for f in walked.files {
            let Ok(text) = std::fs::read_to_string(&f.abs) else {
                continue;
            };
            let secrets = match f.kind {
                FileKind::Source(flightcheck_core::Language::Python) => {
                    flightcheck_python::analyze(&text, &[]).secrets
                }
                FileKind::Source(_) => flightcheck_js::analyze(&f.rel, &text, &[]).secrets,
                FileKind::Config
                | FileKind::Deploy
                | FileKind::Ci
                | FileKind::Script
                | FileKind::Manifest => flightcheck_core::secrets::scan_text(&text),
                _ => continue,
            };
            for c in secrets {
                println!(
                    "{}\t{}:{}\t{:?}\t{}\t{:?}\t{}\tpair={}",
                    root.display(),
                    f.rel,
                    c.span.line,
                    c.severity,
                    c.label,
                    c.name,
                    c.preview,
                    c.needs_pair
                );
            }
        }
    }
}
