//! What secret values mean: placeholders and weak defaults, values that look like real
//! credentials, which keys the service issues itself, and whether code recognises a value.
//! Shared by the placeholder, example, permission and debug rules.

use crate::context::ProjectContext;
use crate::env_keys::is_secret_key;
use flightcheck_project::EnvFile;

/// Why a value is no real secret, and whether it may be shown in a report: a placeholder
/// (`your_token_here`) may; a weak but real value (`supersecret2024`) is still the secret in
/// use and is only previewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weakness {
    pub reason: &'static str,
    pub show: bool,
}

/// Whether `key` names a value that is itself a secret (`*_SECRET`, `*_TOKEN`, `*_KEY`,
/// `*_PASSWORD`…), not a setting about one (`PASSWORD_HASHER`, `SECRET_ROTATION_DAYS`) and
/// not a URL that embeds one (`SENTRY_DSN`).
pub fn holds_secret(key: &str) -> bool {
    if !is_secret_key(key) {
        return false;
    }
    let upper = key.to_ascii_uppercase();
    let last = upper
        .rsplit(['_', '-', '.'])
        .find(|t| !t.is_empty())
        .unwrap_or("");
    matches!(
        last,
        "SECRET"
            | "TOKEN"
            | "KEY"
            | "PASSWORD"
            | "PASS"
            | "PASSWD"
            | "PWD"
            | "APIKEY"
            | "SALT"
            | "PASSPHRASE"
            | "SECRETKEY"
    ) || upper.ends_with("SECRET")
        || upper.ends_with("PASSWORD")
        || upper.ends_with("TOKEN")
}

/// Parts of a key that name a third party issuing the credential: a placeholder there fails
/// loudly at the provider instead of opening a hole.
const PROVIDER_TOKENS: &[&str] = &[
    "BOT",
    "TELEGRAM",
    "TG",
    "DISCORD",
    "SLACK",
    "STRIPE",
    "PAYPAL",
    "YOOKASSA",
    "OPENAI",
    "ANTHROPIC",
    "GEMINI",
    "GROQ",
    "MISTRAL",
    "DEEPSEEK",
    "HUGGINGFACE",
    "HF",
    "REPLICATE",
    "GITHUB",
    "GITLAB",
    "GOOGLE",
    "GCP",
    "AWS",
    "AZURE",
    "TWILIO",
    "SENDGRID",
    "MAILGUN",
    "SMTP",
    "MAIL",
    "EMAIL",
    "GMAIL",
    "SUPABASE",
    "FIREBASE",
    "SENTRY",
    "CLIENT",
    "CONSUMER",
    "OAUTH",
    "API",
    "APIKEY",
    "ACCESS",
    "CLOUDINARY",
    "NOTION",
    "SPOTIFY",
    "YOUTUBE",
    "TWITTER",
    "VK",
    "YANDEX",
    "WEATHER",
    "MAPS",
    "PINECONE",
    "ELEVENLABS",
    "NGROK",
    "VERCEL",
    "CLOUDFLARE",
    "LAVALINK",
    "GENIUS",
];

/// Parts of a key that name a secret the service itself issues and checks (it signs,
/// encrypts or compares with it), so any value is accepted.
const SELF_TOKENS: &[&str] = &[
    "JWT",
    "SESSION",
    "COOKIE",
    "SIGNING",
    "SIGN",
    "ENCRYPTION",
    "ENCRYPT",
    "CRYPT",
    "CRYPTO",
    "HMAC",
    "SALT",
    "PEPPER",
    "CSRF",
    "NEXTAUTH",
    "AUTH",
    "ADMIN",
    "SUPERUSER",
    "MASTER",
    "INTERNAL",
    "BASIC",
    "ROOT",
    "FLASK",
    "DJANGO",
    "APP",
    "POSTGRES",
    "POSTGRESQL",
    "PG",
    "MYSQL",
    "MARIADB",
    "MONGO",
    "MONGODB",
    "REDIS",
    "RABBITMQ",
    "DB",
    "DATABASE",
    "WEBHOOK",
    "SHARED",
    "HASH",
];

