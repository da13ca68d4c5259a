/** Every fuzz target, in the order a run takes them, and how a run's cases are shared among them. */
import type { Target } from "../runner.js";
import { framesTarget } from "./frames.js";
import { httpTarget } from "./http.js";
import { autoModTarget, blockedTermsTarget, textTarget } from "./text.js";

export const TARGETS: readonly Target[] = [framesTarget, textTarget, blockedTermsTarget, autoModTarget, httpTarget];

/** Cases per target: `total` split by weight, every selected target getting at least one. */
export function shares(targets: readonly Target[], total: number): Map<Target, number> {
  const weight = targets.reduce((sum, t) => sum + t.weight, 0);
  return new Map(targets.map((t) => [t, Math.max(1, Math.round((total * t.weight) / weight))]));
}
