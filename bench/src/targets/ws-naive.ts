/**
 * Target: the naive `ws` peer (`peers/ws-naive-server.ts`) in its own process — one
 * `ws.send` per subscriber per message. It speaks the Chorus WebSocket subset, so the Chorus
 * client code (chorus.ts) drives it unchanged; any token is accepted.
 *
 * `wsPeerTarget` is shared with the ws-ceiling target: both peers start the same way.
 */
import type { ChildProcess } from "node:child_process";
import { captureOutput, freePort, LOOPBACK, spawnTracked, stopChild, waitForHttpOk } from "../processes.js";
import { connectPublisher } from "./chorus.js";
import type { RunningTarget, TargetDefinition, TargetName } from "./types.js";

const CHANNEL = "main";
const READY_TIMEOUT_MS = 30_000;

/** Starts `entry` (relative to the repository root) with tsx and waits for its /healthz. */
export function wsPeerTarget(name: TargetName, label: string, entry: string): TargetDefinition {
  return {
    name,
    label,
    async start(signal: AbortSignal): Promise<RunningTarget> {
      const port = await freePort();
      // stdin is a pipe the peer watches (EXIT_WITH_STDIN): if this process dies without
      // stopping it, the pipe closes and the peer exits instead of lingering.
      const child: ChildProcess = spawnTracked(process.execPath, ["--import", "tsx", entry], {
        env: { ...process.env, PORT: String(port), HOST: LOOPBACK, EXIT_WITH_STDIN: "1" },
        stdio: ["pipe", "pipe", "pipe"],
      });
      const logTail = captureOutput(child);
      try {
        await waitForHttpOk(`http://${LOOPBACK}:${port}/healthz`, READY_TIMEOUT_MS, child, signal);
      } catch (err) {
        const tail = logTail().slice(-15).join("\n  ");
        await stopChild(child);
        throw new Error(
          `${err instanceof Error ? err.message : String(err)}${tail ? `\n  server output:\n  ${tail}` : ""}`,
        );
      }
      const url = `ws://${LOOPBACK}:${port}/api/ws`;
      return {
        name,
        pid: child.pid ?? -1,
        client: { kind: "chorus", url, channel: CHANNEL },
        // The peers accept any token.
        connectPublisher: () => connectPublisher(url, "any-token"),
        logTail,
        stop: () => stopChild(child),
      };
    },
  };
}

// `as const` literal: "ws-naive" joins TARGET_NAMES in types.ts in a separate change.
export const wsNaiveTarget: TargetDefinition = wsPeerTarget(
  "ws-naive" as const,
  "ws 8, naive (ws.send per subscriber per message)",
  "bench/src/peers/ws-naive-server.ts",
);