/// Who issues a secret, which decides what a weak value does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// The service itself signs, encrypts or compares with it (JWT, session, webhook and
    /// admin secrets, `SECRET_KEY`, passwords of databases it provisions): any value is
    /// accepted, so a weak one is a hole.
    Own,
    /// A provider issues it (bot tokens, API keys, OAuth client secrets): the provider
    /// rejects a placeholder.
    Provider,
    /// The name says neither (`LASTFM_SECRET`, `PROXY_PASSWORD`).
    Unknown,
}

/// Who issues the secret `key` names.
pub fn secret_kind(key: &str) -> SecretKind {
    let upper = key.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "SECRET" | "SECRET_KEY" | "SECRETKEY" | "SECRET_KEY_BASE"
    ) {
        return SecretKind::Own;
    }
    let tokens: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|t| !t.is_empty())
        .collect();
    // `ADMIN_BOT_TOKEN` is still Telegram's; `APP_SECRET` with a provider name too.
    if tokens.iter().any(|t| PROVIDER_TOKENS.contains(t)) {
        SecretKind::Provider
    } else if tokens.iter().any(|t| SELF_TOKENS.contains(t)) {
        SecretKind::Own
    } else {
        SecretKind::Unknown
    }
}

/// The kind of the secret an env read holds: the variable's name, or the name the code
/// binds it to when that says more (`SECRET_KEY = os.getenv("CONDUIT_SECRET", …)`,
/// `session({ secret: process.env.X })`).
pub fn read_kind(name: &str, bound_to: Option<&str>) -> SecretKind {
    match (secret_kind(name), bound_to.map(secret_kind)) {
        (SecretKind::Own, _) | (_, Some(SecretKind::Own)) => SecretKind::Own,
        (SecretKind::Provider, _) => SecretKind::Provider,
        (SecretKind::Unknown, Some(SecretKind::Provider)) => SecretKind::Provider,
        (SecretKind::Unknown, _) => SecretKind::Unknown,
    }
}

/// Whether the service itself accepts any value for `key` ([`SecretKind::Own`]).
pub fn self_issued(key: &str) -> bool {
    secret_kind(key) == SecretKind::Own
}

/// Parts of a key that name a database or broker: its password is the service's own only
/// when the deployment provisions that service.
const SERVICE_TOKENS: &[(&str, &str)] = &[
    ("POSTGRES", "postgres"),
    ("POSTGRESQL", "postgres"),
    ("PG", "postgres"),
    ("MYSQL", "mysql"),
    ("MARIADB", "mariadb"),
    ("MONGO", "mongo"),
    ("MONGODB", "mongo"),
    ("REDIS", "redis"),
    ("RABBITMQ", "rabbitmq"),
    ("DB", ""),
    ("DATABASE", ""),
];

/// Whether `key` is the password of a database or broker (`POSTGRES_PASSWORD`,
/// `DB_PASSWORD`). It is the service's own secret only when the deploy files provision that
/// database: they name the key, or load an env file into a container of that image
/// (`env_file:` with `image: postgres`). An external database rejects a template's value.
pub fn is_service_password(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let tokens: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|t| !t.is_empty())
        .collect();
    SERVICE_TOKENS.iter().any(|(t, _)| tokens.contains(t))
}

/// Whether the project's deploy files provision what `key` configures (see
/// [`is_service_password`]).
pub fn provisioned_by_deploy(ctx: &ProjectContext, key: &str) -> bool {
    let words = &ctx.project.deploy_words;
    if words.contains(key) {
        return true;
    }
    let upper = key.to_ascii_uppercase();
    let tokens: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|t| !t.is_empty())
        .collect();
    words.contains("env_file")
        && SERVICE_TOKENS.iter().any(|(t, image)| {
            !image.is_empty()
                && tokens.contains(t)
                && words
                    .iter()
                    .any(|w| w.to_ascii_lowercase().starts_with(image))
        })
}

