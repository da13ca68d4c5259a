/**
 * Target: the ws "ceiling" peer (`peers/ws-ceiling-server.ts`) in its own process — per
 * channel one frame per event-loop tick, built once and written to every subscriber's raw
 * socket with corked writes. The bar the Chorus server is measured against. It speaks the
 * Chorus WebSocket subset, so the Chorus client code (chorus.ts) drives it unchanged.
 */
import type { TargetDefinition } from "./types.js";
import { wsPeerTarget } from "./ws-naive.js";

// `as const` literal: "ws-ceiling" joins TARGET_NAMES in types.ts in a separate change.
export const wsCeilingTarget: TargetDefinition = wsPeerTarget(
  "ws-ceiling" as const,
  "ws 8, ceiling (per-tick batch, one frame per channel, corked raw writes)",
  "bench/src/peers/ws-ceiling-server.ts",
);
