import { ROLES, type Role } from "@chorus/protocol";
import { describe, expect, it } from "vitest";
import { allowed, MIN_ROLE, MOD_ACTIONS, outranks } from "./permissions.js";

const rank = (r: Role) => ROLES.length - ROLES.indexOf(r);

describe("the permission table", () => {
  it("allows each action from its minimum role upwards, and admins everything", () => {
    for (const action of MOD_ACTIONS) {
      for (const role of ROLES) {
        expect(allowed(role, false, action), `${role} ${action}`).toBe(rank(role) >= rank(MIN_ROLE[action]));
        expect(allowed(role, true, action)).toBe(true);
      }
    }
  });

  it("lets only a higher rank act on a person; moderators not on each other or the owner", () => {
    expect(outranks("moderator", false, "viewer", false)).toBe(true);
    expect(outranks("moderator", false, "vip", false)).toBe(true);
    expect(outranks("moderator", false, "moderator", false)).toBe(false);
    expect(outranks("moderator", false, "owner", false)).toBe(false);
    expect(outranks("owner", false, "moderator", false)).toBe(true);
    expect(outranks("owner", false, "viewer", true)).toBe(false);
    expect(outranks("viewer", true, "owner", false)).toBe(true);
  });
});
