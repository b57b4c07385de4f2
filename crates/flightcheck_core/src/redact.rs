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

/// Whether `token` is a file location as messages write them (`PLAN_2024.md:306`,
/// `src/Bot3Handler.ts:12:4`): a name with an extension, not a credential.
fn is_file_location(token: &str) -> bool {
    let mut t = token;
    for _ in 0..2 {
        if let Some((head, tail)) = t.rsplit_once(':')
            && !tail.is_empty()
            && tail.bytes().all(|b| b.is_ascii_digit())
        {
            t = head;
        }
    }
    let name = t.rsplit('/').next().unwrap_or(t);
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && (1..=5).contains(&ext.len())
        && ext.bytes().all(|b| b.is_ascii_lowercase())
        && stem.bytes().filter(u8::is_ascii_digit).count() <= 4
}

/// Words of a key or variable name that say its value is a credential.
fn names_a_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "passwd",
        "apikey",
        "api_key",
        "private_key",
        "auth_key",
    ]
    .iter()
    .any(|w| lower.contains(w))
        || lower.ends_with("_key")
        || lower.ends_with("_pass")
        || lower.ends_with("_pwd")
        || lower == "key"
        || lower == "pass"
}

/// `SECRET_KEY = "3f9a…"`, `password: hunter2!x`, `--token=…`: the value of an assignment to
/// a secret-named key is redacted whatever it looks like (hex digests, passwords with
/// punctuation), unless it is a reference (`process.env.X`, `${VAR}`, `os.getenv(...)`).
fn redact_secret_assignments(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'=' && b != b':' {
            i += 1;
            continue;
        }
        // `==`, `!=`, `<=`, `=>`, `::` are not assignments.
        let prev = if i > 0 { bytes[i - 1] } else { b' ' };
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        if matches!(prev, b'=' | b'!' | b'<' | b'>' | b':')
            || matches!(next, b'=' | b'>' | b':')
            || (b == b':' && next == b'/')
        {
            i += 1;
            continue;
        }
        // The key: the identifier (maybe quoted) before the operator.
        let mut k_end = i;
        while k_end > 0 && matches!(bytes[k_end - 1], b' ' | b'\t' | b'"' | b'\'') {
            k_end -= 1;
        }
        let mut k_start = k_end;
        while k_start > 0
            && (bytes[k_start - 1].is_ascii_alphanumeric()
                || matches!(bytes[k_start - 1], b'_' | b'-' | b'.'))
        {
            k_start -= 1;
        }
        let key = &line[k_start..k_end];
        if key.is_empty() || !names_a_secret(key.rsplit('.').next().unwrap_or(key)) {
            i += 1;
            continue;
        }
        // The value: an optional quote, then up to the closing quote or a separator.
        let mut v_start = i + 1;
        while v_start < bytes.len() && matches!(bytes[v_start], b' ' | b'\t') {
            v_start += 1;
        }
        let quote = bytes
            .get(v_start)
            .copied()
            .filter(|q| matches!(q, b'"' | b'\'' | b'`'));
        if quote.is_some() {
            v_start += 1;
        }
        let mut v_end = v_start;
        while v_end < bytes.len() {
            let c = bytes[v_end];
            let stop = match quote {
                Some(q) => c == q,
                None => c.is_ascii_whitespace() || matches!(c, b',' | b';' | b')' | b'}' | b']'),
            };
            if stop {
                break;
            }
            v_end += 1;
        }
        let value = &line[v_start..v_end];
        // Already a preview (`3f9a…(48)`, `****`): redaction is idempotent.
        let reference = value.contains('…')
            || value.contains("****")
            || value.contains("env")
            || value.contains("${")
            || value.starts_with('$')
            || value.starts_with("<")
            || value.contains('(')
            || value.bytes().all(|c| {
                c.is_ascii_alphanumeric() && !c.is_ascii_digit() || c == b'_' || c == b'.'
            }) && quote.is_none();
        if value.chars().count() >= 8 && !reference {
            out.push_str(&line[copied..v_start]);
            out.push_str(&preview(value));
            copied = v_end;
        }
        i = v_end.max(i + 1);
    }
    out.push_str(&line[copied..]);
    out
}

/// A line of source with credential-looking tokens replaced by their [`preview`], for code
/// frames and evidence snippets: a hard-coded bot token never reaches a report.
pub fn redact_line(line: &str) -> String {
    redact_tokens(&redact_urls(&redact_secret_assignments(line)))
}

