/** Prometheus metrics (prom-client), one registry per server instance so tests stay isolated. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const EXPENSIVE_DEFAULT_METRICS = [
  "process_open_fds",
  "nodejs_active_handles",
  "nodejs_active_handles_total",
  "nodejs_active_requests",
  "nodejs_active_requests_total",
  "nodejs_active_resources",
  "nodejs_active_resources_total",
];

export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({
    name: "chorus_connections",
    help: "Open real-time connections",
    labelNames: ["transport"] as const,
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: "chorus_connections_refused_total",
    help: "Real-time connections refused by the per-IP limits (reason: rate, concurrent)",
    labelNames: ["reason"] as const,
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
  readonly messagesHeld = new Counter({
    name: "chorus_messages_held_total",
    help: "Chat messages moderation held for review",
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

  readonly connectorsRunning = new Gauge({
    name: "chorus_connectors_running",
    help: "Built-in connectors (one per channel and platform in the cluster) this node runs",
    registers: [this.registry],
  });

  readonly analysisLeaders = new Gauge({
    name: "chorus_analysis_channels",
    help: "Channels whose analysis (stats, summaries, highlights) this node leads",
    registers: [this.registry],
  });

  readonly summaries = new Counter({
    name: "chorus_summaries_total",
    help: "Summary events written, by who wrote them (llm, or local: the extractive summariser, also as the model's fallback)",
    labelNames: ["by"] as const,
    registers: [this.registry],
  });

  readonly highlights = new Counter({
    name: "chorus_highlights_total",
    help: "Chat spikes recorded as broadcast highlights",
    registers: [this.registry],
  });

  readonly sentiment = new Counter({
    name: "chorus_sentiment_total",
    help: "Messages by how their sentiment went: analysed, or published without it (saturated pool, timeout, crashed worker)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly sentimentWait = new Histogram({
    name: "chorus_sentiment_wait_seconds",
    help: "How long a message waited for its sentiment in its own turn (ring transport; bounded by SENTIMENT_WAIT_MS)",
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005],
    registers: [this.registry],
  });

  constructor() {
    // Includes process CPU, RSS and event-loop delay percentiles (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    // These walk every handle or every open file on each scrape, synchronously: with 10,000
    // sockets one scrape blocked the event loop for tens of milliseconds, and the bench's
    // once-a-second scrape showed up as Chorus's p99 (150–280 ms vs 1–20 ms for servers not
    // scraped). chorus_connections says what they would.
    for (const name of EXPENSIVE_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
  }
}
