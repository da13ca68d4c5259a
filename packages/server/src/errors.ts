/**
 * The server's error vocabulary in one import: `AppError` and its shorthands, and the
 * dependency-failure test that adapters use to tell an outage (retry later) from a bad row.
 */
export { AppError, conflict, forbidden, invalid, notFound, unauthorized } from "./errors/app-error.js";
// `isUnavailableError` is the older name, kept for the adapters that call it.
export {
  classifyDependencyFailure,
  isDependencyFailure,
  isDependencyFailure as isUnavailableError,
} from "./errors/classify.js";
