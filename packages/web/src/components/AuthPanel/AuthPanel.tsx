/**
 * Joining in place: as a guest (just a name), by logging in, or by registering. Used under the
 * chat and on the landing page (where guests cannot create channels, so it starts at login).
 */
import { ChorusError } from "@chorus/client";
import { LoaderCircle } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { joinAsGuest, login, register } from "../../services/session";

export type AuthMode = "guest" | "login" | "register";

const USERNAME = /^[A-Za-z0-9_]{3,25}$/;
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;

const MODES: Record<AuthMode, { tab: string; submit: string }> = {
  guest: { tab: "Guest", submit: "Join chat" },
  login: { tab: "Log in", submit: "Log in" },
  register: { tab: "Register", submit: "Create account" },
};

export function AuthPanel({ modes = ["guest", "login", "register"] }: { modes?: readonly AuthMode[] }) {
  const [mode, setMode] = useState<AuthMode>(modes[0] ?? "login");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const name = username.trim();
    if (!USERNAME.test(name)) {
      setError("Names are 3–25 letters, digits or underscores.");
      return;
    }
    if (mode !== "guest" && (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)) {
      setError(`Passwords are ${PASSWORD_MIN}–${PASSWORD_MAX} characters.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (mode === "guest") await joinAsGuest(name);
      else if (mode === "login") await login(name, password);
      else await register(name, password);
    } catch (failure) {
      setError(explain(failure, mode));
      setBusy(false);
    }
  }

  return (
    <div className="border-zinc-200 border-t p-3 dark:border-zinc-800">
      {modes.length > 1 && (
        <div className="mb-3 grid grid-flow-col gap-1 rounded-lg bg-zinc-200 p-1 text-sm dark:bg-zinc-800">
          {modes.map((m) => (
            <button
              key={m}
              type="button"
              aria-pressed={mode === m}
              onClick={() => {
                setMode(m);
                setError(null);
              }}
              className="rounded-md px-2 py-1 font-medium text-zinc-600 aria-pressed:bg-white aria-pressed:text-zinc-900 aria-pressed:shadow-sm dark:text-zinc-400 dark:aria-pressed:bg-zinc-950 dark:aria-pressed:text-zinc-100"
            >
              {MODES[m].tab}
            </button>
          ))}
        </div>
      )}
      <form onSubmit={submit} className="flex flex-col gap-2" aria-label={MODES[mode].submit} data-testid="auth-form">
        <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
          {mode === "guest" ? "Pick a name" : "Username"}
          <input
            name="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete={mode === "register" ? "username" : mode === "login" ? "username" : "nickname"}
            autoCapitalize="none"
            spellCheck={false}
            required
            maxLength={25}
            aria-describedby={error ? `${ids}-error` : undefined}
            className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
          />
        </label>
        {mode !== "guest" && (
          <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Password
            <input
              name="password"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete={mode === "register" ? "new-password" : "current-password"}
              required
              minLength={PASSWORD_MIN}
              maxLength={PASSWORD_MAX}
              aria-describedby={error ? `${ids}-error` : undefined}
              className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
            />
          </label>
        )}
        {error && (
          <p id={`${ids}-error`} role="alert" className="text-xs text-red-700 dark:text-red-300">
            {error}
          </p>
        )}
        <button
          type="submit"
          disabled={busy}
          className="inline-flex items-center justify-center gap-2 rounded-md bg-violet-600 px-3 py-2 font-medium text-sm text-white hover:bg-violet-500 disabled:opacity-60"
        >
          {busy && <LoaderCircle className="size-4 motion-safe:animate-spin" aria-hidden="true" />}
          {MODES[mode].submit}
        </button>
      </form>
    </div>
  );
}

function explain(failure: unknown, mode: AuthMode): string {
  if (!(failure instanceof ChorusError)) return "Something went wrong. Try again.";
  switch (failure.code) {
    case "conflict":
      return "That name is taken. Pick another one.";
    case "unauthorized":
      return mode === "login" ? "Wrong username or password." : failure.message;
    case "rate_limited": {
      const seconds = Math.ceil((failure.retryAfterMs ?? 60_000) / 1000);
      return `Too many attempts. Try again in ${seconds} s.`;
    }
    case "unavailable":
      return "The server could not be reached. Try again.";
    default:
      return failure.message;
  }
}