/// Passwords of URLs anywhere in `line`, whatever characters they hold (`p!ss$#&w`), which
/// the token split below would cut apart.
fn redact_urls(line: &str) -> String {
    if !line.contains("://") {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(pos) = rest.find("://") {
        // The scheme: letters, digits, `+`, `-`, `.` before `://`.
        let scheme_start = rest[..pos]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |p| p + 1);
        // The URL runs to whitespace, a quote or a closing bracket.
        let end = rest[pos + 3..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ')' | '>' | ']'))
            .map_or(rest.len(), |e| pos + 3 + e);
        out.push_str(&rest[..scheme_start]);
        out.push_str(&redact_url_password(&rest[scheme_start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn redact_tokens(line: &str) -> String {
    let is_token_char = |c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '+' | '/' | '=' | '@')
    };
    let mut out = String::with_capacity(line.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        out.push_str(&redact_token(token));
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

/// One token of [`redact_tokens`]: a credential as a whole is previewed; a URL or a
/// `KEY=value` pair is judged by its parts (a bot token in a URL path, the value of a pair),
/// so the rest stays readable.
fn redact_token(token: &str) -> String {
    let split_at = if token.contains("://") {
        Some(['/', '?', '&', '=', '#'].as_slice())
    } else if token.trim_end_matches('=').contains('=') {
        Some(['='].as_slice())
    } else {
        None
    };
    if let Some(separators) = split_at {
        let mut out = String::with_capacity(token.len());
        let mut part = String::new();
        for c in token.chars() {
            if separators.contains(&c) {
                out.push_str(&redact_whole(&part));
                part.clear();
                out.push(c);
            } else {
                part.push(c);
            }
        }
        out.push_str(&redact_whole(&part));
        return out;
    }
    redact_whole(token)
}

fn redact_whole(token: &str) -> String {
    if looks_secret(token) && !is_file_location(token) && !token.contains("****@") {
        preview(token)
    } else {
        token.to_string()
    }
}

/// `scheme://user:password@host` → `scheme://user:****@host`; other text unchanged.
pub fn redact_url_password(value: &str) -> String {
    let Some(scheme_end) = value.find("://") else {
        return value.to_string();
    };
    let rest = &value[scheme_end + 3..];
    // Passwords hold `?` and `#` in practice (`p!ss$#&word`): only `/` ends the authority.
    let authority_end = rest.find('/').unwrap_or(rest.len());
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

/// Secret values a scan found, for scrubbing every string of a report before it is
/// rendered: any run of [`SecretSet::WINDOW`] characters of a known value is replaced, so a
/// value quoted in part (a claim line, a URL path, a truncated snippet) does not leak either.
#[derive(Debug, Clone, Default)]
pub struct SecretSet {
    windows: std::collections::HashSet<Vec<u8>>,
}

impl SecretSet {
    /// Length of the substrings matched.
    pub const WINDOW: usize = 12;

    /// Remembers a value (values shorter than the window are left to the shape rules).
    pub fn add(&mut self, value: &str) {
        let bytes = value.trim().as_bytes();
        if bytes.len() < Self::WINDOW {
            return;
        }
        for w in bytes.windows(Self::WINDOW) {
            self.windows.insert(w.to_vec());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// `text` with every run covered by a known window replaced by `…(n)` (n = its length).
    pub fn scrub_known(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        if self.windows.is_empty() || bytes.len() < Self::WINDOW {
            return text.to_string();
        }
        let mut covered = vec![false; bytes.len()];
        let mut any = false;
        for (i, w) in bytes.windows(Self::WINDOW).enumerate() {
            if self.windows.contains(w) {
                covered[i..i + Self::WINDOW]
                    .iter_mut()
                    .for_each(|c| *c = true);
                any = true;
            }
        }
        if !any {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut run = 0usize;
        for (i, ch) in text.char_indices() {
            if covered[i] {
                run += 1;
            } else {
                if run > 0 {
                    out.push_str(&format!("…({run})"));
                    run = 0;
                }
                out.push(ch);
            }
        }
        if run > 0 {
            out.push_str(&format!("…({run})"));
        }
        out
    }

    /// Known values, then the generic shapes of [`redact_line`], line by line.
    pub fn scrub(&self, text: &str) -> String {
        let known = self.scrub_known(text);
        if !known.contains('\n') {
            return redact_line(&known);
        }
        known
            .split('\n')
            .map(redact_line)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_assignments_urls_with_punctuation_and_file_locations() {
        let hex = "SECRET_KEY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c'";
        assert!(
            !redact_line(hex).contains("c44298fc1c14"),
            "{}",
            redact_line(hex)
        );
        let js = "const pool = new Pool({ connectionString: 'postgres://app:p!ss$#&word99@db:5432/x' });";
        let red = redact_line(js);
        assert!(!red.contains("p!ss"), "{red}");
        assert!(red.contains("postgres://app:****@db:5432/x"), "{red}");
        for plain in [
            "see DASHBOARD_MODERNIZATION_PLAN.md:306 for details",
            "token = process.env.BOT_TOKEN",
            "password = os.getenv('DB_PASSWORD')",
            "api_key: settings.OPENAI_KEY",
            "if token == expected_token:",
            "secret = ${WEBHOOK_SECRET}",
        ] {
            assert_eq!(redact_line(plain), plain);
        }
    }

    #[test]
    fn known_values_are_scrubbed_in_part_too() {
        let mut set = SecretSet::default();
        set.add("sk_live_51HxYz2AbCdEf3GhIjK4LmNoP5qRsT");
        set.add("short");
        let claim = "Production ready: key sk_live_51HxYz2AbCdEf (rotated)";
        let out = set.scrub_known(claim);
        assert!(!out.contains("51HxYz2AbC"), "{out}");
        assert!(out.starts_with("Production ready: key "), "{out}");
        assert_eq!(set.scrub_known("nothing here"), "nothing here");
    }

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
