"""DRF plumbing shared by every public API: auth, permissions, throttles, idempotency, health, schema."""