/// Words weak values are made of (`supersecret`, `my_jwt_secret_key`, `change-me-please`).
const WEAK_WORDS: &[&str] = &[
    "super",
    "my",
    "top",
    "very",
    "secret",
    "secrets",
    "key",
    "keys",
    "jwt",
    "token",
    "password",
    "passwd",
    "pass",
    "admin",
    "default",
    "dev",
    "test",
    "testing",
    "app",
    "session",
    "cookie",
    "signing",
    "sign",
    "private",
    "api",
    "auth",
    "the",
    "a",
    "this",
    "is",
    "not",
    "some",
    "random",
    "long",
    "string",
    "change",
    "me",
    "it",
    "your",
    "here",
    "please",
    "shh",
    "hash",
    "salt",
    "encryption",
    "value",
    "local",
    "prod",
    "production",
    "development",
    "example",
    "sample",
    "demo",
    "django",
    "flask",
    "express",
    "node",
    "bot",
    "web",
    "server",
    "hello",
    "world",
    "qwerty",
    "abc",
    "xyz",
    "foo",
    "bar",
    "baz",
    "user",
    "root",
    "postgres",
    "mysql",
    "redis",
    "db",
    "database",
    "guest",
    "letmein",
    "keyboard",
    "cat",
    "insecure",
    "unsafe",
    // `secure_password`, `strong_password`, `safe_pass`: a promise, not a password.
    "secure",
    "strong",
    "safe",
    "temp",
    "mongo",
    "postgresql",
    "dummy",
    "fake",
    "mock",
    "placeholder",
    "todo",
    // Tutorial defaults copied into real apps: `you-will-never-guess`, `hard to guess string`.
    "you",
    "will",
    "never",
    "guess",
    "hard",
    "to",
    "so",
];

/// Exact values that are well-known defaults.
const WEAK_VALUES: &[&str] = &[
    "secret",
    "password",
    "pass",
    "passwd",
    "admin",
    "root",
    "test",
    "testing",
    "dev",
    "development",
    "default",
    "token",
    "key",
    "apikey",
    "demo",
    "qwerty",
    "letmein",
    "abc",
    "abc123",
    "abcdef",
    "mysecret",
    "supersecret",
    "topsecret",
    "secretkey",
    "jwtsecret",
    "keyboardcat",
    "s3cr3t",
    "p4ssw0rd",
    "passw0rd",
    "postgres",
    "mysql",
    "guest",
    "user",
    "example",
    "sample",
    "none",
    "null",
    "undefined",
    "nil",
    "empty",
    "foo",
    "bar",
    "foobar",
    "hello",
    "helloworld",
    "prod",
    "production",
    "local",
    "secret123",
    "password123",
    "admin123",
    "changethis",
    "changeme",
];

/// Fragments that mark a value as a placeholder to be replaced.
const PLACEHOLDER_FRAGMENTS: &[&str] = &[
    "changeme",
    "changethis",
    "changeit",
    "changeinproduction",
    "replaceme",
    "replacethis",
    "replacewith",
    "fillme",
    "fillin",
    "setme",
    "todo",
    "fixme",
    "tbd",
    "placeholder",
    "dummy",
    "notasecret",
    "notreal",
    "yourtoken",
    "yoursecret",
    "yourkey",
    "yourpassword",
    "yourapi",
    "yourbot",
    "insertyour",
    "enteryour",
    "pasteyour",
    "putyour",
    "addyour",
    "generateone",
    "generatewith",
];

/// A run of characters that looks random (a real key inside a placeholder-looking value).
fn has_random_part(value: &str) -> bool {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|run| {
            let digits = run.bytes().filter(u8::is_ascii_digit).count();
            let letters = run.bytes().filter(u8::is_ascii_alphabetic).count();
            run.len() >= 20 || (run.len() >= 12 && digits >= 2 && letters >= 2)
        })
}

/// Whether `compact` (lower-case letters and digits) splits entirely into [`WEAK_WORDS`]
/// and digits, with at least one word.
fn made_of_weak_words(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    let n = bytes.len();
    // reachable[i]: compact[..i] splits; words[i]: with at least one word.
    let mut reachable = vec![false; n + 1];
    let mut words = vec![false; n + 1];
    reachable[0] = true;
    for i in 0..n {
        if !reachable[i] {
            continue;
        }
        if bytes[i].is_ascii_digit() {
            let mut j = i;
            while j < n && bytes[j].is_ascii_digit() {
                j += 1;
            }
            reachable[j] = true;
            words[j] |= words[i];
        }
        for w in WEAK_WORDS {
            if compact[i..].starts_with(w) {
                reachable[i + w.len()] = true;
                words[i + w.len()] = true;
            }
        }
    }
    reachable[n] && words[n]
}

