//! End-to-end tests of the Markdown review (`--format markdown`, `--output markdown=FILE`) on
//! the example project.

mod common;

use common::{bin, example};

/// The review with the machine-specific root replaced.
fn stable(review: &str) -> String {
    review.replace(&example().to_string_lossy().to_string(), "<root>")
}

#[test]
fn example_project_markdown_snapshot() {
    let out = bin()
        .arg("scan")
        .arg(example())
        .args(["--format", "markdown"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "blockers fail the default gate");
    let review = stable(&String::from_utf8(out.stdout).expect("the review is UTF-8"));
    assert!(
        review.starts_with("# Production-readiness review: salon-booking-bot\n"),
        "{review}"
    );
    assert!(review.contains("🔴 **RED** (NOT PRODUCTION READY)"));
    assert!(!review.contains('\u{1b}'), "no colour codes in Markdown");
    // It opens with what to fix first, led by the forged-payment webhook.
    let fix_first = review.find("## Fix these first").expect("fix-first list");
    assert!(fix_first < review.find("## Blockers").expect("blockers"));
    assert!(
        review.contains("1. **B1** Anyone who finds the URL can forge callbacks"),
        "{review}"
    );
    // The example's blockers each get their own subsection, named by rule and place.
    assert!(review.contains(
        "### B1 · `security/webhook-unverified` · `examples/booking-bot/src/webhook.js:18`"
    ));
    assert!(review.contains("`bot/start-handler-missing` · `examples/booking-bot/src/bot.js:18`"));
    // Each finding appears once in full: its fix text is printed once.
    assert_eq!(
        review
            .matches("Verify the signature unconditionally (HMAC over the raw body")
            .count(),
        1
    );
    // At most half the length of the review before the fix-first layout (33,836 bytes).
    assert!(review.len() <= 33_836 / 2, "{} bytes", review.len());
    insta::assert_snapshot!("booking_bot_markdown", review);
}

#[test]
fn output_flag_writes_the_same_review_as_stdout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("review.md");
    let out = bin()
        .arg("scan")
        .arg(example())
        .args(["--format", "markdown", "--output"])
        .arg(format!("markdown={}", file.display()))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let written = std::fs::read_to_string(&file).expect("--output wrote the review");
    assert!(written.contains("## Fix plan\n"));
    assert_eq!(written, String::from_utf8_lossy(&out.stdout));
}
