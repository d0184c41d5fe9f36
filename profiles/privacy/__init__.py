"""Privacy and retention: a shopper's data export and erasure, the archive of past events."""
