//! Prints the wiring facts of the files given on the command line (a debugging aid).
fn main() {
    for path in std::env::args().skip(1) {
        let Ok(src) = std::fs::read_to_string(&path) else {
            eprintln!("cannot read {path}");
            continue;
        };
        let facts = flightcheck_js::analyze(&path, &src, &[]);
        println!("== {path}\n{:#?}", facts.wiring);
    }
}
