pub mod webhook_unverified;
