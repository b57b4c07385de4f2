//! Just enough X.509 to tell a self-signed certificate for `localhost` from a real one: the
//! issuer and subject names of each PEM `CERTIFICATE` block. A key whose certificate names
//! only the local machine protects nothing a deployed service serves.

use crate::secrets::base64_decode;

/// One DER element: its tag, and the byte ranges of the whole element and of its content.
struct Tlv {
    tag: u8,
    whole: std::ops::Range<usize>,
    content: std::ops::Range<usize>,
}

fn tlv(der: &[u8], at: usize) -> Option<Tlv> {
    let tag = *der.get(at)?;
    let first = *der.get(at + 1)? as usize;
    let (len, header) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *der.get(at + 2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let start = at + header;
    let end = start.checked_add(len)?;
    (end <= der.len()).then_some(Tlv {
        tag,
        whole: at..end,
        content: start..end,
    })
}

/// The issuer and subject names (DER) of a certificate.
fn issuer_and_subject(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let cert = tlv(der, 0).filter(|t| t.tag == 0x30)?;
    let tbs = tlv(der, cert.content.start).filter(|t| t.tag == 0x30)?;
    let mut at = tbs.content.start;
    let mut fields = Vec::new();
    while at < tbs.content.end && fields.len() < 6 {
        let t = tlv(der, at)?;
        at = t.whole.end;
        fields.push(t);
    }
    // `[0] version` is optional; then serial, signature algorithm, issuer, validity, subject.
    let skip = usize::from(fields.first()?.tag == 0xa0);
    let issuer = fields.get(skip + 2)?;
    let subject = fields.get(skip + 4)?;
    Some((&der[issuer.whole.clone()], &der[subject.whole.clone()]))
}

/// Whether `pem` holds at least one certificate and every certificate in it is self-signed
/// (issuer = subject) for `localhost` or a loopback address.
pub fn only_self_signed_localhost(pem: &str) -> bool {
    let mut seen = false;
    let mut rest = pem;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let body_start = start + "-----BEGIN CERTIFICATE-----".len();
        let Some(len) = rest[body_start..].find("-----END CERTIFICATE-----") else {
            return false;
        };
        let body: String = rest[body_start..body_start + len]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        rest = &rest[body_start + len..];
        let Some(der) = base64_decode(&body) else {
            return false;
        };
        let Some((issuer, subject)) = issuer_and_subject(&der) else {
            return false;
        };
        let local = |name: &[u8]| {
            name.windows(9).any(|w| w == b"localhost") || name.windows(9).any(|w| w == b"127.0.0.1")
        };
        if issuer != subject || !local(subject) {
            return false;
        }
        seen = true;
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minimal DER writer for the tests' certificates.
    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        if content.len() < 0x80 {
            out.push(content.len() as u8);
        } else {
            out.push(0x82);
            out.push((content.len() >> 8) as u8);
            out.push(content.len() as u8);
        }
        out.extend_from_slice(content);
        out
    }

    fn name(cn: &str) -> Vec<u8> {
        let attr = [der(0x06, &[0x55, 0x04, 0x03]), der(0x0c, cn.as_bytes())].concat();
        der(0x30, &der(0x31, &der(0x30, &attr)))
    }

    fn pem(issuer: &str, subject: &str) -> String {
        let tbs = [
            der(0xa0, &der(0x02, &[2])),
            der(0x02, &[1]),
            der(0x30, &der(0x06, &[0x2a, 0x86, 0x48])),
            name(issuer),
            der(0x30, &[]),
            name(subject),
        ]
        .concat();
        let cert = der(0x30, &[der(0x30, &tbs), der(0x30, &[])].concat());
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut b64 = String::new();
        for chunk in cert.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    b64.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    b64.push('=');
                }
            }
        }
        format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n")
    }

    #[test]
    fn self_signed_localhost_only() {
        assert!(only_self_signed_localhost(&pem("localhost", "localhost")));
        assert!(!only_self_signed_localhost(&pem("R3", "shop.example.com")));
        assert!(!only_self_signed_localhost(&pem(
            "localhost",
            "shop.example.com"
        )));
        assert!(!only_self_signed_localhost(&pem("My CA", "localhost")));
        let chain = pem("localhost", "localhost") + &pem("R3", "api.example.com");
        assert!(!only_self_signed_localhost(&chain));
        assert!(!only_self_signed_localhost("no certificate here"));
        assert!(!only_self_signed_localhost(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"
        ));
    }
}
