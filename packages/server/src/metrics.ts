/** Prometheus metrics (prom-client), one registry per server instance so tests stay isolated. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: "chorus_connections",
    help: "Open real-time connections",
    labelNames: ["transport"] as const,
    registers: [this.registry],
  });
  readonly subscriptions = new Gauge({
    name: "chorus_subscriptions",
    help: "Channel subscriptions over all connections",
    registers: [this.registry],
  });
  readonly messagesAccepted = new Counter({
    name: "chorus_messages_accepted_total",
    help: "Chat messages accepted (durably logged)",
    registers: [this.registry],
  });
  readonly eventsDelivered = new Counter({
    name: "chorus_events_delivered_total",
    help: "Events handed to subscriber connections (one per event per subscriber)",
    registers: [this.registry],
  });
  readonly framesWritten = new Counter({
    name: "chorus_frames_written_total",
    help: "WebSocket frames / SSE writes sent to clients",
    registers: [this.registry],
  });
  readonly slowConsumers = new Counter({
    name: "chorus_slow_consumer_disconnects_total",
    help: "Connections closed because their queue overflowed",
    registers: [this.registry],
  });
  readonly flushDuration = new Histogram({
    name: "chorus_fanout_flush_seconds",
    help: "Time spent in one fan-out flush tick",
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });

  readonly streamLength = new Gauge({
    name: "chorus_redis_stream_length",
    help: "Entries in a channel's Redis stream (alert near the MAXLEN safety cap)",
    labelNames: ["channel"] as const,
    registers: [this.registry],
  });

  constructor() {
    // Includes process CPU, RSS and event-loop delay percentiles (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }
}