/// Whether `value` holds no secret in clear: a reference to another variable
/// (`${DB_PASSWORD}`, `$SECRET`) or a value encrypted for dotenvx (`encrypted:…`), which
/// only the holder of the private key can read.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.contains("${") || (v.starts_with('$') && v.len() > 1) || v.starts_with("encrypted:")
}

/// Whether an env file will be deployed: production and plain env files, not templates,
/// development files, nor env files of tests and examples (`tests/test.env`).
pub fn deployable(env: &EnvFile) -> bool {
    let in_tests = flightcheck_project::workspace::is_test_file(&env.rel)
        || env.rel.split('/').rev().skip(1).any(|d| {
            matches!(
                d.to_ascii_lowercase().as_str(),
                "examples" | "example" | "samples" | "sample" | "docs" | "fixtures" | "testdata"
            )
        });
    matches!(
        env.role,
        flightcheck_project::EnvRole::Production | flightcheck_project::EnvRole::Deployed
    ) && !in_tests
}

/// Why `value` is no real secret: a placeholder or a weak default. `None` for values that
/// could be real secrets (and for empty values and references).
pub fn weakness(value: &str) -> Option<Weakness> {
    let v = value.trim();
    if v.is_empty() || is_reference(v) {
        return None;
    }
    let lower = v.to_ascii_lowercase();
    let random = has_random_part(v);
    if lower.starts_with("django-insecure") {
        return Some(Weakness {
            reason: "Django's generated development key (`django-insecure-…`)",
            show: false,
        });
    }
    let wrapped = (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || (v.starts_with('[') && v.ends_with(']') && v.chars().any(|c| c.is_alphabetic()));
    if wrapped {
        return Some(Weakness {
            reason: "a template marker",
            show: !random,
        });
    }
    // `BOT DISCORD TOKEN`, `YOUR DATABASE URL`: a capitalised phrase naming what goes
    // there. No provider issues credentials with spaces in them.
    if v.split_whitespace().count() >= 2
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c == ' ' || c == '_' || c == '-')
    {
        return Some(Weakness {
            reason: "a placeholder",
            show: true,
        });
    }
    let compact: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if compact.is_empty() {
        return Some(Weakness {
            reason: "a placeholder",
            show: true,
        });
    }
    let first = compact.as_bytes()[0];
    if compact.len() >= 3 && compact.bytes().all(|b| b == first) {
        return Some(Weakness {
            reason: "a placeholder",
            show: true,
        });
    }
    if PLACEHOLDER_FRAGMENTS.iter().any(|f| compact.contains(f))
        || compact.starts_with("your")
        || (compact.ends_with("here") && compact.len() > 4)
        || lower.starts_with("xxx")
        || lower.ends_with("xxx")
    {
        return Some(Weakness {
            reason: "a placeholder",
            show: !random,
        });
    }
    if WEAK_VALUES.contains(&compact.as_str()) || is_sequence(&compact) {
        return Some(Weakness {
            reason: "a well-known weak value",
            show: true,
        });
    }
    if made_of_weak_words(&compact) {
        return Some(Weakness {
            reason: "made of dictionary words",
            show: false,
        });
    }
    if v.chars().count() < 8 {
        return Some(Weakness {
            reason: "too short to be a secret",
            show: false,
        });
    }
    let distinct: std::collections::HashSet<char> = v.chars().collect();
    if distinct.len() <= 3 {
        return Some(Weakness {
            reason: "too little entropy to be a secret",
            show: false,
        });
    }
    None
}

/// `123456…`, `abcdef…`, `qwerty…`.
fn is_sequence(compact: &str) -> bool {
    compact.len() >= 4
        && ("1234567890".starts_with(compact)
            || "0123456789".starts_with(compact)
            || "abcdefghijklmnopqrstuvwxyz".starts_with(compact)
            || "qwertyuiop".starts_with(compact))
}

