import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeClientFrame } from "../src/frame-decoder.js";
import { type ClientFrame, encodeClientFrame } from "../src/index.js";

const validFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc.record({ op: fc.constant("auth" as const), token: fc.string({ maxLength: 100 }) }),
  fc.record(
    { op: fc.constant("subscribe" as const), channel: fc.string({ minLength: 1, maxLength: 25 }), since: fc.nat() },
    { requiredKeys: ["op", "channel"] },
  ),
  fc.record({ op: fc.constant("unsubscribe" as const), channel: fc.string({ minLength: 1, maxLength: 25 }) }),
  fc.record(
    {
      op: fc.constant("send" as const),
      channel: fc.string({ minLength: 1, maxLength: 25 }),
      text: fc.string({ maxLength: 500 }),
      nonce: fc.string({ minLength: 1, maxLength: 64 }),
      replyTo: fc.string({ maxLength: 64 }),
    },
    { requiredKeys: ["op", "channel", "text", "nonce"] },
  ),
  fc.constant({ op: "ping" as const }),
);

describe("decodeClientFrame", () => {
  it("property: round-trips every valid frame", () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const decoded = decodeClientFrame(encodeClientFrame(frame));
        expect(decoded).toEqual({ ok: true, frame });
      }),
      { numRuns: 2000 },
    );
  });

  it("property: never throws on arbitrary input and answers a stable code", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (raw) => {
          const decoded = decodeClientFrame(raw);
          if (!decoded.ok) expect(["invalid_request", "payload_too_large"]).toContain(decoded.code);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("property: no prototype pollution, and unknown keys never survive", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("__proto__", "constructor", "prototype", "polluted"),
        fc.jsonValue(),
        (key, value) => {
          const raw = `{"op":"ping","${key}":${JSON.stringify(value)},"__proto__":{"polluted":true}}`;
          const decoded = decodeClientFrame(raw);
          expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
          expect(decoded).toEqual({ ok: true, frame: { op: "ping" } });
          if (decoded.ok) expect(Object.getPrototypeOf(decoded.frame)).toBe(Object.prototype);
        },
      ),
    );
  });

  it("rejects non-objects, unknown ops, missing fields and oversize frames", () => {
    expect(decodeClientFrame("not json")).toMatchObject({ ok: false, code: "invalid_request" });
    expect(decodeClientFrame("[]")).toMatchObject({ ok: false, code: "invalid_request" });
    expect(decodeClientFrame('{"op":"nope"}')).toMatchObject({ ok: false, code: "invalid_request" });
    expect(decodeClientFrame('{"op":"toString"}')).toMatchObject({ ok: false, code: "invalid_request" });
    expect(decodeClientFrame('{"op":"send","channel":"main","nonce":"n1"}')).toMatchObject({
      ok: false,
      code: "invalid_request",
      nonce: "n1",
    });
    expect(decodeClientFrame('{"op":"subscribe","channel":"main","since":-1}')).toMatchObject({ ok: false });
    expect(decodeClientFrame(`{"op":"auth","token":"${"x".repeat(20_000)}"}`)).toMatchObject({
      ok: false,
      code: "payload_too_large",
    });
  });
});
