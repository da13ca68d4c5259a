import { randomBytes, randomInt } from "node:crypto";
import { dictionary } from "@zxcvbn-ts/language-common";
import { describe, expect, it } from "vitest";
import { isCommonPassword } from "./common-passwords.js";

const LIST = dictionary["passwords-common"];
const LISTED = new Set(LIST);
const DICEWARE = dictionary["diceware-common"];

function pick<T>(items: readonly T[]): T {
  const item = items[randomInt(items.length)];
  if (item === undefined) throw new Error("empty list");
  return item;
}

/** Inverts each letter's case, so a test cannot pass by comparing the input as typed. */
function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
}

describe("isCommonPassword: the bundled list", () => {
  it("refuses the passwords everyone tries first", () => {
    for (const password of ["password", "123456789", "qwertyuiop", "iloveyou", "sunshine", "trustno1", "1qaz2wsx"]) {
      expect(LISTED.has(password), password).toBe(true);
      expect(isCommonPassword(password), password).toBe(true);
    }
  });

  it("ships tens of thousands of passwords and refuses every one of them, in any case", () => {
    // Guards against an update of the package that would silently shrink or empty the list.
    expect(LIST.length).toBeGreaterThan(40_000);
    const sample = LIST.filter((_, i) => i % 97 === 0);
    expect(sample.length).toBeGreaterThan(400);
    for (const password of sample) {
      expect(isCommonPassword(password), password).toBe(true);
      expect(isCommonPassword(password.toUpperCase()), password.toUpperCase()).toBe(true);
      expect(isCommonPassword(swapCase(password)), swapCase(password)).toBe(true);
    }
  });

  it("ignores case and surrounding space", () => {
    for (const password of ["PASSWORD", "PassWord", "QwErTyUiOp", "ILoveYou", "  iloveyou  ", "SunShine"]) {
      expect(isCommonPassword(password), password).toBe(true);
    }
  });
});

describe("isCommonPassword: patterns the list leaves to zxcvbn's matchers", () => {
  // zxcvbn drops these from its list because its own matchers catch them; each is asserted to be
  // absent from the list, so what refuses it here is this module's pattern code.
  const patterns = [
    "987654321", // sequence, descending
    "abcdefghij", // sequence
    "9012345678", // digits wrapping as on the number row
    "1357913579", // step of 2, repeated
    "aaaaaaaa", // one character
    "12341234", // repeated short unit
    "asdasdasd",
    "1qaz1qaz",
    "00112233", // runs
    "poiuytrewq", // keyboard walk, backwards
    "qwertzuiop", // German layout
    "!@#$%^&*", // shifted number row
    "19841984", // a year, twice
    "19871123", // a date, year first
    "30121969", // a date, day first
  ];

  it.each(patterns)("refuses %s, which is not in the list", (password) => {
    expect(LISTED.has(password)).toBe(false);
    expect(isCommonPassword(password)).toBe(true);
  });

  it("refuses one character repeated, at any length", () => {
    for (const c of ["a", "Z", "7", "!", " ", "é", "😀"]) {
      for (const length of [1, 2, 8, 15, 64, 128]) {
        expect(isCommonPassword(c.repeat(length)), `${c} × ${length}`).toBe(true);
      }
    }
  });
});

describe("isCommonPassword: trivially derived passwords", () => {
  it.each([
    ["Password1!", "password"],
    ["P@ssw0rd2024!", "password"],
    ["password123456", "password"],
    ["!!dragon2024", "dragon"],
    ["Love2024!", "love"],
    ["$unsh1ne99", "sunshine"],
    ["pass word", "password"],
    ["i-love-you", "iloveyou"],
    ["enihsnus", "sunshine"], // reversed
    ["Monkey19841984", "monkey"],
  ])("refuses %s (from %s)", (password, base) => {
    expect(LISTED.has(base)).toBe(true);
    expect(LISTED.has(password.toLowerCase())).toBe(false);
    expect(isCommonPassword(password)).toBe(true);
  });

  it("refuses passwords built on the service's name", () => {
    for (const password of [
      "chorus",
      "Chorus2024!",
      "chorus123",
      "CH0RUS!!",
      "mychorus",
      "chorus-password",
      "choruschorus",
      "surohc",
    ]) {
      expect(isCommonPassword(password), password).toBe(true);
    }
  });

  it("refuses the username and what is trivially made from it, and only with that username", () => {
    const username = "alice_w";
    const derived = [
      "alice_w",
      "Alice_W",
      "alice_w2024",
      "ALICEW!",
      "alicew123456",
      "w_ecila",
      "4l1c3_w",
      "alicewalicew",
    ];
    for (const password of derived) {
      expect(isCommonPassword(password, { username }), password).toBe(true);
      // Not common in itself: what refuses it is the username.
      expect(isCommonPassword(password), password).toBe(false);
      expect(isCommonPassword(password, { username: "bob_k" }), password).toBe(false);
    }
  });

  it("refuses a random username plus digits", () => {
    for (let i = 0; i < 50; i++) {
      const username = `u${randomBytes(6).toString("hex")}`;
      const password = `${username}${randomInt(10_000)}!`;
      expect(isCommonPassword(password, { username }), password).toBe(true);
    }
  });
});

describe("isCommonPassword: what it lets through", () => {
  it("allows long random passphrases, with or without a username", () => {
    for (let i = 0; i < 300; i++) {
      const passphrase = Array.from({ length: 4 }, () => pick(DICEWARE)).join("-");
      expect(isCommonPassword(passphrase), passphrase).toBe(false);
      expect(isCommonPassword(passphrase, { username: "alice_w" }), passphrase).toBe(false);
    }
    expect(isCommonPassword("correct horse battery staple violet")).toBe(false);
  });

  it("allows random strings", () => {
    for (let i = 0; i < 300; i++) {
      const password = randomBytes(12).toString("base64url");
      expect(isCommonPassword(password, { username: "alice_w" }), password).toBe(false);
    }
  });

  it("allows a long passphrase that merely contains the username or the service's name", () => {
    const username = "alice_w";
    expect(isCommonPassword("alice_w rides a tandem uphill at dawn", { username })).toBe(false);
    expect(isCommonPassword("the chorus of frogs kept us awake", { username })).toBe(false);
  });
});

describe("isCommonPassword: cost", () => {
  it("answers the longest accepted password in well under a millisecond once loaded", () => {
    isCommonPassword("warm up: the first call loads the list");
    const inputs = Array.from({ length: 500 }, () => randomBytes(96).toString("base64")); // 128 characters
    const started = performance.now();
    for (const password of inputs) isCommonPassword(password, { username: "alice_w" });
    const perCallMs = (performance.now() - started) / inputs.length;
    // Measured at ~0.1 ms of CPU; the bound leaves room for a busy CI machine.
    expect(perCallMs).toBeLessThan(5);
  });
});
