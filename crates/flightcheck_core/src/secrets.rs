//! Credentials in text: provider formats (Telegram, Discord, Stripe, Slack, GitHub, GitLab,
//! AWS, Google OAuth, OpenAI-style keys, Supabase service-role JWTs), PEM private keys,
//! passwords in connection strings, and random-looking values assigned to secret-named
//! variables.
//!
//! A value never leaves this module as text: callers get byte ranges into the text they
//! passed, and [`SecretCandidate`]s keep only a SHA-256 digest (to tell one secret from
//! another) and a redacted [`preview`](crate::redact::preview).

use crate::redact::preview;
use crate::{Severity, Span};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What kind of credential a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretKind {
    TelegramBotToken,
    /// A Telegram Payments provider token (`<id>:LIVE:<…>`, `<id>:TEST:<…>`).
    TelegramPaymentToken,
    DiscordBotToken,
    DiscordWebhook,
    SupabaseServiceRoleKey,
    StripeSecretKey,
    StripeTestKey,
    StripeWebhookSecret,
    /// A YooKassa shop's secret key (`live_…`, `test_…`: 43 base64url characters).
    YooKassaSecretKey,
    /// A BIP32 extended private key (`xprv…`, testnet `tprv…`): a wallet's master key.
    WalletPrivateKey,
    SlackToken,
    SlackWebhook,
    GitHubToken,
    GitLabToken,
    /// An AWS access key id (`AKIA…`): a credential only together with its secret.
    AwsAccessKeyId,
    AwsSecretAccessKey,
    TwilioCredential,
    GoogleOAuthClientSecret,
    OpenAiStyleKey,
    PrivateKey,
    ConnectionStringPassword,
    /// A random-looking value assigned to a secret-named variable or key.
    NamedSecret,
}

/// One credential found in a text: a byte range of that text and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: SecretKind,
    pub severity: Severity,
    /// What it is, for messages: `Telegram bot token`, `OpenAI project key`.
    pub label: &'static str,
    /// Byte range of the secret in the scanned text.
    pub start: usize,
    pub end: usize,
    /// Only a credential together with a partner a few lines away (an AWS key id and its
    /// secret); never reported alone.
    pub needs_pair: bool,
    /// Why the severity is not the provider's usual one.
    pub note: Option<&'static str>,
}

/// A credential found in a file, without its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretCandidate {
    pub kind: SecretKind,
    pub severity: Severity,
    pub label: String,
    /// The variable, property or key the value is assigned to, when there is one.
    pub name: Option<String>,
    /// SHA-256 (hex) of the value: the same secret in several places is one secret.
    pub digest: String,
    /// First characters and length (`8123…(46)`): identifies the value without revealing it.
    pub preview: String,
    /// Length of the value in characters.
    #[serde(skip)]
    pub len: usize,
    /// Where the value is (columns cover the value, or the whole literal when escapes
    /// made the value differ from the source text).
    pub span: Span,
    pub needs_pair: bool,
    pub note: Option<String>,
}

impl SecretCandidate {
    /// A candidate for `hit`, whose value is `value` (the hit's slice of the scanned text).
    pub fn new(hit: &Hit, value: &str, name: Option<&str>, span: Span) -> Self {
        let shown = match hit.kind {
            // The first characters of a PEM block are its header, not key material.
            SecretKind::PrivateKey => format!("PEM block…({})", value.chars().count()),
            _ => preview(value),
        };
        Self {
            kind: hit.kind,
            severity: hit.severity,
            label: hit.label.to_string(),
            name: name.map(str::to_string),
            digest: digest(value),
            preview: shown,
            len: value.chars().count(),
            span,
            needs_pair: hit.needs_pair,
            note: hit.note.map(str::to_string),
        }
    }
}

/// SHA-256 of `value`, hex.
pub fn digest(value: &str) -> String {
    let d = Sha256::digest(value.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Shannon entropy of `s` in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Values that documentation and templates use in place of a secret.
const KNOWN_EXAMPLES: [&str; 5] = [
    // Telegram's Bot API documentation.
    "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
    "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    // AWS documentation.
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    // BIP32 test vector 1, master key: wallet libraries' tests use it.
    "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
];

/// Words that mark a value as a stand-in (`your_token_here`, `<token>`, `xxx`, `changeme`).
const PLACEHOLDER_MARKS: [&str; 30] = [
    "your",
    "xxxx",
    "change",
    "example",
    "placeholder",
    "dummy",
    "fake",
    "sample",
    "insert",
    "replace",
    "redacted",
    "todo",
    "fixme",
    "<",
    ">",
    "{{",
    "${",
    "%(",
    "...",
    "…",
    "***",
    "here",
    "secret",
    "password",
    "passwd",
    "qwerty",
    "letmein",
    "lorem",
    "foobar",
    "mock",
];

/// Whether `value` holds the placeholder word `mark` written the way people write words:
/// `fake`, `FAKE` or `Fake`. Random base64 holds `FAkE` or `fAKe` by chance (about one
/// 1024-bit RSA key in 16 did), which is not a word anyone typed.
fn has_mark(value: &str, lower: &str, mark: &str) -> bool {
    lower.match_indices(mark).any(|(at, _)| {
        let Some(original) = value.get(at..at + mark.len()) else {
            return true;
        };
        let letters = || original.chars().filter(char::is_ascii_alphabetic);
        let rest_lower = letters().skip(1).all(|c| c.is_ascii_lowercase());
        letters().all(|c| c.is_ascii_uppercase()) || rest_lower
    })
}

/// Whether `value` is a placeholder rather than a credential: template words, `<...>`,
/// runs such as `xxxx`, `000000`, `abcdef`, `12345`, or too few distinct characters.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if KNOWN_EXAMPLES.iter().any(|e| value.contains(e)) {
        return true;
    }
    if PLACEHOLDER_MARKS.iter().any(|w| has_mark(value, &lower, w)) {
        return true;
    }
    let bytes = lower.as_bytes();
    // The same character six times in a row, or five ascending (abcde, 12345).
    let mut same = 1;
    let mut ascending = 1;
    for w in bytes.windows(2) {
        same = if w[0] == w[1] { same + 1 } else { 1 };
        ascending = if w[1] == w[0].wrapping_add(1) && w[0].is_ascii_alphanumeric() {
            ascending + 1
        } else {
            1
        };
        if same >= 6 || ascending >= 5 {
            return true;
        }
    }
    // The alphabet typed in pairs (`AaBbCcDd…`, `aabbccdd…`): five ascending once repeats
    // are folded.
    let mut folded: Vec<u8> = bytes.to_vec();
    folded.dedup();
    let mut ascending = 1;
    for w in folded.windows(2) {
        ascending = if w[1] == w[0].wrapping_add(1) && w[0].is_ascii_alphanumeric() {
            ascending + 1
        } else {
            1
        };
        if ascending >= 5 {
            return true;
        }
    }
    let distinct = bytes.iter().collect::<std::collections::HashSet<_>>().len();
    distinct < 6 || distinct * 5 < bytes.len().min(40)
}

/// Characters of the runs that can hold a token (`https://api.telegram.org/bot<token>/x`
/// is one run).
fn run_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.' | b'/' | b'+' | b'=')
}

