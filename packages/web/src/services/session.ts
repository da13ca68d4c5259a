/**
 * Signing in and out, and the connection state, mirrored into the session store. The SDK
 * keeps the bearer token in memory; the httpOnly cookie the server sets carries the session
 * across reloads, so start() only has to ask the server who we are.
 */
import { ChorusError } from "@chorus/client";
import type { User } from "@chorus/protocol";
import { useSession } from "../store/session";
import { checkSiteBan, client } from "./client";

let started = false;

export function startSession(): void {
  if (started) return;
  started = true;
  client.on("state", (connection) => useSession.setState({ connection }));
  client.on("authenticated", (user) => useSession.setState({ user }));
  client.on("revoked", () => {
    // Logged out elsewhere, banned, or the session expired: keep reading anonymously.
    useSession.setState({ user: null });
    client.connect().catch(() => undefined);
    // A site ban closes the socket the same way: ask, so the page can say so.
    checkSiteBan();
  });
  window.addEventListener("online", () => useSession.setState({ online: true }));
  window.addEventListener("offline", () => useSession.setState({ online: false }));
  client
    .me()
    .then((user) => useSession.setState({ user, checked: true }))
    .catch(() => useSession.setState({ user: null, checked: true }));
}

export async function joinAsGuest(username: string): Promise<User> {
  return signedIn((await client.guest({ username: username.trim() })).user);
}

export async function login(username: string, password: string): Promise<User> {
  return signedIn((await client.login({ username: username.trim(), password })).user);
}

export async function register(username: string, password: string): Promise<User> {
  return signedIn((await client.register({ username: username.trim(), password })).user);
}

export async function logout(): Promise<void> {
  try {
    await client.logout();
  } catch (error) {
    // The session may already be gone server-side; locally we are signed out either way.
    if (!(error instanceof ChorusError)) throw error;
  }
  useSession.setState({ user: null });
}

function signedIn(user: User): User {
  useSession.setState({ user, checked: true });
  return user;
}
