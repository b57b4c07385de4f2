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

/// Whether a token of source text looks like a credential: a Telegram bot token
/// (`123456789:AA…`), or a long run mixing upper case, lower case and digits (API keys, JWT
/// parts, Discord tokens). Identifiers (`process.env.BOT_TOKEN`), paths, hex digests and
/// words do not qualify.
fn looks_secret(token: &str) -> bool {
    if let Some((id, rest)) = token.split_once(':')
        && (6..=12).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && rest.len() >= 30
    {
        return true;
    }
    let core = token.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if core.len() < 24 {
        return false;
    }
    let lower = core.bytes().any(|b| b.is_ascii_lowercase());
    let upper = core.bytes().any(|b| b.is_ascii_uppercase());
    let digits = core.bytes().filter(|b| b.is_ascii_digit()).count();
    let distinct = core.bytes().collect::<std::collections::HashSet<_>>().len();
    // `this.SomeLongCamelCaseName2` has few digits; keys scatter them.
    lower && upper && digits >= 3 && distinct >= 14 && !core.contains("__")
}

/// A line of source with credential-looking tokens replaced by their [`preview`], for code
/// frames and evidence snippets: a hard-coded bot token never reaches a report.
pub fn redact_line(line: &str) -> String {
    let is_token_char = |c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '+' | '/' | '=' | '@')
    };
    let mut out = String::with_capacity(line.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if looks_secret(token) {
            out.push_str(&preview(token));
        } else if token.contains("://") {
            out.push_str(&redact_url_password(token));
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in line.chars() {
        if is_token_char(c) {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
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

    #[test]
    fn credentials_in_source_lines_are_redacted() {
        let line = "const bot = new Telegraf('8123456789:AAF1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW');";
        let red = redact_line(line);
        assert!(!red.contains("AAF1b2C3"), "{red}");
        assert!(red.contains("new Telegraf('8123…("), "{red}");
        let key = "stripe = Stripe('sk_live_51HxYz2AbCdEf3GhIjK4LmNoP5qRsT')";
        assert!(!redact_line(key).contains("51HxYz2"));
        for plain in [
            "const bot = new Telegraf(process.env.BOT_TOKEN);",
            "await db('appointments').where({ id: appointmentId }).first();",
            "url = 'https://api.payments.example.com/v1/checkouts'",
            "sha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'",
            "export const MAX_TRIAL_TOKENS = process.env.MAX_TRIAL_TOKENS",
        ] {
            assert_eq!(redact_line(plain), plain);
        }
        assert_eq!(
            redact_line("RedisStorage.from_url('redis://bot:hunter2@cache:6379/0')"),
            "RedisStorage.from_url('redis://bot:****@cache:6379/0')"
        );
        for plain in ["see https://example.com/docs", "postgres://localhost/db"] {
            assert_eq!(redact_line(plain), plain);
        }
    }
}
