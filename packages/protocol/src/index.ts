export * from "./emotes.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./frames.js";
export * from "./limits.js";
export * from "./models.js";
export * from "./strings.js";
export * from "./text.js";
