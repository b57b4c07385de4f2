//! Redaction: no output ever shows a secret value.

/// A preview that identifies a value without revealing it: first 4 characters, an ellipsis
/// and the length (`8123…(46)`); values of 8 characters or fewer show only their length.
pub fn preview(value: &str) -> String {
    let len = value.chars().count();
    if len <= 8 {
        return format!("…({len})");
    }
    let head: String = value.chars().take(4).collect();
    format!("{head}…({len})")
}

/// `scheme://user:password@host` → `scheme://user:****@host`; other text unchanged.
pub fn redact_url_password(value: &str) -> String {
    let Some(scheme_end) = value.find("://") else {
        return value.to_string();
    };
    let rest = &value[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return value.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.split_once(':') {
        Some((user, pass)) if !pass.is_empty() => {
            format!("{}://{user}:****@{}", &value[..scheme_end], &rest[at + 1..])
        }
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_and_urls() {
        assert_eq!(preview("short"), "…(5)");
        assert_eq!(preview("8123456789:AAF"), "8123…(14)");
        assert_eq!(
            redact_url_password("postgres://u:hunter2@localhost:5432/db"),
            "postgres://u:****@localhost:5432/db"
        );
        assert_eq!(
            redact_url_password("postgres://u:@localhost/db"),
            "postgres://u:@localhost/db"
        );
        assert_eq!(
            redact_url_password("http://localhost:3000/a@b"),
            "http://localhost:3000/a@b"
        );
    }
}
