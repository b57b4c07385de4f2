//! Checks every SARIF document the tests produce: the official OASIS SARIF 2.1.0 schema
//! (`../schemas/README.md`), then what GitHub code scanning needs beyond the schema.
//! Shared with the binary's end-to-end tests (`#[path]`-included there).

use serde_json::Value;

const SCHEMA: &str = include_str!("../schemas/sarif-schema-2.1.0.json");

/// Parses `text`, asserts it is valid and GitHub-ready, and returns it.
pub fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let schema: Value = serde_json::from_str(SCHEMA).expect("vendored schema is JSON");
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
    assert_github_ready(&log);
    log
}

/// GitHub code scanning's requirements the schema leaves open.
fn assert_github_ready(log: &Value) {
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run");
    let run = &runs[0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let mut ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    let listed = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), listed, "every rule listed once");
    for rule in rules {
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .expect("security-severity is a string")
            .parse()
            .expect("security-severity is a number");
        assert!((0.0..=10.0).contains(&score), "{rule}");
        assert!(rule["shortDescription"]["text"].is_string(), "{rule}");
        assert!(rule["help"]["text"].is_string(), "{rule}");
        assert_ne!(rule["name"], rule["id"], "name differs from id: {rule}");
    }
    for result in run["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex: {result}");
        assert!(result["message"]["text"].is_string());
        let locations = result["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1, "{result}");
        let mut places: Vec<&Value> = vec![&locations[0]];
        places.extend(result["relatedLocations"].as_array().into_iter().flatten());
        for place in places {
            let physical = &place["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().expect("uri");
            assert!(!uri.is_empty() && !uri.starts_with('/'), "{uri}");
            assert_uri_reference(uri);
            if physical["artifactLocation"]["uriBaseId"].is_string() {
                assert!(!uri.contains("://"), "relative to %SRCROOT%: {uri}");
            }
            let region = &physical["region"];
            let start_line = region["startLine"].as_u64().expect("startLine");
            assert!(start_line >= 1, "{region}");
            for key in ["startColumn", "endLine", "endColumn"] {
                if let Some(n) = region[key].as_u64() {
                    assert!(n >= 1, "{key} {region}");
                }
            }
            if let Some(end_line) = region["endLine"].as_u64() {
                assert!(end_line >= start_line, "{region}");
            }
        }
    }
}

/// RFC 3986 characters only, `%` only as `%XX`: the schema's `uri-reference` format, which
/// the validator does not check under draft 4.
fn assert_uri_reference(uri: &str) {
    let bytes = uri.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).unwrap_or_default();
            assert!(
                hex.len() == 2 && hex.iter().all(u8::is_ascii_hexdigit),
                "bad percent-encoding in {uri}"
            );
            i += 3;
            continue;
        }
        assert!(
            b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b),
            "character {:?} not allowed in URI {uri}",
            char::from(b)
        );
        i += 1;
    }
}
