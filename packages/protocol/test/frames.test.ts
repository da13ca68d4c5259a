import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeClientFrame } from "../src/frame-decoder.js";
import { CLIENT_FRAMES, type ClientFrame, type ClientOp, isSafeString, SAFE_STRING_PATTERN } from "../src/index.js";

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
      replyTo: fc.string({ minLength: 1, maxLength: 64 }),
    },
    { requiredKeys: ["op", "channel", "text", "nonce"] },
  ),
  fc.constant({ op: "ping" as const }),
);

describe("decodeClientFrame", () => {
  it("property: round-trips every valid frame", () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const decoded = decodeClientFrame(JSON.stringify(frame));
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

  it("refuses NUL and lone surrogates in every string field, echoing a short nonce", () => {
    const cases = [
      '{"op":"subscribe","channel":"main\\u0000"}',
      '{"op":"subscribe","channel":"\\ud800"}',
      '{"op":"unsubscribe","channel":"ma\\udc00in"}',
      '{"op":"auth","token":"a\\u0000b"}',
      '{"op":"send","channel":"main","text":"x\\u0000","nonce":"n"}',
      '{"op":"send","channel":"main","text":"x","nonce":"n","replyTo":"x\\u0000"}',
      '{"op":"send","channel":"main","text":"x","nonce":"n","replyTo":"\\udfff"}',
    ];
    for (const raw of cases) {
      const decoded = decodeClientFrame(raw);
      expect(decoded, raw).toMatchObject({ ok: false, code: "invalid_request" });
      if (!decoded.ok) expect(decoded.message).toMatch(/U\+0000/);
    }
    expect(decodeClientFrame('{"op":"send","channel":"main","text":"x","nonce":"p0\\u0000"}')).toEqual({
      ok: false,
      code: "invalid_request",
      message: expect.stringMatching(/nonce/),
      nonce: "p0\u0000",
    });
    // A pair is a character, not a lone surrogate.
    expect(
      decodeClientFrame('{"op":"send","channel":"main","text":"\\ud83d\\ude00","nonce":"\\ud83d\\ude00"}'),
    ).toEqual({
      ok: true,
      frame: { op: "send", channel: "main", text: "😀", nonce: "😀" },
    });
  });

  it("refuses a since that is not a safe non-negative integer", () => {
    for (const since of ["1e300", "9007199254740992", "1.5", "-1", '"1"', "null", "true"]) {
      expect(decodeClientFrame(`{"op":"subscribe","channel":"main","since":${since}}`), since).toMatchObject({
        ok: false,
        code: "invalid_request",
      });
    }
    expect(decodeClientFrame('{"op":"subscribe","channel":"main","since":9007199254740991}').ok).toBe(true);
  });

  it("property: a frame is accepted only if every string in it is safe", () => {
    const op = fc.constantFrom(...(Object.keys(CLIENT_FRAMES) as ClientOp[]));
    const str = fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.string({ maxLength: 20 }));
    fc.assert(
      fc.property(op, str, str, str, str, (op, channel, text, nonce, extra) => {
        const frame = { op, channel, text, nonce, replyTo: extra, token: extra };
        const decoded = decodeClientFrame(JSON.stringify(frame));
        if (!decoded.ok) return;
        for (const value of Object.values(decoded.frame)) {
          if (typeof value === "string") expect(isSafeString(value)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("SAFE_STRING_PATTERN", () => {
  it("property: means isSafeString with and without the u flag (Ajv and TypeBox compile it differently)", () => {
    const withU = new RegExp(SAFE_STRING_PATTERN, "u");
    const withoutU = new RegExp(SAFE_STRING_PATTERN);
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 40 })),
        (s) => {
          expect(withU.test(s)).toBe(isSafeString(s));
          expect(withoutU.test(s)).toBe(isSafeString(s));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