/// The Telegram Bot API documentation's sample token and similar published examples.
pub fn is_docs_example(value: &str) -> bool {
    let v = value.trim();
    v == "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
        || v.starts_with("123456789:AA")
        || v.starts_with("1234567890:AA")
        || v.contains("EXAMPLE")
        || v.to_ascii_lowercase().contains("example")
}

/// Why `value` looks like a real credential (a shape providers issue, or a long random
/// string); `None` for placeholders, docs examples and words.
pub fn looks_real(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.is_empty() || is_reference(v) || is_docs_example(v) || weakness(v).is_some() {
        return None;
    }
    // Runs typed by hand (`0123456789abcdef…`, the `ABCdef…` of `123456789:ABCdef…`) are
    // placeholders, as the secret scanners judge them.
    let typed = flightcheck_core::secrets::is_placeholder;
    // Test-mode and publishable keys are meant to be shared or carry no money.
    if ["sk_test_", "rk_test_", "pk_test_", "pk_live_"]
        .iter()
        .any(|p| v.starts_with(p))
    {
        return None;
    }
    if let Some((id, rest)) = v.split_once(':')
        && (6..=12).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && rest.len() >= 30
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return (!typed(rest)).then_some("the shape of a Telegram bot token");
    }
    const PREFIXES: [(&str, &str); 10] = [
        ("sk_live_", "a Stripe live secret key"),
        ("rk_live_", "a Stripe live restricted key"),
        ("sk-proj-", "an OpenAI project key"),
        ("sk-ant-", "an Anthropic key"),
        ("ghp_", "a GitHub token"),
        ("github_pat_", "a GitHub token"),
        ("glpat-", "a GitLab token"),
        ("xoxb-", "a Slack bot token"),
        ("GOCSPX-", "a Google OAuth client secret"),
        ("AKIA", "an AWS access key id"),
    ];
    for (prefix, what) in PREFIXES {
        if v.starts_with(prefix) && v.len() >= prefix.len() + 16 {
            return Some(what);
        }
    }
    if v.contains(char::is_whitespace) || v.len() < 24 || typed(v) {
        return None;
    }
    let alnum = v.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    if alnum * 10 < v.len() * 8 {
        return None;
    }
    let hex = v.bytes().all(|b| b.is_ascii_hexdigit());
    let lower = v.bytes().any(|b| b.is_ascii_lowercase());
    let upper = v.bytes().any(|b| b.is_ascii_uppercase());
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    let distinct = v.bytes().collect::<std::collections::HashSet<_>>().len();
    if (hex && v.len() >= 32 && digits >= 4 && distinct >= 10)
        || (lower && upper && digits >= 3 && distinct >= 14)
    {
        return Some("a long random value");
    }
    None
}

/// How a value may appear in a report: placeholders as written, everything else as a
/// redacted preview.
pub fn shown(value: &str, weakness: Option<Weakness>) -> String {
    match weakness {
        Some(w) if w.show => format!("`{}`", flightcheck_core::text::truncate(value, 40)),
        _ => format!("`{}`", flightcheck_core::redact::preview(value)),
    }
}

/// Where reachable code compares against `value` (`if value == "changethis": raise`): the
/// program recognises the placeholder and rejects it.
pub fn rejected_by_code(ctx: &ProjectContext, value: &str) -> Option<(usize, u32)> {
    let v = value.trim();
    if v.len() < 3 {
        return None;
    }
    let quoted = [format!("\"{v}\""), format!("'{v}'"), format!("`{v}`")];
    for i in ctx.reachable_sources() {
        let Some(text) = ctx.files[i].text.as_deref() else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            if !quoted.iter().any(|q| line.contains(q.as_str())) {
                continue;
            }
            let compares = [
                "==",
                "!=",
                " in ",
                ".includes(",
                "startsWith(",
                "startswith(",
            ]
            .iter()
            .any(|op| line.contains(op));
            if compares {
                return Some((i, n as u32 + 1));
            }
        }
    }
    None
}

