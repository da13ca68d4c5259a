/** The registry of targets, and the worker-side dispatch from a `ClientSpec` to its client. */
import { chorusTarget, connectChorusSubscriber } from "./chorus.js";
import { chorusClusterTarget } from "./chorus-cluster.js";
import { connectSocketIoSubscriber, socketIoTarget } from "./socketio.js";
import type { ClientSpec, Subscriber, SubscriberEvents, TargetDefinition, TargetName } from "./types.js";

export const TARGETS: Record<TargetName, TargetDefinition> = {
  chorus: chorusTarget,
  socketio: socketIoTarget,
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
