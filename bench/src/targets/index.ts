/** The registry of targets, and the worker-side dispatch from a `ClientSpec` to its client. */
import { chorusTarget, connectChorusSubscriber } from "./chorus.js";
import { chorusClusterTarget } from "./chorus-cluster.js";
import { connectSocketIoSubscriber, socketIoTarget } from "./socketio.js";
import type { ClientSpec, Subscriber, SubscriberEvents, TargetDefinition, TargetName } from "./types.js";
import { wsCeilingTarget } from "./ws-ceiling.js";
import { wsNaiveTarget } from "./ws-naive.js";

/**
 * The ws peers accept any token (see ws-naive.ts) and create channels on first use; giving
 * the load generator a token lets it publish to every channel of a run over the Chorus wire
 * protocol instead of only the peer's default channel.
 */
function withAnyToken(def: TargetDefinition): TargetDefinition {
  return {
    name: def.name,
    label: def.label,
    async start(signal, options) {
      const running = await def.start(signal, options);
      return {
        name: running.name,
        pid: running.pid,
        ...(running.pids ? { pids: running.pids } : {}),
        client: running.client,
        token: running.token ?? "any-token",
        connectPublisher: () => running.connectPublisher(),
        logTail: () => running.logTail(),
        stop: () => running.stop(),
      };
    },
  };
}

export const TARGETS: Record<TargetName, TargetDefinition> = {
  chorus: chorusTarget,
  socketio: socketIoTarget,
  "ws-naive": withAnyToken(wsNaiveTarget),
  "ws-ceiling": withAnyToken(wsCeilingTarget),
  "chorus-cluster": chorusClusterTarget,
};

export function connectSubscriber(spec: ClientSpec, events: SubscriberEvents, timeoutMs: number): Promise<Subscriber> {
  switch (spec.kind) {
    case "chorus":
      return connectChorusSubscriber(spec, events, timeoutMs);
    case "socketio":
      return connectSocketIoSubscriber(spec, events, timeoutMs);
  }
}