/// The variable an env file sets to say it configures development (`NODE_ENV=development`,
/// `ENVIRONMENT=local`), with its line.
pub fn declares_development(env: &EnvFile) -> Option<(String, u32)> {
    for key in [
        "NODE_ENV",
        "ENV",
        "ENVIRONMENT",
        "APP_ENV",
        "PYTHON_ENV",
        "FLASK_ENV",
        "DJANGO_ENV",
        "RAILS_ENV",
        "STAGE",
    ] {
        if let Some(e) = env.parsed.get(key)
            && matches!(
                e.value.to_ascii_lowercase().as_str(),
                "development" | "dev" | "local" | "test" | "testing"
            )
        {
            return Some((format!("{key}={}", e.value), e.line));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_weak_values() {
        for (v, show) in [
            ("changeme", true),
            ("change_me_in_production", true),
            ("your_token_here", true),
            ("<your-jwt-secret>", true),
            ("xxx", true),
            ("XXXXXXXX", true),
            ("secret", true),
            ("123456", true),
            ("keyboard cat", true),
            ("superSecret", true),
            ("my-jwt-secret-key", false),
            ("you-will-never-guess", false),
            ("hard to guess string", false),
            ("dev", true),
            ("abc12", false),
            ("aaaaaaaaaaaa", true),
            ("BOT DISCORD TOKEN", true),
            ("YOUR DATABASE URL", true),
            ("django-insecure-3x!k@9f0qz#j2w8m1v7c6b5n4", false),
        ] {
            let w = weakness(v);
            assert!(w.is_some(), "{v}");
            assert_eq!(w.map(|w| w.show), Some(show), "{v}");
        }
        for v in [
            "",
            "${JWT_SECRET}",
            "encrypted:BDb7t2Qz9Lx4Wm8Rt3Yb6Nc1Hs5Jd0FgA",
            "CorwinDev",
            "8f4b2c1d9e7a6f5b3c2d1e0f9a8b7c6d",
            "correct horse battery staple",
            "Tr0ub4dor&3xample",
        ] {
            assert_eq!(weakness(v), None, "{v}");
        }
    }

    #[test]
    fn real_looking_values() {
        assert!(looks_real("8123456789:AAFq3lXk9Vb2Zr7YtW4mNp0sQe6Ud1Hc5Jx").is_some());
        assert!(looks_real("sk_live_51Hq2ZrAbCdEfGhIjKlMnOpQr").is_some());
        assert!(
            looks_real("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
                .is_some()
        );
        assert!(looks_real("aZ3kP9qL2mX7vB4nR8tY1wC6").is_some());
        for v in [
            "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
            "your_token_here",
            "change_me_in_production",
            "https://example.com/callback",
            "sk_test_51Hq2ZrAbCdEfGhIjKlMnOpQr",
            "postgres",
        ] {
            assert_eq!(looks_real(v), None, "{v}");
        }
    }

    #[test]
    fn key_kinds() {
        for k in [
            "JWT_SECRET",
            "SESSION_SECRET",
            "SECRET_KEY",
            "ADMIN_PASSWORD",
            "POSTGRES_PASSWORD",
            "WEBHOOK_SECRET",
            "APP_SECRET",
        ] {
            assert!(self_issued(k), "{k}");
        }
        for k in [
            "BOT_TOKEN",
            "OPENAI_API_KEY",
            "STRIPE_WEBHOOK_SECRET",
            "GOOGLE_CLIENT_SECRET",
            "SMTP_PASSWORD",
            "TELEGRAM_TOKEN",
        ] {
            assert_eq!(secret_kind(k), SecretKind::Provider, "{k}");
        }
        for k in ["LASTFM_SECRET", "DASHBOARD_SECRET", "PROXY_PASSWORD"] {
            assert_eq!(secret_kind(k), SecretKind::Unknown, "{k}");
        }
        assert_eq!(
            read_kind("CONDUIT_SECRET", Some("SECRET_KEY")),
            SecretKind::Own
        );
        assert_eq!(read_kind("JWT_SECRET", Some("token")), SecretKind::Own);
        assert_eq!(read_kind("X_SECRET", Some("api_key")), SecretKind::Provider);
        assert!(holds_secret("JWT_SECRET"));
        assert!(!holds_secret("PASSWORD_HASHER"));
        assert!(!holds_secret("SENTRY_DSN"));
        assert!(!holds_secret("SECRET_ROTATION_DAYS"));
    }
}
