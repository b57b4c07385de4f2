pub mod readiness_claim_contradicted;
