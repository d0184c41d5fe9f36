"""The event pipeline: what shoppers do, from ``POST /api/v1/events`` to the stored interactions and
the real-time state the feed reads. Events are validated into a typed ``Event``, recorded in a
write-ahead table (durable, and deduplicated, before the answer), appended to a Redis stream and
consumed in batches into the interaction table and the real-time state; what the stream loses
(Redis down or restarted empty) the consumer appends again from the write-ahead. Other apps use
only these:

- ``types``: the event types and their properties (``EVENT_TYPES``, ``BY_NAME``, the derived sets);
- ``event.Event``: one accepted event, from the API to the writer;
- ``ingest.events_ingest``: accept a raw batch for a shopper (the API's entry point);
- ``server.events_record_server``: record an event the server itself witnessed (cart, checkout);
- ``state``: the real-time readers (affinities, recent lists, counters) and key helpers;
- ``consumer.EventConsumer``: the worker (``consume_events``) and, for tests, ``drain()``;
- ``stream`` (``STREAM``, ``append``) and ``models`` (``Interaction``, ``EventBacklog``,
  ``InteractionType``): for privacy's export and erasure and for reports;
- ``signals.batch_processed``: be told which items a consumed batch touched;
- ``selectors``: what a shopper saw, the cards' social counts;
- ``creator_stats.creator_stats``: a creator's figures per item, in total and per day (the dashboard);
- ``meta.item_meta``, ``history``, ``rebuild.realtime_rebuild``, ``schema`` limits and patterns.

``writer``, ``backlog`` (the write-ahead), ``checks`` (Redis persistence in production) and the
modules inside ``state`` are internal.
"""
