/**
 * Prototype pollution, detected: the own keys (and their values) of the built-in prototypes
 * are recorded once, and every case is followed by a comparison. A planted key under any name
 * shows, not only the `polluted` marker the payloads use.
 */
import { POLLUTION_MARKER } from "./generators.js";

const WATCHED: ReadonlyArray<[string, object]> = [
  ["Object.prototype", Object.prototype],
  ["Array.prototype", Array.prototype],
  ["String.prototype", String.prototype],
  ["Function.prototype", Function.prototype],
];

type Snapshot = Map<string, Map<PropertyKey, unknown>>;

function take(): Snapshot {
  const snapshot: Snapshot = new Map();
  for (const [name, proto] of WATCHED) {
    const entries = new Map<PropertyKey, unknown>();
    for (const key of Reflect.ownKeys(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      entries.set(key, descriptor && "value" in descriptor ? descriptor.value : descriptor?.get);
    }
    snapshot.set(name, entries);
  }
  return snapshot;
}

const baseline = take();

/** What changed on the built-in prototypes since this module loaded; empty when nothing did. */
export function pollution(): string[] {
  const found: string[] = [];
  const probe: Record<string, unknown> = {};
  if (probe[POLLUTION_MARKER] !== undefined)
    found.push(`({}).${POLLUTION_MARKER} is ${String(probe[POLLUTION_MARKER])}`);
  for (const [name, proto] of WATCHED) {
    const before = baseline.get(name) ?? new Map<PropertyKey, unknown>();
    const keys: PropertyKey[] = Reflect.ownKeys(proto);
    if (keys.length !== before.size) {
      const added = keys.filter((k) => !before.has(k)).map(String);
      const removed = [...before.keys()].filter((k) => !keys.includes(k)).map(String);
      found.push(`${name}: added [${added.join(", ")}], removed [${removed.join(", ")}]`);
      continue;
    }
    for (const key of keys) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      const now = descriptor && "value" in descriptor ? descriptor.value : descriptor?.get;
      if (!before.has(key)) found.push(`${name}: added ${String(key)}`);
      else if (before.get(key) !== now) found.push(`${name}.${String(key)} was replaced`);
    }
  }
  return found;
}

/** Puts the prototypes back as they were, so that the cases after a finding (and its shrinking) start clean. */
function restore(): void {
  for (const [name, proto] of WATCHED) {
    const before = baseline.get(name) ?? new Map<PropertyKey, unknown>();
    for (const key of Reflect.ownKeys(proto)) if (!before.has(key)) Reflect.deleteProperty(proto, key);
    for (const [key, value] of before) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (descriptor && "value" in descriptor && descriptor.value !== value) Reflect.set(proto, key, value);
    }
  }
}

/** Throws when a prototype was polluted (and says how), after undoing it. */
export function assertNoPollution(what: string): void {
  const found = pollution();
  if (found.length === 0) return;
  restore();
  throw new Error(`prototype pollution after ${what}: ${found.join("; ")}`);
}
