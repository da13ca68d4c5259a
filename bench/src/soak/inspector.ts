/**
 * Forces a full garbage collection in the server process from outside, through the V8
 * inspector (Chrome DevTools Protocol over a WebSocket on a loopback port the soak chose).
 *
 * Why force one at all: heap used read at a random moment is the live heap plus whatever
 * garbage has piled up since the last collection — a sawtooth 10–30 MiB deep on a 50 MiB
 * heap — so a 1 %/h trend (0.5 MiB/h) drowns in it. Right after a full collection it is the
 * live heap only, steady to a few hundred KiB from one sample to the next (measured on an
 * idle server: 48.44, 48.57, 48.62 MiB vs 49–65 MiB without). The price is one full-GC pause
 * (~40 ms idle, more under load) per sample, which the sampler keeps out of the event-loop
 * figures.
 *
 * How: the server is started with `--expose-gc --inspect=127.0.0.1:<port>` (in NODE_OPTIONS,
 * so the entry point stays exactly what an operator runs), and `gc()` is evaluated in it — a
 * plain full collection. `HeapProfiler.collectGarbage` is the fallback when `gc` is not
 * exposed: it works everywhere but collects repeatedly to reduce memory (2–4× the pause,
 * and it may flush compiled code the server then has to recompile).
 */
import WebSocket from "ws";
import { LOOPBACK } from "../processes.js";

const CALL_TIMEOUT_MS = 30_000;

interface Pending {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** The Node.js options that make a server collectable by `InspectorGc.connect(port)`. */
export function inspectorNodeOptions(port: number): string {
  return `--expose-gc --inspect=${LOOPBACK}:${port}`;
}

export class InspectorGc {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** How the last collection was forced. */
  method: "gc()" | "HeapProfiler.collectGarbage" = "gc()";

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      let frame: { id?: unknown; result?: unknown; error?: { message?: unknown } };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        return;
      }
      if (typeof frame.id !== "number") return;
      const waiting = this.pending.get(frame.id);
      if (!waiting) return;
      this.pending.delete(frame.id);
      clearTimeout(waiting.timer);
      if (frame.error) waiting.reject(new Error(`inspector: ${String(frame.error.message)}`));
      else waiting.resolve(frame.result);
    });
    ws.on("close", () => {
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error("inspector connection closed"));
      }
      this.pending.clear();
    });
  }

  /** Attaches to the inspector of the process listening on `port` (loopback). */
  static async connect(port: number, timeoutMs = 10_000): Promise<InspectorGc> {
    const res = await fetch(`http://${LOOPBACK}:${port}/json/list`, { signal: AbortSignal.timeout(timeoutMs) });
    const targets: unknown = await res.json();
    const url = Array.isArray(targets)
      ? (targets as Array<{ webSocketDebuggerUrl?: unknown }>).find((t) => typeof t.webSocketDebuggerUrl === "string")
          ?.webSocketDebuggerUrl
      : undefined;
    if (typeof url !== "string") throw new Error(`no inspector target on port ${port}`);
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new InspectorGc(ws);
  }

  private call(method: string, params?: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`inspector: no answer to ${method} within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ id, method, ...(params ? { params } : {}) }));
    });
  }

  /** Runs a full collection in the server; resolves with the round trip in ms (≈ the pause). */
  async collect(): Promise<number> {
    const t0 = performance.now();
    if (this.method === "gc()") {
      const answer = await this.call("Runtime.evaluate", {
        expression: "typeof gc === 'function' ? (gc(), true) : false",
        returnByValue: true,
      });
      const value = (answer as { result?: { value?: unknown } } | undefined)?.result?.value;
      if (value === true) return performance.now() - t0;
      this.method = "HeapProfiler.collectGarbage";
    }
    await this.call("HeapProfiler.collectGarbage");
    return performance.now() - t0;
  }

  close(): void {
    this.ws.close();
  }
}