fn is_tok(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Decodes base64 (standard or URL-safe alphabet, padding optional); `None` when `s` is not
/// base64.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// What a scan of one text found.
#[derive(Debug, Default)]
pub struct Scan {
    pub hits: Vec<Hit>,
    /// The text holds a value that is public by design (a Supabase `anon` key), so a
    /// secret-like name does not make it a secret.
    pub public: bool,
}

fn hit(kind: SecretKind, severity: Severity, label: &'static str, start: usize, end: usize) -> Hit {
    Hit {
        kind,
        severity,
        label,
        start,
        end,
        needs_pair: false,
        note: None,
    }
}

/// The run of bytes from `start` satisfying `pred`.
fn run_end(bytes: &[u8], start: usize, pred: impl Fn(u8) -> bool) -> usize {
    let mut e = start;
    while e < bytes.len() && pred(bytes[e]) {
        e += 1;
    }
    e
}

/// Whether the byte before `i` ends a word (so `sk-` is not the tail of `task-`).
fn left_boundary(bytes: &[u8], i: usize) -> bool {
    i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

/// A random-looking key body: letters and digits mixed, enough distinct characters, no
/// placeholder words.
fn random_body(body: &str, min_entropy: f64) -> bool {
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    let letters = body.bytes().filter(u8::is_ascii_alphabetic).count();
    digits >= 1 && letters >= 4 && entropy(body) >= min_entropy && !is_placeholder(body)
}

struct Prefixed {
    prefix: &'static str,
    kind: SecretKind,
    severity: Severity,
    label: &'static str,
    min: usize,
    max: usize,
    body: fn(u8) -> bool,
    note: Option<&'static str>,
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn base64ish(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}
fn tok_dot(b: u8) -> bool {
    is_tok(b) || b == b'.'
}

const PREFIXED: &[Prefixed] = &[
    Prefixed {
        prefix: "sk_live_",
        kind: SecretKind::StripeSecretKey,
        severity: Severity::Blocker,
        label: "Stripe live secret key",
        min: 20,
        max: 250,
        body: alnum,
        note: None,
    },
    Prefixed {
        prefix: "rk_live_",
        kind: SecretKind::StripeSecretKey,
        severity: Severity::Blocker,
        label: "Stripe live restricted key",
        min: 20,
        max: 250,
        body: alnum,
        note: None,
    },
    Prefixed {
        prefix: "xprv",
        kind: SecretKind::WalletPrivateKey,
        severity: Severity::Blocker,
        label: "wallet extended private key (BIP32 xprv)",
        min: 100,
        max: 108,
        body: alnum,
        note: None,
    },
    Prefixed {
        prefix: "tprv",
        kind: SecretKind::WalletPrivateKey,
        severity: Severity::Low,
        label: "testnet wallet extended private key (BIP32 tprv)",
        min: 100,
        max: 108,
        body: alnum,
        note: Some("a testnet key holds no real funds"),
    },
    Prefixed {
        prefix: "live_",
        kind: SecretKind::YooKassaSecretKey,
        severity: Severity::Blocker,
        label: "YooKassa live secret key",
        min: 43,
        max: 43,
        body: is_tok,
        note: None,
    },
    Prefixed {
        prefix: "test_",
        kind: SecretKind::YooKassaSecretKey,
        severity: Severity::Low,
        label: "YooKassa test-mode secret key",
        min: 43,
        max: 43,
        body: is_tok,
        note: Some("a test-mode key moves no money, but gives access to the shop's test data"),
    },
    Prefixed {
        prefix: "sk_test_",
        kind: SecretKind::StripeTestKey,
        severity: Severity::Low,
        label: "Stripe test-mode secret key",
        min: 20,
        max: 250,
        body: alnum,
        note: Some("a test-mode key moves no money, but gives access to the account's test data"),
    },
    Prefixed {
        prefix: "rk_test_",
        kind: SecretKind::StripeTestKey,
        severity: Severity::Low,
        label: "Stripe test-mode restricted key",
        min: 20,
        max: 250,
        body: alnum,
        note: Some("a test-mode key moves no money, but gives access to the account's test data"),
    },
    Prefixed {
        prefix: "whsec_",
        kind: SecretKind::StripeWebhookSecret,
        severity: Severity::Blocker,
        label: "Stripe webhook signing secret",
        min: 24,
        max: 100,
        body: base64ish,
        note: None,
    },
    Prefixed {
        prefix: "ghp_",
        kind: SecretKind::GitHubToken,
        severity: Severity::Blocker,
        label: "GitHub personal access token",
        min: 36,
        max: 40,
        body: alnum,
        note: None,
    },
    Prefixed {
        prefix: "gho_",
        kind: SecretKind::GitHubToken,
        severity: Severity::Blocker,
        label: "GitHub OAuth token",
        min: 36,
        max: 40,
        body: alnum,
        note: None,
    },
    Prefixed {
        prefix: "ghu_",
        kind: SecretKind::GitHubToken,
        severity: Severity::Blocker,
        label: "GitHub user-to-server token",
        min: 36,
        max: 40,
        body: alnum,
        note: None,
    },
    Prefixed {
        prefix: "ghs_",
        kind: SecretKind::GitHubToken,
        severity: Severity::Blocker,
        label: "GitHub server-to-server token",
        min: 36,
        max: 40,
        body: alnum,
        note: None,
    },
    Prefixed {
        prefix: "ghr_",
        kind: SecretKind::GitHubToken,
        severity: Severity::Blocker,
        label: "GitHub refresh token",
        min: 36,
        max: 80,
        body: alnum,
        note: None,
    },
    Prefixed {
        prefix: "github_pat_",
        kind: SecretKind::GitHubToken,
        severity: Severity::Blocker,
        label: "GitHub fine-grained access token",
        min: 50,
        max: 120,
        body: alnum_underscore,
        note: None,
    },
    Prefixed {
        prefix: "glpat-",
        kind: SecretKind::GitLabToken,
        severity: Severity::Blocker,
        label: "GitLab personal access token",
        min: 20,
        max: 120,
        body: tok_dot,
        note: None,
    },
    Prefixed {
        prefix: "GOCSPX-",
        kind: SecretKind::GoogleOAuthClientSecret,
        severity: Severity::Blocker,
        label: "Google OAuth client secret",
        min: 28,
        max: 28,
        body: is_tok,
        note: None,
    },
    Prefixed {
        prefix: "xoxb-",
        kind: SecretKind::SlackToken,
        severity: Severity::Blocker,
        label: "Slack bot token",
        min: 30,
        max: 250,
        body: is_tok,
        note: None,
    },
    Prefixed {
        prefix: "xoxp-",
        kind: SecretKind::SlackToken,
        severity: Severity::Blocker,
        label: "Slack user token",
        min: 30,
        max: 250,
        body: is_tok,
        note: None,
    },
    Prefixed {
        prefix: "xoxa-",
        kind: SecretKind::SlackToken,
        severity: Severity::Blocker,
        label: "Slack app token",
        min: 30,
        max: 250,
        body: is_tok,
        note: None,
    },
    Prefixed {
        prefix: "xoxe.xoxp-",
        kind: SecretKind::SlackToken,
        severity: Severity::Blocker,
        label: "Slack user token",
        min: 30,
        max: 250,
        body: is_tok,
        note: None,
    },
    Prefixed {
        prefix: "xapp-",
        kind: SecretKind::SlackToken,
        severity: Severity::Blocker,
        label: "Slack app-level token",
        min: 30,
        max: 250,
        body: is_tok,
        note: None,
    },
];

/// OpenAI-style keys (`sk-…`): the vendor by the part after `sk-`.
const SK_VENDORS: [(&str, &str); 6] = [
    ("proj-", "OpenAI project key"),
    ("svcacct-", "OpenAI service-account key"),
    ("admin-", "OpenAI admin key"),
    ("ant-", "Anthropic API key"),
    ("or-", "OpenRouter API key"),
    ("", "OpenAI-style API key"),
];

fn scan_prefixed(text: &str, out: &mut Vec<Hit>) {
    let bytes = text.as_bytes();
    for p in PREFIXED {
        for (i, _) in text.match_indices(p.prefix) {
            if !left_boundary(bytes, i) {
                continue;
            }
            let body_start = i + p.prefix.len();
            let mut end = run_end(bytes, body_start, p.body);
            // A sentence may end right after a token.
            while end > body_start && bytes[end - 1] == b'.' {
                end -= 1;
            }
            let len = end - body_start;
            if len < p.min || len > p.max || (end < bytes.len() && alnum(bytes[end])) {
                continue;
            }
            let body = &text[body_start..end];
            let min_entropy = if p.kind == SecretKind::SlackToken {
                3.0
            } else {
                3.3
            };
            if !random_body(body, min_entropy) || KNOWN_EXAMPLES.contains(&&text[i..end]) {
                continue;
            }
            let mut h = hit(p.kind, p.severity, p.label, i, end);
            h.note = p.note;
            out.push(h);
        }
    }
    // OpenAI-style `sk-…`.
    for (i, _) in text.match_indices("sk-") {
        if !left_boundary(bytes, i) || (i > 0 && bytes[i - 1] == b'-') {
            continue;
        }
        let end = run_end(bytes, i + 3, is_tok);
        let rest = &text[i + 3..end];
        let (sub, label) = SK_VENDORS
            .iter()
            .find(|(sub, _)| rest.starts_with(sub))
            .copied()
            .unwrap_or(("", "OpenAI-style API key"));
        let body = &rest[sub.len()..];
        if body.len() < 32 || body.len() > 250 || !random_body(body, 3.5) {
            continue;
        }
        out.push(hit(
            SecretKind::OpenAiStyleKey,
            Severity::Blocker,
            label,
            i,
            end,
        ));
    }
    // AWS access key ids: only with their secret.
    for prefix in ["AKIA", "ASIA"] {
        for (i, _) in text.match_indices(prefix) {
            let end = i + 20;
            if !left_boundary(bytes, i)
                || end > bytes.len()
                || (end < bytes.len() && alnum(bytes[end]))
            {
                continue;
            }
            let id = &text[i..end];
            let body_ok = id[4..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
            if !body_ok || is_placeholder(&id[4..]) || KNOWN_EXAMPLES.contains(&id) {
                continue;
            }
            let mut h = hit(
                SecretKind::AwsAccessKeyId,
                Severity::Blocker,
                "AWS access key",
                i,
                end,
            );
            h.needs_pair = true;
            out.push(h);
        }
    }
    // Slack incoming webhooks.
    for (i, m) in text.match_indices("hooks.slack.com/services/") {
        let start = i + m.len();
        let end = run_end(bytes, start, |b| alnum(b) || b == b'/');
        let path = &text[start..end];
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() == 3
            && parts[0].starts_with('T')
            && parts[1].starts_with('B')
            && parts[2].len() >= 20
            && random_body(parts[2], 3.3)
        {
            let url_start = text[..i]
                .rfind("https://")
                .filter(|s| i - s == 8)
                .unwrap_or(i);
            out.push(hit(
                SecretKind::SlackWebhook,
                Severity::High,
                "Slack incoming-webhook URL",
                url_start,
                end,
            ));
        }
    }
}

/// Discord webhook URLs: `discord.com/api/webhooks/<id>/<token>`.
fn scan_discord_webhooks(text: &str, out: &mut Vec<Hit>) {
    let bytes = text.as_bytes();
    for (i, m) in text.match_indices("/api/webhooks/") {
        let host_ok = text[..i].ends_with("discord.com")
            || text[..i].ends_with("discordapp.com")
            || text[..i].ends_with("ptb.discord.com")
            || text[..i].ends_with("canary.discord.com");
        if !host_ok {
            continue;
        }
        let id_start = i + m.len();
        let id_end = run_end(bytes, id_start, |b| b.is_ascii_digit());
        if !(17..=20).contains(&(id_end - id_start)) || bytes.get(id_end) != Some(&b'/') {
            continue;
        }
        let token_end = run_end(bytes, id_end + 1, is_tok);
        let token = &text[id_end + 1..token_end];
        if token.len() >= 60 && random_body(token, 3.5) {
            let url_start = text[..i].rfind("https://").unwrap_or(i);
            out.push(hit(
                SecretKind::DiscordWebhook,
                Severity::High,
                "Discord webhook URL",
                url_start,
                token_end,
            ));
        }
    }
}

/// Telegram bot tokens: `<bot id>:<35 characters>`.
fn scan_telegram(text: &str, out: &mut Vec<Hit>) {
    let bytes = text.as_bytes();
    for (colon, _) in text.match_indices(':') {
        let mut start = colon;
        while start > 0 && bytes[start - 1].is_ascii_digit() {
            start -= 1;
        }
        let digits = colon - start;
        if !(8..=10).contains(&digits) || bytes[start] == b'0' {
            continue;
        }
        // Telegram Payments provider tokens: `<id>:LIVE:<token>` / `<id>:TEST:<token>`.
        let after = &text[colon + 1..];
        if let Some(mode) = ["LIVE:", "TEST:"].iter().find(|m| after.starts_with(**m)) {
            let body_start = colon + 1 + mode.len();
            let end = run_end(bytes, body_start, is_tok);
            if end - body_start >= 12 && random_body(&text[body_start..end], 3.0) {
                let live = *mode == "LIVE:";
                let mut h = hit(
                    SecretKind::TelegramPaymentToken,
                    if live {
                        Severity::Blocker
                    } else {
                        Severity::Low
                    },
                    if live {
                        "Telegram Payments live provider token"
                    } else {
                        "Telegram Payments test provider token"
                    },
                    start,
                    end,
                );
                if !live {
                    h.note = Some("a test-mode payment token moves no money");
                }
                out.push(h);
            }
            continue;
        }
        let end = run_end(bytes, colon + 1, is_tok);
        if end - colon - 1 != 35 {
            continue;
        }
        let body = &text[colon + 1..end];
        if random_body(body, 3.5) && !is_placeholder(&text[start..end]) {
            out.push(hit(
                SecretKind::TelegramBotToken,
                Severity::Blocker,
                "Telegram bot token",
                start,
                end,
            ));
        }
    }
}

/// Dotted three-part tokens: Discord bot tokens and JWTs (Supabase keys).
fn scan_dotted(text: &str, out: &mut Vec<Hit>, public: &mut bool) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !tok_dot(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = run_end(bytes, i, tok_dot);
        i = end;
        while end > start && bytes[end - 1] == b'.' {
            end -= 1;
        }
        let run = &text[start..end];
        if run.len() < 50 {
            continue;
        }
        let parts: Vec<&str> = run.split('.').collect();
        if parts.len() != 3 {
            continue;
        }
        if parts[0].starts_with("eyJ") && parts[1].starts_with("eyJ") && parts[2].len() >= 16 {
            match jwt_role(parts[1]).as_deref() {
                Some("service_role") => out.push(hit(
                    SecretKind::SupabaseServiceRoleKey,
                    Severity::Blocker,
                    "Supabase service-role key",
                    start,
                    end,
                )),
                Some("anon") => *public = true,
                _ => {}
            }
            continue;
        }
        let (id, stamp, mac) = (parts[0], parts[1], parts[2]);
        if (23..=28).contains(&id.len())
            && (6..=7).contains(&stamp.len())
            && (27..=40).contains(&mac.len())
            && matches!(id.as_bytes()[0], b'M' | b'N' | b'O')
            && base64_decode(id)
                .is_some_and(|d| (17..=20).contains(&d.len()) && d.iter().all(u8::is_ascii_digit))
            && random_body(mac, 3.5)
        {
            out.push(hit(
                SecretKind::DiscordBotToken,
                Severity::Blocker,
                "Discord bot token",
                start,
                end,
            ));
        }
    }
}

/// The `role` claim of a JWT payload (base64url JSON).
fn jwt_role(payload: &str) -> Option<String> {
    let json = base64_decode(payload)?;
    let value: serde_json::Value = serde_json::from_slice(&json).ok()?;
    value.get("role")?.as_str().map(str::to_string)
}

/// PEM private keys: `-----BEGIN … PRIVATE KEY-----`, key material, `-----END`.
fn scan_pem(text: &str, out: &mut Vec<Hit>) {
    for (i, _) in text.match_indices("-----BEGIN ") {
        let header_start = i + "-----BEGIN ".len();
        let Some(header_len) = text[header_start..].find("-----") else {
            continue;
        };
        let label = &text[header_start..header_start + header_len];
        if !(label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK"))
            || label.len() > 40
        {
            continue;
        }
        let body_start = header_start + header_len + 5;
        let end_marker = text[body_start..].find("-----END").map(|p| body_start + p);
        let body_end = end_marker.unwrap_or_else(|| {
            let mut end = text.len().min(body_start + 4096);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            end
        });
        let body = &text[body_start..body_end];
        // Key material without the line breaks (real or escaped `\n`).
        let material: String = body
            .replace("\\n", "\n")
            .replace("\\r", "")
            .lines()
            .filter(|l| !l.contains(':'))
            .flat_map(|l| l.trim().chars())
            .collect();
        let base64_chars = material.bytes().filter(|b| base64ish(*b)).count();
        if base64_chars < 100
            || base64_chars * 10 < material.len() * 9
            || (!is_key_structure(&material) && is_placeholder(&material))
        {
            continue;
        }
        let end = end_marker
            .map(|e| {
                let close = text[e + 8..].find("-----").map(|p| e + 8 + p + 5);
                close.unwrap_or(e + 8)
            })
            .unwrap_or(body_end);
        let encrypted = label.contains("ENCRYPTED");
        let mut h = hit(
            SecretKind::PrivateKey,
            if encrypted {
                Severity::High
            } else {
                Severity::Blocker
            },
            "PEM private key",
            i,
            end,
        );
        if encrypted {
            h.note = Some("the key is encrypted with a passphrase, which slows an attacker down");
        }
        out.push(h);
    }
}

/// Hosts that only exist on a developer's machine or inside a compose network.
/// Hosts of hosted database services, reachable from the internet by design (Supabase,
/// Neon, AWS RDS, MongoDB Atlas, Render, Railway, Aiven, Upstash, Redis Cloud, Azure,
/// DigitalOcean, Yandex Cloud, PlanetScale, CockroachDB Cloud, ElephantSQL, Timescale,
/// Clever Cloud).
fn managed_database_host(host: &str) -> bool {
    const SUFFIXES: [&str; 19] = [
        ".supabase.com",
        ".supabase.co",
        ".neon.tech",
        ".rds.amazonaws.com",
        ".mongodb.net",
        ".render.com",
        ".rlwy.net",
        ".railway.app",
        ".aivencloud.com",
        ".upstash.io",
        ".redis-cloud.com",
        ".redislabs.com",
        ".database.azure.com",
        ".ondigitalocean.com",
        ".mdb.yandexcloud.net",
        ".psdb.cloud",
        ".cockroachlabs.cloud",
        ".elephantsql.com",
        ".clever-cloud.com",
    ];
    let h = host.to_ascii_lowercase();
    SUFFIXES.iter().any(|s| h.ends_with(s)) || h.ends_with(".tsdb.cloud.timescale.com")
}

fn local_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost"
        || h.starts_with("127.")
        || h == "0.0.0.0"
        || h == "[::1]"
        || h == "host.docker.internal"
        || !h.contains('.')
}

/// Whether base64 key material decodes to what keys are: an ASN.1 DER sequence (PKCS#1,
/// PKCS#8, SEC1) or an `openssh-key-v1` blob. Such text is a key whatever words its base64
/// happens to spell.
fn is_key_structure(material: &str) -> bool {
    let clean: String = material.chars().filter(|c| !c.is_whitespace()).collect();
    base64_decode(&clean)
        .is_some_and(|der| der.first() == Some(&0x30) || der.starts_with(b"openssh-key-v1\0"))
}

/// A password that is a template slot, not a value: `${DB_PASS}`, `$DB_PASS`, `$(cat f)`,
/// `{password}` (f-string), `%(pw)s`.
fn is_interpolation(password: &str) -> bool {
    let variable = password.strip_prefix('$').is_some_and(|v| {
        !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    variable
        || password.contains("${")
        || password.contains("$(")
        || password.contains("%(")
        || (password.starts_with('{') && password.ends_with('}'))
}

/// Passwords in database and broker URLs (`postgres://user:password@db.example.com/app`).
fn scan_connection_strings(text: &str, out: &mut Vec<Hit>) {
    const SCHEMES: [&str; 12] = [
        "mongodb",
        "mongodb+srv",
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "redis",
        "rediss",
        "amqp",
        "amqps",
        "mssql",
        "sqlserver",
    ];
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices("://") {
        let mut s = i;
        while s > 0 && (bytes[s - 1].is_ascii_alphanumeric() || bytes[s - 1] == b'+') {
            s -= 1;
        }
        let scheme = text[s..i].to_ascii_lowercase();
        // SQLAlchemy names the driver after a `+` (`postgresql+asyncpg`, `mysql+pymysql`).
        let base = scheme.split('+').next().unwrap_or("");
        if !SCHEMES.contains(&scheme.as_str()) && !SCHEMES.contains(&base) {
            continue;
        }
        let rest_start = i + 3;
        // The user-info runs to the last `@` before the path: a password may hold any of
        // `!$#&?` (RFC 3986 wants them escaped, real strings often do not).
        let raw_end = run_end(bytes, rest_start, |b| {
            !matches!(b, b'/' | b'"' | b'\'' | b'`' | b' ' | b'\n' | b'\r' | b'\t')
        });
        let raw = &text[rest_start..raw_end];
        let Some(at) = raw.rfind('@') else {
            continue;
        };
        let Some(colon) = raw[..at].find(':') else {
            continue;
        };
        let password = &raw[colon + 1..at];
        // `host:6379?user=a@b`: a query string, not a password.
        if password.contains('?') && password.contains('=') {
            continue;
        }
        let authority_end = run_end(bytes, rest_start + at, |b| {
            !matches!(
                b,
                b'/' | b'?' | b'#' | b'"' | b'\'' | b'`' | b' ' | b'\n' | b','
            )
        });
        let authority = &text[rest_start..authority_end];
        let host = authority[at + 1..]
            .split(',')
            .next()
            .unwrap_or("")
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(authority[at + 1..].split(',').next().unwrap_or(""));
        let weak = [
            "pass", "password", "postgres", "root", "admin", "guest", "user", "mysql", "redis",
            "mongo", "secret", "changeme",
        ];
        if password.len() < 8
            || weak.contains(&password.to_ascii_lowercase().as_str())
            || is_placeholder(password)
            || is_interpolation(password)
            || local_host(host)
            || entropy(password) < 2.5
        {
            continue;
        }
        let p_start = rest_start + colon + 1;
        // A managed database's endpoint answers on the internet: with this password anyone
        // who reads the repository logs in, whatever the deploy does.
        let (severity, what) = if managed_database_host(host) {
            (
                Severity::Blocker,
                "password in a connection string to a managed database on the internet",
            )
        } else {
            (Severity::High, "password in a connection string")
        };
        out.push(hit(
            SecretKind::ConnectionStringPassword,
            severity,
            what,
            p_start,
            p_start + password.len(),
        ));
    }
}

/// Provider-format credentials anywhere in `text`.
pub fn scan_tokens(text: &str) -> Scan {
    let mut scan = Scan::default();
    if text.len() < 20 {
        return scan;
    }
    // Tokens live in runs of token characters; most text is short words, skipped at once.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !run_char(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let end = run_end(bytes, i, run_char);
        i = end;
        if end - start < 20 {
            continue;
        }
        let run = &text[start..end];
        let mut hits = Vec::new();
        scan_telegram(run, &mut hits);
        scan_prefixed(run, &mut hits);
        scan_dotted(run, &mut hits, &mut scan.public);
        scan_discord_webhooks(run, &mut hits);
        scan.hits.extend(hits.into_iter().map(|mut h| {
            h.start += start;
            h.end += start;
            h
        }));
    }
    if text.contains("-----BEGIN ") {
        scan_pem(text, &mut scan.hits);
    }
    if text.contains("://") {
        scan_connection_strings(text, &mut scan.hits);
    }
    // Overlaps (a `sk-` inside a longer token): keep the longest.
    scan.hits
        .sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    let mut kept: Vec<Hit> = Vec::new();
    for h in scan.hits {
        if kept.last().is_some_and(|k| h.start < k.end) {
            continue;
        }
        kept.push(h);
    }
    scan.hits = kept;
    scan
}

/// Upper-case words of an identifier or key: `botToken` → `BOT TOKEN`, `x-api-key` →
/// `X API KEY`, `STRIPE_SECRET_KEY` → `STRIPE SECRET KEY`.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && k > 0
            && (chars[k - 1].is_ascii_lowercase()
                || (chars[k - 1].is_ascii_uppercase()
                    && chars.get(k + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether a variable, property or config key names a credential (`token`, `apiKey`,
/// `client_secret`, `DB_PASSWORD`, `Authorization`), and not something about one
/// (`token_url`, `secret_name`, `publicKey`, `site_key`, `cache_key`).
pub fn secret_name(name: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    const ABOUT: [&str; 34] = [
        "ID",
        "IDS",
        "PATH",
        "FILE",
        "DIR",
        "URL",
        "URI",
        "HOST",
        "PORT",
        "NAME",
        "TYPE",
        "TTL",
        "EXPIRY",
        "EXPIRES",
        "LENGTH",
        "LEN",
        "HEADER",
        "ALGORITHM",
        "ALG",
        "ENABLED",
        "PREFIX",
        "VERSION",
        "LIFETIME",
        "COUNT",
        "LIMIT",
        "FIELD",
        "PARAM",
        "HASH",
        "LABEL",
        "PATTERN",
        "REGEX",
        "FORMAT",
        "ENDPOINT",
        "SIZE",
    ];
    if ABOUT.contains(&last.as_str()) {
        return false;
    }
    if words.iter().any(|w| {
        matches!(
            w.as_str(),
            "PUBLIC" | "PUBLISHABLE" | "PUB" | "ANON" | "SITE"
        )
    }) {
        return false;
    }
    let secret_word = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "SECRET"
                | "TOKEN"
                | "PASSWORD"
                | "PASSWD"
                | "PWD"
                | "PASS"
                | "APIKEY"
                | "CREDENTIAL"
                | "CREDENTIALS"
                | "PASSPHRASE"
                | "AUTHORIZATION"
        )
    });
    let key_pair = last == "KEY"
        && words.len() >= 2
        && matches!(
            words[words.len() - 2].as_str(),
            "API"
                | "SECRET"
                | "PRIVATE"
                | "ACCESS"
                | "SIGNING"
                | "ENCRYPTION"
                | "CLIENT"
                | "AUTH"
                | "MASTER"
                | "SERVICE"
                | "APP"
                | "BOT"
                | "ROLE"
                | "LICENSE"
                | "WEBHOOK"
        );
    secret_word || key_pair
}

/// A Telegram file id (`CAAC…` sticker, `AgAC…` photo, `BQAC…` document…): it names a file
/// the bot already sent, and grants nothing.
pub fn is_telegram_file_id(value: &str) -> bool {
    const KINDS: [&str; 8] = [
        "CAAC", "AgAC", "BQAC", "BAAC", "AwAC", "CQAC", "DQAC", "AAMC",
    ];
    value.len() >= 40
        && KINDS.iter().any(|k| value.starts_with(k))
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether `value` looks like generated key material rather than a word, identifier, path,
/// URL, number or hash: at least `min_len` characters, letters and digits mixed, no
/// spaces, enough entropy, not a phrase of words (`my-app-production-2024`).
pub fn looks_random(value: &str, min_len: usize) -> bool {
    let v = value.trim();
    if v.len() < min_len || v.len() > 512 || v.contains(char::is_whitespace) {
        return false;
    }
    // Password hashes (`pbkdf2_sha256$…`, `$2b$10$…`, `argon2$…`) are not credentials.
    let hash_format = v
        .split_once('$')
        .is_some_and(|(algo, _)| algo.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    if hash_format
        || v.contains("://")
        || v.starts_with(['/', '.', '$', '%', '{', '<', '@', '#', '~'])
        || v.starts_with("AIza")
        || is_telegram_file_id(v)
        || is_placeholder(v)
    {
        return false;
    }
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    let letters = v.bytes().filter(u8::is_ascii_alphabetic).count();
    if digits < 2 || letters < 4 {
        return false;
    }
    // `my-app-production-2024`, `v1.2.3-beta`, host lists (`redis-node-1:7379,redis-node-2:7380`):
    // words and numbers joined by separators.
    let parts: Vec<&str> = v
        .split(['-', '_', '.', ':', ',', ';'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() >= 2
        && parts.iter().all(|p| {
            p.bytes().all(|b| b.is_ascii_alphabetic()) || p.bytes().all(|b| b.is_ascii_digit())
        })
    {
        return false;
    }
    // `ThisIsMyVeryLongPassword2024`: letters forming words with a number at the end.
    let trailing_digits = v.bytes().rev().take_while(u8::is_ascii_digit).count();
    if trailing_digits == digits
        && v[..v.len() - trailing_digits]
            .bytes()
            .all(|b| b.is_ascii_alphabetic())
    {
        return false;
    }
    entropy(v) >= 3.0
}

/// Credentials that only their name gives away: Twilio and AWS secrets, and random-looking
/// values of secret-named variables. `value` is the whole value.
fn named(value: &str, name: &str) -> Option<Hit> {
    let words = name_words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    let v = value.trim();
    let start = value.len() - value.trim_start().len();
    let end = start + v.len();
    if has("TWILIO")
        && (has("TOKEN") || has("SECRET") || has("AUTH"))
        && v.len() == 32
        && v.bytes().all(|b| b.is_ascii_alphanumeric())
        && random_body(v, 3.3)
    {
        return Some(hit(
            SecretKind::TwilioCredential,
            Severity::Blocker,
            "Twilio auth token",
            start,
            end,
        ));
    }
    if has("SECRET")
        && (has("AWS") || has("ACCESS"))
        && v.len() == 40
        && v.bytes().all(base64ish)
        && random_body(v, 3.5)
    {
        return Some(hit(
            SecretKind::AwsSecretAccessKey,
            Severity::Blocker,
            "AWS secret access key",
            start,
            end,
        ));
    }
    if !secret_name(name) {
        return None;
    }
    // `Authorization: Bearer <token>`.
    let (v, start) = match v.split_once(' ') {
        Some(("Bearer" | "Bot" | "Basic" | "Token", rest)) => {
            (rest.trim(), end - rest.trim().len())
        }
        _ => (v, start),
    };
    if !looks_random(v, 16) {
        return None;
    }
    let mut h = hit(
        SecretKind::NamedSecret,
        Severity::Medium,
        "random-looking value of a secret-named variable",
        start,
        start + v.len(),
    );
    h.note = Some(
        "no provider format was recognised, so it may be a development value or not a credential at all",
    );
    // Django's `startproject` marks its generated key as a development key.
    if v.starts_with("django-insecure-") {
        h.severity = Severity::Low;
        h.note = Some(
            "Django marks it `django-insecure-`: a development key, dangerous only if production uses it",
        );
    }
    Some(h)
}

/// The credentials in one value (a string literal, a config value) assigned to `name`:
/// provider formats anywhere in it; else, for a secret-like `name`, the whole value when
/// it looks random. An AWS-secret-shaped value (40 base64 characters) is returned with
/// `needs_pair`.
pub fn scan_value(value: &str, name: Option<&str>) -> Vec<Hit> {
    if is_ciphertext(value) {
        return Vec::new();
    }
    let scan = scan_tokens(value);
    if !scan.hits.is_empty() || scan.public {
        return scan.hits;
    }
    whole_value(value, name).into_iter().collect()
}

/// A credential that only the whole value and its name give away: a named secret, or an
/// AWS-secret-shaped value (40 base64 characters, `needs_pair`).
fn whole_value(value: &str, name: Option<&str>) -> Option<Hit> {
    if let Some(h) = name.and_then(|n| named(value, n)) {
        return Some(h);
    }
    let v = value.trim();
    if v.len() == 40
        && v.bytes().all(base64ish)
        && v.bytes().any(|b| b.is_ascii_uppercase())
        && v.bytes().any(|b| b.is_ascii_lowercase())
        && random_body(v, 4.0)
    {
        let start = value.len() - value.trim_start().len();
        let mut h = hit(
            SecretKind::AwsSecretAccessKey,
            Severity::Blocker,
            "AWS secret access key",
            start,
            start + v.len(),
        );
        h.needs_pair = true;
        return Some(h);
    }
    None
}

/// Encrypted values meant to be committed: dotenvx (`encrypted:…`), SOPS (`ENC[AES256_GCM,…]`),
/// Ansible Vault. Their key lives elsewhere.
pub fn is_ciphertext(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("encrypted:")
        || (v.starts_with("ENC[") && v.ends_with(']'))
        || v.starts_with("$ANSIBLE_VAULT;")
}

/// What an env value looks like, without keeping it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueLook {
    /// The most severe provider-format credential in the value.
    pub provider: Option<ProviderMatch>,
    /// Random-looking (generated key material), judged without the key's name.
    pub random: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderMatch {
    pub kind: SecretKind,
    pub severity: Severity,
    pub label: String,
    pub note: Option<String>,
}

/// How `value` (of an env file) looks: a provider credential, or random key material of
/// at least `min_len` characters. A Supabase `anon` key is neither.
pub fn env_value_look(value: &str, min_len: usize) -> ValueLook {
    if is_ciphertext(value) {
        return ValueLook {
            provider: None,
            random: false,
        };
    }
    let scan = scan_tokens(value);
    let provider = scan
        .hits
        .iter()
        .filter(|h| !h.needs_pair)
        .max_by_key(|h| h.severity)
        .map(|h| ProviderMatch {
            kind: h.kind,
            severity: h.severity,
            label: h.label.to_string(),
            note: h.note.map(str::to_string),
        });
    ValueLook {
        random: provider.is_none() && !scan.public && looks_random(value, min_len),
        provider,
    }
}

/// `KEY = value` / `key: value` / `"key": "value"` / `ENV KEY value` assignments on one line
/// of a config file, as (key, value byte range in the line).
pub fn line_assignments(line: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    // JSON-style pairs, possibly several per line.
    let mut i = 0;
    while let Some(q) = line[i..].find('"').map(|p| p + i) {
        let Some(kend) = line[q + 1..].find('"').map(|p| p + q + 1) else {
            break;
        };
        let key = &line[q + 1..kend];
        let mut j = kend + 1;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b':' && !key.is_empty() {
            j += 1;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'"' {
                let vstart = j + 1;
                let mut k = vstart;
                while k < bytes.len() && bytes[k] != b'"' {
                    if bytes[k] == b'\\' {
                        k += 1;
                    }
                    k += 1;
                }
                let vend = k.min(bytes.len());
                out.push((key.to_string(), vstart, vend));
                i = (vend + 1).min(line.len());
                continue;
            }
        }
        i = kend + 1;
        if i >= line.len() {
            break;
        }
    }
    if !out.is_empty() {
        return out;
    }
    // `key: value`, `KEY=value`, `export KEY=value`, `- KEY=value`, `ENV KEY value`.
    let mut rest = line.trim_start();
    let mut space_separated = false;
    for lead in ["- ", "export ", "ENV ", "ARG ", "set ", "SET "] {
        if let Some(r) = rest.strip_prefix(lead) {
            space_separated = lead == "ENV ";
            rest = r.trim_start();
        }
    }
    let offset = line.len() - rest.len();
    let rb = rest.as_bytes();
    let quote = rb.first().copied().filter(|q| *q == b'"' || *q == b'\'');
    let key_start = usize::from(quote.is_some());
    let key_end = run_end(rb, key_start, |b| is_tok(b) || b == b'.');
    if key_end == key_start {
        return out;
    }
    let key = &rest[key_start..key_end];
    let mut j = key_end;
    if let Some(q) = quote {
        if rb.get(j) != Some(&q) {
            return out;
        }
        j += 1;
    }
    while j < rb.len() && rb[j] == b' ' {
        j += 1;
    }
    match rb.get(j) {
        Some(b':') | Some(b'=') => j += 1,
        Some(_) if space_separated && j > key_end => {}
        _ => return out,
    }
    let value = rest[j..].trim();
    let mut vstart = rest.len() - rest[j..].trim_start().len();
    let mut v = value;
    // An unquoted value ends at a comment.
    if !v.starts_with(['"', '\'']) {
        if let Some(p) = v.find(" #").or_else(|| v.find(" //")) {
            v = v[..p].trim_end();
        }
        v = v.trim_end_matches([',', ';']);
    } else {
        let q = v.as_bytes()[0] as char;
        match v[1..].find(q) {
            Some(close) => {
                v = &v[1..close + 1];
                vstart += 1;
            }
            None => return out,
        }
    }
    if v.is_empty() || v.starts_with(['|', '>', '[', '{', '&', '*', '!']) {
        return out;
    }
    out.push((key.to_string(), offset + vstart, offset + vstart + v.len()));
    out
}

/// Credentials in a config-like text (JSON, YAML, TOML, INI, Dockerfile, compose, CI,
/// shell): provider formats anywhere, PEM blocks across lines, and random-looking values of
/// secret-named keys. Comment lines (`#`, `//`, `;`) are skipped. Spans are 1-based lines
/// and character columns.
pub fn scan_text(text: &str) -> Vec<SecretCandidate> {
    let mut out = Vec::new();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let position = |offset: usize| -> (u32, u32) {
        let line = match line_starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l.saturating_sub(1),
        };
        let start = line_starts[line];
        let mut end = offset.min(text.len());
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        (line as u32 + 1, text[start..end].chars().count() as u32 + 1)
    };
    let span = |start: usize, end: usize| {
        let (line, column) = position(start);
        let (end_line, end_column) = position(end);
        Span {
            line,
            column,
            end_line,
            end_column: if end_line == line {
                end_column.max(column + 1)
            } else {
                end_column
            },
        }
    };
    // PEM blocks span lines.
    let mut pem = Vec::new();
    scan_pem(text, &mut pem);
    for h in &pem {
        out.push(SecretCandidate::new(
            h,
            &text[h.start..h.end],
            None,
            span(h.start, h.end),
        ));
    }
    let in_pem = |offset: usize| pem.iter().any(|h| offset >= h.start && offset < h.end);
    for (n, line) in text.split('\n').enumerate() {
        let base = line_starts[n];
        if in_pem(base) || line.len() > 65_536 {
            continue;
        }
        // Comments are documentation, as in source files.
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") || trimmed.starts_with(';') {
            continue;
        }
        if line.len() < 16 {
            continue;
        }
        let scan = scan_tokens(line);
        let mut found: Vec<(Hit, Option<String>)> = Vec::new();
        let mut taken = vec![false; scan.hits.len()];
        for (key, s, e) in line_assignments(line) {
            let value = &line[s..e];
            let inside: Vec<usize> = (0..scan.hits.len())
                .filter(|k| scan.hits[*k].start >= s && scan.hits[*k].end <= e)
                .collect();
            if is_ciphertext(value) {
                for k in inside {
                    taken[k] = true;
                }
                continue;
            }
            if !inside.is_empty() {
                for k in inside {
                    taken[k] = true;
                    found.push((scan.hits[k].clone(), Some(key.clone())));
                }
            } else if !scan.public
                && let Some(mut h) = whole_value(value, Some(&key))
            {
                h.start += s;
                h.end += s;
                found.push((h, Some(key.clone())));
            }
        }
        for (k, h) in scan.hits.iter().enumerate() {
            if !taken[k] && h.kind != SecretKind::PrivateKey {
                found.push((h.clone(), None));
            }
        }
        found.sort_by_key(|(h, _)| h.start);
        for (h, key) in found {
            out.push(SecretCandidate::new(
                &h,
                &line[h.start..h.end],
                key.as_deref(),
                span(base + h.start, base + h.end),
            ));
        }
    }
    out
}

/// `line` (1-based line `line_no` of a file) with every candidate's value on it replaced by
/// its preview, then any remaining credential-shaped token redacted.
pub fn redact_candidates(line_no: u32, line: &str, candidates: &[SecretCandidate]) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut cut: Vec<(usize, usize, &str)> = Vec::new();
    for c in candidates {
        let s = c.span;
        if line_no < s.line || line_no > s.end_line {
            continue;
        }
        let from = if line_no == s.line {
            s.column.saturating_sub(1) as usize
        } else {
            0
        };
        let to = if line_no == s.end_line {
            (s.end_column.saturating_sub(1) as usize).min(chars.len())
        } else {
            chars.len()
        };
        if from < to {
            cut.push((from, to, c.preview.as_str()));
        }
    }
    cut.sort();
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (from, to, shown) in cut {
        if from < at {
            at = at.max(to);
            continue;
        }
        out.extend(&chars[at..from]);
        out.push_str(shown);
        at = to;
    }
    if at < chars.len() {
        out.extend(&chars[at..]);
    }
    crate::redact::redact_line(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every credential below is made up for these tests; none is or was ever valid.
    const TG: &str = "7391048265:AAGx3Vb9QmZr2TfKp7WnLc5Yd8HsJq4Ue1o";
    const DISCORD: &str =
        "MTE3NzE5MjUwNjQ4MzE0MzgwOA.Gk3x9a.Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA7eQ2iR";

    #[test]
    fn host_lists_are_not_random_values() {
        // Redacting these garbles service names everywhere the report quotes them.
        assert!(!looks_random(
            "redis-node-1:7379,redis-node-2:7380,redis-node-3:7381",
            16
        ));
        assert!(!looks_random("kafka-1:9092;kafka-2:9092", 16));
        assert!(looks_random("q8Zr2TfKp7WnLc5Yd8HsJq4Ue1o", 16));
    }

    fn kinds(text: &str) -> Vec<SecretKind> {
        scan_tokens(text).hits.iter().map(|h| h.kind).collect()
    }

    fn jwt(role: &str) -> String {
        let b64 = |s: &str| -> String {
            const A: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let bytes = s.as_bytes();
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
                    << (8 * (3 - chunk.len()));
                for k in 0..=chunk.len() {
                    out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
                }
            }
            out
        };
        format!(
            "{}.{}.{}",
            b64(r#"{"alg":"HS256","typ":"JWT"}"#),
            b64(&format!(
                r#"{{"iss":"supabase","ref":"qwkzjhdtnbvcr","role":"{role}","iat":1700000000,"exp":2015000000}}"#
            )),
            "Hq3vZ9kL2mX7pR4tW8yB1nC6fJ0sD5gA3eK9uQ2iOw"
        )
    }

    #[test]
    fn provider_formats() {
        assert_eq!(
            kinds(&format!("const t = '{TG}';")),
            vec![SecretKind::TelegramBotToken]
        );
        assert_eq!(
            kinds(&format!("https://api.telegram.org/bot{TG}/sendMessage")),
            vec![SecretKind::TelegramBotToken]
        );
        assert_eq!(
            kinds(&format!("client.login('{DISCORD}')")),
            vec![SecretKind::DiscordBotToken]
        );
        assert_eq!(
            kinds("stripe = Stripe('sk_live_51Nq8ZrKx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8Ok')"),
            vec![SecretKind::StripeSecretKey]
        );
        let test_key = scan_tokens("sk_test_51Nq8ZrKx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8Ok").hits;
        assert_eq!(test_key[0].severity, Severity::Low);
        assert_eq!(
            kinds("token = 'ghp_Zr8Kx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8O'"),
            vec![SecretKind::GitHubToken]
        );
        assert_eq!(
            kinds("glpat-Kx2Lw9TvB4mYc7Hd3Jf6"),
            vec![SecretKind::GitLabToken]
        );
        assert_eq!(
            kinds("xoxb-2048730956-4096218397513-Zr8Kx2Lw9TvB4mYc7Hd3Jf6G"),
            vec![SecretKind::SlackToken]
        );
        assert_eq!(
            kinds("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"),
            vec![SecretKind::GoogleOAuthClientSecret]
        );
        assert_eq!(
            kinds("key='sk-proj-Zr8Kx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8OkQw3Ez7Nb2Xv4'"),
            vec![SecretKind::OpenAiStyleKey]
        );
        assert_eq!(
            kinds(&jwt("service_role")),
            vec![SecretKind::SupabaseServiceRoleKey]
        );
        let anon = scan_tokens(&jwt("anon"));
        assert!(anon.hits.is_empty() && anon.public);
        assert_eq!(
            kinds("DATABASE_URL=postgres://app:Wq8zN3kL5vR2@db.eu-west.example.net:5432/app"),
            vec![SecretKind::ConnectionStringPassword]
        );
        let managed = scan_tokens(
            "url = postgresql://postgres.abc:Wq8zN3kL5vR2@aws-1-eu-central-1.pooler.supabase.com:5432/postgres",
        )
        .hits;
        assert_eq!(managed[0].kind, SecretKind::ConnectionStringPassword);
        assert_eq!(managed[0].severity, Severity::Blocker);
        let own =
            scan_tokens("DATABASE_URL=postgres://app:Wq8zN3kL5vR2@db.eu-west.example.net/app").hits;
        assert_eq!(own[0].severity, Severity::High);
        let yookassa =
            scan_tokens("SECRET = 'live_Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA7eQ2iR_Zq8r'").hits;
        assert_eq!(yookassa[0].kind, SecretKind::YooKassaSecretKey);
        assert_eq!(yookassa[0].severity, Severity::Blocker);
        let yookassa_test = scan_tokens("test_Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA7eQ2iR_Zq8r").hits;
        assert_eq!(yookassa_test[0].severity, Severity::Low);
        // Identifiers that start with the same words are no keys.
        assert!(
            scan_tokens("live_streams_of_the_channel_are_listed_here_by_id")
                .hits
                .is_empty()
        );
        let xprv = scan_tokens(
            "const XPRV = 'xprv9s217zYKJrg47YYNxF3ZPJLaXgF7f5ehsWnVk38jQjCFwL2R6CArdsTM3QppvJ8PqjdSHHbsNmVy8hoZU5zG2Fm96aw8yKiFKoW7BNCEGuf';",
        )
        .hits;
        // BIP32's published test vector is an example, not a wallet.
        assert!(
            scan_tokens(
                "const TEST_XPRV = 'xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi';"
            )
            .hits
            .is_empty()
        );
        assert_eq!(xprv[0].kind, SecretKind::WalletPrivateKey);
        assert_eq!(xprv[0].severity, Severity::Blocker);
        let live = scan_tokens("provider_token: '350862534:LIVE:Zq8rT2vB7nL4pW6sY1cK'").hits;
        assert_eq!(live[0].kind, SecretKind::TelegramPaymentToken);
        assert_eq!(live[0].severity, Severity::Blocker);
        let test = scan_tokens("provider_token: '350862534:TEST:Zq8rT2vB7nL4pW6sY1cK'").hits;
        assert_eq!(test[0].severity, Severity::Low);
        assert_eq!(
            kinds(
                "https://discord.com/api/webhooks/1177192506483143808/Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA7eQ2iRZq8rT2vB7nL4pW6sY1cK9mD3fH5jX0"
            ),
            vec![SecretKind::DiscordWebhook]
        );
    }

    #[test]
    fn placeholders_docs_examples_and_look_alikes_are_not_secrets() {
        for text in [
            "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
            "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "1234567890:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi",
            "98765432101:AaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQ",
            "BOT_TOKEN=your_bot_token_here",
            "sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "sk-your-openai-key-goes-in-this-place-please",
            "task-0123456789abcdefghijklmnopqrstuvwxyz0123",
            "AKIAIOSFODNN7EXAMPLE",
            "postgres://postgres:postgres@localhost:5432/db",
            "postgres://user:${DB_PASSWORD}@db.example.net/app",
            "redis://:Wq8zN3kL5vR2@redis:6379",
            "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "550e8400-e29b-41d4-a716-446655440000",
        ] {
            assert!(scan_tokens(text).hits.is_empty(), "{text}");
        }
    }

    #[test]
    fn aws_ids_need_their_secret() {
        let hits = scan_tokens("aws_access_key_id = AKIAZ7QX4M2LBRN5VW3K").hits;
        assert_eq!(hits.len(), 1);
        assert!(hits[0].needs_pair);
        let secret = scan_value("Zr8Kx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8OkQw3", None);
        assert!(secret[0].needs_pair);
        let named = scan_value(
            "Zr8Kx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8OkQw3",
            Some("aws_secret_access_key"),
        );
        assert!(!named[0].needs_pair);
    }

    #[test]
    fn pem_private_keys() {
        let body: String = (0..12)
            .map(|k| {
                format!("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC{k:02}Zr8Kx2Lw9Tv\n")
            })
            .collect();
        let key = format!("-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n");
        let hits = scan_tokens(&key).hits;
        assert_eq!(hits.len(), 1);
        assert_eq!(&key[hits[0].end - 5..hits[0].end], "-----");
        let escaped = key.replace('\n', "\\n");
        assert_eq!(kinds(&escaped), vec![SecretKind::PrivateKey]);
        let public = key.replace("PRIVATE", "PUBLIC");
        assert!(kinds(&public).is_empty());
        let found = scan_text(&format!("a: 1\nkey: |\n  {}", key.replace('\n', "\n  ")));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].span.line, found[0].span.end_line), (3, 16));
    }

    #[test]
    fn key_material_that_spells_a_placeholder_word_by_chance_is_still_a_key() {
        // A DER sequence (0x30 0x82 …) whose base64 happens to contain `FAkE` and `HeRE`, the
        // way about one 1024-bit RSA key in 16 does.
        let lines: String = (0..10)
            .map(|k| {
                format!("MIICXAIBAAKBgQ{k}FAkEZr8Kx2Lw9TvBHeRE4mYc7Hd3Jf6Gp1Ra0Se5Ui8OkQw3Ez7\n")
            })
            .collect();
        let key =
            format!("-----BEGIN RSA PRIVATE KEY-----\n{lines}-----END RSA PRIVATE KEY-----\n");
        assert_eq!(kinds(&key), vec![SecretKind::PrivateKey]);
        // A stand-in someone typed is not.
        let typed =
            "-----BEGIN RSA PRIVATE KEY-----\nyour private key here\n-----END RSA PRIVATE KEY-----";
        assert!(kinds(typed).is_empty());
        assert!(has_mark("my_Fake_key", "my_fake_key", "fake"));
        assert!(has_mark("MY_FAKE_KEY", "my_fake_key", "fake"));
        assert!(!has_mark("x9FAkEq", "x9fakeq", "fake"));
    }

    #[test]
    fn connection_string_passwords_with_shell_punctuation() {
        assert_eq!(
            kinds("const url = 'postgres://app:Wq8z!N3$kL#5v&R2@db.eu-west.example.net:5432/app';"),
            vec![SecretKind::ConnectionStringPassword]
        );
        assert_eq!(
            kinds("url = \"postgresql://app:Zr8K?x2Lw9T@db.prod.example.net/app\""),
            vec![SecretKind::ConnectionStringPassword]
        );
        // SQLAlchemy's driver suffix is still a database URL.
        assert_eq!(
            kinds(
                "dsn: str = \"postgresql+asyncpg://app:Zr8Kx2Lw9Tq4@db.prod.example.net:6432/app\""
            ),
            vec![SecretKind::ConnectionStringPassword]
        );
        for slot in [
            "postgres://app:$DB_PASSWORD@db.example.net/app",
            "postgres://app:${DB_PASSWORD}@db.example.net/app",
            "postgres://app:{db_pass}@db.example.net/app",
            "redis://cache.example.net:6379?client=a@b",
        ] {
            assert!(kinds(slot).is_empty(), "{slot}");
        }
    }

    #[test]
    fn secret_names() {
        for n in [
            "token",
            "BOT_TOKEN",
            "apiKey",
            "x-api-key",
            "client_secret",
            "DB_PASSWORD",
            "secretKey",
            "Authorization",
            "webhookSecret",
            "smtp_pass",
        ] {
            assert!(secret_name(n), "{n}");
        }
        for n in [
            "token_url",
            "secretName",
            "publicKey",
            "RECAPTCHA_SITE_KEY",
            "cache_key",
            "key",
            "primaryKey",
            "TOKEN_TTL",
            "GOOGLE_CLIENT_ID",
            "tokenizer",
            "SUPABASE_ANON_KEY",
        ] {
            assert!(!secret_name(n), "{n}");
        }
    }

    #[test]
    fn named_values() {
        let hit = scan_value("3d6f45a5fc12445dbac2f59c3b6c7cb1", Some("SECRET_KEY"));
        assert_eq!(hit[0].kind, SecretKind::NamedSecret);
        assert_eq!(hit[0].severity, Severity::Medium);
        for (value, name) in [
            ("3d6f45a5fc12445dbac2f59c3b6c7cb1", "commit_hash"),
            ("my-app-production-2024", "secret"),
            ("ThisIsMyVeryLongPassword2024", "password"),
            ("change_me_in_production_1234", "JWT_SECRET"),
            (
                "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
                "password",
            ),
            (
                "pbkdf2_sha256$260000$Zq8rT2vB7nL4pW6s$Y1cK9mD3fH5jX0uA7eQ2iR",
                "password",
            ),
            ("process.env.BOT_TOKEN", "token"),
            ("https://api.example.com/v1/oauth2/token", "token"),
        ] {
            assert!(scan_value(value, Some(name)).is_empty(), "{name} = {value}");
        }
        let bearer = scan_value(
            "Bearer 9fK2xQ7vL3mN8pR1tW5yZ0bC4dG6hJ",
            Some("Authorization"),
        );
        assert_eq!(bearer.len(), 1);
        assert_eq!(bearer[0].start, 7);
        let twilio = scan_value(
            "8f3c2a1b9d7e6f5a4c3b2a1908f7e6d5",
            Some("TWILIO_AUTH_TOKEN"),
        );
        assert_eq!(twilio[0].kind, SecretKind::TwilioCredential);
        // A Supabase anon key is public by design, whatever it is called.
        assert!(scan_value(&jwt("anon"), Some("SUPABASE_KEY")).is_empty());
        // Encrypted values are meant to be committed.
        let sealed = "encrypted:BDqH4x8Zq8rT2vB7nL4pW6sY1cK9mD3fH5jX0uA7eQ2iRw4Nb6Vc8Xz";
        assert!(scan_value(sealed, Some("DISCORD_TOKEN")).is_empty());
        assert_eq!(
            env_value_look(sealed, 12),
            ValueLook {
                provider: None,
                random: false
            }
        );
        assert!(env_value_look("Zq8rT2vB7nL4pW6sY1cK", 12).random);
    }

    #[test]
    fn config_lines() {
        let text = format!(
            "{{\n  \"prefix\": \"!\",\n  \"token\": \"{DISCORD}\",\n  \"clientSecret\": \"Zr8Kx2Lw9TvB4mYc7Hd3\"\n}}\n\nservices:\n  bot:\n    environment:\n      - BOT_TOKEN={TG}\n      - API_KEY=${{API_KEY}}\nENV OPENAI_API_KEY sk-Zr8Kx2Lw9TvB4mYc7Hd3Jf6Gp1Ra0Se5Ui8OkQw3Ez7Nb2Xv4\n"
        );
        let found = scan_text(&text);
        let got: Vec<(u32, SecretKind, Option<&str>)> = found
            .iter()
            .map(|c| (c.span.line, c.kind, c.name.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, SecretKind::DiscordBotToken, Some("token")),
                (4, SecretKind::NamedSecret, Some("clientSecret")),
                (10, SecretKind::TelegramBotToken, Some("BOT_TOKEN")),
                (12, SecretKind::OpenAiStyleKey, Some("OPENAI_API_KEY")),
            ]
        );
        let line = text.lines().nth(2).unwrap_or_default();
        let shown = redact_candidates(3, line, &found);
        assert!(!shown.contains("Gk3x9a"), "{shown}");
        assert!(shown.contains("\"token\": \"MTE3…("), "{shown}");
    }

    #[test]
    fn candidates_keep_no_value() {
        let hits = scan_value(TG, Some("BOT_TOKEN"));
        let c = SecretCandidate::new(&hits[0], TG, Some("BOT_TOKEN"), Span::line(1));
        let json = serde_json::to_string(&c).unwrap_or_default();
        assert!(!json.contains("AAGx3Vb9"), "{json}");
        assert_eq!(c.preview, "7391…(46)");
        assert_eq!(c.digest.len(), 64);
    }

    #[test]
    fn bad_input_never_panics() {
        let nasty = [
            "-----BEGIN PRIVATE KEY-----\n".to_string() + &"é".repeat(3000),
            "-----BEGIN PRIVATE KEY-----\nx".to_string() + &"é".repeat(3000),
            "-----BEGIN ".to_string(),
            "-----BEGIN RSA PRIVATE KEY-----".to_string(),
            "postgres://ü:ß@é".to_string(),
            "mongodb://:@".to_string(),
            "\"key\": \"\\".to_string(),
            "\"k\\é\": \"v\\é".to_string(),
            "1234567890:".to_string() + &"é".repeat(40),
            "sk-".repeat(30),
            "eyJ.eyJ.".repeat(20),
            "/api/webhooks/".repeat(5) + "12345678901234567890/",
            "hooks.slack.com/services/".to_string(),
            "AKIA".to_string(),
            "xoxb-".to_string() + &"-".repeat(40),
            "ENV ".to_string(),
            "export =".to_string(),
            "'unterminated: value".to_string(),
            "a".repeat(70_000),
        ];
        for text in &nasty {
            let _ = scan_tokens(text);
            let _ = scan_text(text);
            let _ = scan_value(text, Some("token"));
            let _ = line_assignments(text);
            let _ = env_value_look(text, 12);
            let _ = redact_candidates(1, text, &scan_text(text));
        }
    }

    #[test]
    fn base64_and_entropy() {
        assert_eq!(base64_decode("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("a b"), None);
        assert!(entropy("aaaa") < 0.01);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    }
}
