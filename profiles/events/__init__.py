"""The event pipeline: ingest, stream, consumer, real-time state."""
