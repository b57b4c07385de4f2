//! What env keys and values mean: which keys hold secrets, which values point at this
//! machine. Shared by the config rules.

/// Whether `key` names a secret (`*_SECRET`, `*_TOKEN`, `*_KEY`, `*PASSWORD*`...), and not a
/// public value, an identifier or a path that merely mentions one.
pub fn is_secret_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let tokens: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|t| !t.is_empty())
        .collect();
    let Some(last) = tokens.last() else {
        return false;
    };
    const NOT_SECRET: [&str; 22] = [
        "ID",
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
        "EXPIRATION",
        "LENGTH",
        "HEADER",
        "ALGORITHM",
        "ALG",
        "ENABLED",
        "PREFIX",
        "VERSION",
        "LIFETIME",
    ];
    if NOT_SECRET.contains(last) {
        return false;
    }
    if tokens
        .iter()
        .any(|t| matches!(*t, "PUBLIC" | "PUBLISHABLE" | "PUB"))
    {
        return false;
    }
    const SECRET_LAST: [&str; 12] = [
        "SECRET",
        "TOKEN",
        "KEY",
        "PASSWORD",
        "PASS",
        "PASSWD",
        "PWD",
        "APIKEY",
        "CREDENTIALS",
        "SALT",
        "DSN",
        "PASSPHRASE",
    ];
    SECRET_LAST.contains(last)
        || upper.contains("PASSWORD")
        || upper.contains("SECRET")
        || upper.contains("PRIVATE_KEY")
        || upper.contains("API_KEY")
}

/// The `host:port` part of a URL: after `scheme://` and any userinfo, up to the path.
pub fn host_and_port(value: &str) -> &str {
    let after_scheme = value.split_once("://").map(|(_, r)| r).unwrap_or(value);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority)
}

/// The port of a URL (`http://localhost:3000/api` → `3000`).
pub fn url_port(value: &str) -> Option<&str> {
    let (_, port) = host_and_port(value).rsplit_once(':')?;
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then_some(port)
}

/// The local host a value points at (`localhost`, `127.0.0.1`, `0.0.0.0`, `[::1]`,
/// `host.docker.internal`), if any.
pub fn local_host_in(value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    let host_port = host_and_port(&lower);
    let host = if host_port.starts_with('[') {
        host_port
            .split(']')
            .next()
            .map(|h| h.trim_start_matches('['))
            .unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    match host {
        "localhost" => Some("localhost"),
        "0.0.0.0" => Some("0.0.0.0"),
        "::1" => Some("::1"),
        "host.docker.internal" => Some("host.docker.internal"),
        h if h.starts_with("127.")
            && h.split('.').count() == 4
            && h.split('.').all(|p| p.parse::<u8>().is_ok()) =>
        {
            Some("127.0.0.1")
        }
        h if h.ends_with(".localhost") => Some("localhost"),
        _ => None,
    }
}

/// Keys that hold the address a server listens on, where `0.0.0.0` or `127.0.0.1` is a
/// deliberate choice rather than a target to connect to.
pub fn is_bind_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    matches!(
        upper.as_str(),
        "HOST" | "HOSTNAME" | "ADDR" | "ADDRESS" | "LISTEN" | "SERVER_HOST" | "APP_HOST" | "BIND"
    ) || upper.contains("BIND")
        || upper.contains("LISTEN")
}

/// Keys whose URL other parties (Telegram, payment providers, browsers) must reach.
pub fn is_public_url_key(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let tokens: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|t| !t.is_empty())
        .collect();
    let named = |t: &&str| {
        matches!(
            *t,
            "PUBLIC"
                | "WEBHOOK"
                | "WEBHOOKS"
                | "CALLBACK"
                | "REDIRECT"
                | "FRONTEND"
                | "ORIGIN"
                | "ORIGINS"
                | "DOMAIN"
                | "EXTERNAL"
                | "SITE"
                | "RETURN"
        )
    };
    // Whole tokens only: `DATABASE_URL` is not `BASE_URL`.
    tokens.iter().any(named)
        || tokens
            .windows(2)
            .any(|w| matches!(w[0], "BASE" | "APP") && w[1] == "URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        for k in [
            "BOT_TOKEN",
            "PAYMENT_WEBHOOK_SECRET",
            "STRIPE_SECRET_KEY",
            "DB_PASSWORD",
            "OPENAI_API_KEY",
            "JWT_SECRET",
            "SENTRY_DSN",
            "smtp_pass",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "STRIPE_PUBLISHABLE_KEY",
            "GOOGLE_CLIENT_ID",
            "SSH_KEY_PATH",
            "TOKEN_TTL",
            "PORT",
            "DATABASE_URL",
            "NEXT_PUBLIC_API_KEY",
            "KEY_ID",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn local_hosts() {
        assert_eq!(
            local_host_in("postgres://u:p@localhost:5432/db"),
            Some("localhost")
        );
        assert_eq!(local_host_in("http://127.0.0.1:3000"), Some("127.0.0.1"));
        assert_eq!(local_host_in("redis://[::1]:6379"), Some("::1"));
        assert_eq!(local_host_in("localhost"), Some("localhost"));
        assert_eq!(local_host_in("http://0.0.0.0:8080/hook"), Some("0.0.0.0"));
        assert_eq!(local_host_in("https://api.example.com"), None);
        assert_eq!(local_host_in("https://localhost-proxy.example.com"), None);
        assert_eq!(local_host_in("http://10.0.0.5:5432"), None);
        assert!(is_bind_key("HOST"));
        assert!(is_public_url_key("PUBLIC_URL"));
        assert!(!is_public_url_key("DATABASE_URL"));
        assert!(is_public_url_key("APP_BASE_URL"));
        assert!(is_public_url_key("TELEGRAM_WEBHOOK_URL"));
        assert!(!is_public_url_key("REDIS_URL"));
    }
}
