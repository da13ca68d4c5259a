/**
 * The write pipeline: an ordered list of small checks every message passes before it is
 * appended, whichever path it came by (REST, WebSocket, shortcuts; ingest and connectors
 * next). Each check answers with a verdict; the first that does not pass decides. Order
 * matters and is set in one place (`defaultChecks`): validation first, then the retry
 * lookup (a retried nonce is answered before any limit is charged), then policy.
 *
 * Checks are synchronous where they can be: the common all-pass path allocates nothing
 * beyond the verdict constants and awaits only the checks that need I/O.
 */
import type { Message } from "@chorus/protocol";
import type { AppError } from "../errors.js";
import type { Draft } from "./draft.js";

export type Verdict =
  | { kind: "pass" }
  | { kind: "reject"; error: AppError }
  /** The check changed the text (normalisation); later checks see the new text. */
  | { kind: "rewrite"; text: string }
  /** This message was logged before (a retry): answer with the original, log nothing. */
  | { kind: "duplicate"; message: Message }
  /**
   * Keep it for a moderator to review. Not final: the later checks still run (a rejection
   * still wins, a limit is still charged), and the reasons of every hold are collected.
   */
  | { kind: "hold"; reasons: string[] };

export const PASS: Verdict = Object.freeze({ kind: "pass" });
export const reject = (error: AppError): Verdict => ({ kind: "reject", error });

export interface Check {
  /** For logs and metrics: which rule decided. */
  readonly name: string;
  /**
   * Only for our own chatters: an ingested message already passed its platform's rate limits,
   * slow mode and follower rules, and its author has no account age or follow here.
   */
  readonly localOnly?: true;
  run(draft: Draft): Verdict | Promise<Verdict>;
}

export type PipelineOutcome =
  | { kind: "accepted"; draft: Draft }
  | { kind: "held"; draft: Draft; reasons: string[] }
  | { kind: "rejected"; by: string; error: AppError }
  | { kind: "duplicate"; message: Message };

export class WritePipeline {
  constructor(private readonly checks: readonly Check[]) {}

  async run(draft: Draft): Promise<PipelineOutcome> {
    let holds: string[] | null = null;
    const external = draft.author.kind === "external";
    for (const check of this.checks) {
      if (external && check.localOnly) continue;
      const pending = check.run(draft);
      const verdict = pending instanceof Promise ? await pending : pending;
      switch (verdict.kind) {
        case "pass":
          continue;
        case "rewrite":
          draft.text = verdict.text;
          continue;
        case "reject":
          return { kind: "rejected", by: check.name, error: verdict.error };
        case "duplicate":
          return { kind: "duplicate", message: verdict.message };
        case "hold":
          holds = [...(holds ?? []), ...verdict.reasons];
          continue;
      }
    }
    return holds ? { kind: "held", draft, reasons: holds } : { kind: "accepted", draft };
  }
}
