/**
 * The admins' page for site-wide bans: the active ones in a table, a form to ban an account or
 * an address range for a while or until lifted, and a Lift button per ban. The server's refusal
 * ("this range contains your own address") is shown next to the form as it said it. Anyone
 * else who opens the address is told the page is for admins.
 */
import type { SiteBan } from "@chorus/protocol";
import { ShieldBan } from "lucide-react";
import { type FormEvent, useEffect, useId, useState } from "react";
import { addSiteBan, liftSiteBan, loadSiteBans, type SiteBanTarget } from "../../services/admin-bans";
import { followLink } from "../../services/router";
import { useSession } from "../../store/session";
import { useSiteBans } from "../../store/site-bans";

const INPUT =
  "min-w-0 rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-950";
const LABEL = "flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-400";

/** The durations an admin picks from; null lasts until the ban is lifted. */
export const BAN_DURATIONS: ReadonlyArray<{ value: string; label: string; seconds: number | null }> = [
  { value: "1h", label: "1 hour", seconds: 3_600 },
  { value: "1d", label: "1 day", seconds: 86_400 },
  { value: "7d", label: "7 days", seconds: 7 * 86_400 },
  { value: "30d", label: "30 days", seconds: 30 * 86_400 },
  { value: "lifted", label: "Until lifted", seconds: null },
];

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const targetOf = (ban: SiteBan): string => (ban.kind === "account" ? (ban.username ?? "?") : (ban.cidr ?? "?"));

export function AdminBans() {
  const checked = useSession((s) => s.checked);
  const signedIn = useSession((s) => s.user !== null);
  const isAdmin = useSession((s) => s.user?.isAdmin === true);
  useEffect(() => {
    document.title = "Site bans · Chorus";
  }, []);
  useEffect(() => {
    if (isAdmin) void loadSiteBans();
  }, [isAdmin]);

  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto flex max-w-5xl flex-col gap-6 p-4 lg:p-6">
        <h1 className="flex items-center gap-2 font-bold text-2xl">
          <ShieldBan className="size-6 text-red-600 dark:text-red-400" aria-hidden="true" />
          Site bans
        </h1>
        {!checked ? (
          <p className="text-sm text-zinc-500">Loading…</p>
        ) : !isAdmin ? (
          <AdminsOnly signedIn={signedIn} />
        ) : (
          <>
            <BanForm />
            <BanTable />
          </>
        )}
      </div>
    </div>
  );
}

function AdminsOnly({ signedIn }: { signedIn: boolean }) {
  return (
    <div data-testid="admins-only" className="flex flex-col gap-2">
      <p className="font-medium">Admins only.</p>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {signedIn
          ? "Site bans are managed by the site's administrators; your account is not one."
          : "Site bans are managed by the site's administrators. Log in with an admin account to see them."}
      </p>
      <a href="/" onClick={followLink} className="text-sm text-violet-700 underline dark:text-violet-300">
        See all channels
      </a>
    </div>
  );
}

interface Status {
  ok: boolean;
  text: string;
}

function BanForm() {
  const [kind, setKind] = useState<SiteBanTarget["kind"]>("account");
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const [duration, setDuration] = useState("1d");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status | null>(null);
  const ids = useId();
  const failed = status !== null && !status.ok;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const value = target.trim();
    if (value === "") return;
    const seconds = BAN_DURATIONS.find((d) => d.value === duration)?.seconds ?? null;
    setBusy(true);
    setStatus(null);
    const result = await addSiteBan({
      target: kind === "account" ? { kind, username: value } : { kind, cidr: value },
      reason,
      durationSec: seconds,
    });
    setBusy(false);
    if (!result.ok) {
      setStatus({ ok: false, text: result.error });
      return;
    }
    const length = result.ban.until === null ? "until lifted" : `until ${when.format(result.ban.until)}`;
    setStatus({ ok: true, text: `Banned ${targetOf(result.ban)} ${length}.` });
    setTarget("");
    setReason("");
  };

  return (
    <section aria-labelledby={`${ids}-heading`} className="flex flex-col gap-3">
      <h2 id={`${ids}-heading`} className="font-semibold text-lg">
        Add a ban
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        A banned account is refused everywhere: its sessions, its logins and every channel. A banned address or range
        (such as 203.0.113.7 or 203.0.113.0/24) is refused every request and connection. Admins cannot be banned.
      </p>
      <form onSubmit={submit} aria-label="Add a site ban" className="flex flex-col gap-3" data-testid="site-ban-form">
        <fieldset className="flex flex-wrap gap-4 text-sm">
          <legend className="mb-1 font-medium text-xs text-zinc-600 dark:text-zinc-400">Ban</legend>
          {(["account", "address"] as const).map((k) => (
            <label key={k} className="flex items-center gap-1.5">
              <input
                type="radio"
                name={`${ids}-kind`}
                value={k}
                checked={kind === k}
                onChange={() => {
                  setKind(k);
                  setStatus(null);
                }}
              />
              {k === "account" ? "An account" : "An address or range"}
            </label>
          ))}
        </fieldset>
        <div className="grid gap-3 sm:grid-cols-[1fr_2fr_auto]">
          <label className={LABEL}>
            {kind === "account" ? "Account name" : "Address or range (CIDR)"}
            <input
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              placeholder={kind === "account" ? "username" : "203.0.113.0/24"}
              autoComplete="off"
              spellCheck={false}
              maxLength={64}
              required
              aria-invalid={failed || undefined}
              aria-describedby={failed ? `${ids}-status` : undefined}
              className={`${INPUT} font-mono`}
            />
          </label>
          <label className={LABEL}>
            Reason (optional)
            <input
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              autoComplete="off"
              maxLength={2_000}
              className={INPUT}
            />
          </label>
          <label className={LABEL}>
            Duration
            <select value={duration} onChange={(e) => setDuration(e.target.value)} className={INPUT}>
              {BAN_DURATIONS.map((d) => (
                <option key={d.value} value={d.value}>
                  {d.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <button
            type="submit"
            disabled={busy || target.trim() === ""}
            className="rounded-md bg-red-600 px-3 py-1.5 font-medium text-sm text-white hover:bg-red-700 disabled:opacity-50"
          >
            Ban
          </button>
          {status && (
            <p
              id={`${ids}-status`}
              role={status.ok ? "status" : "alert"}
              data-testid="site-ban-status"
              data-ok={status.ok}
              className={`text-sm ${status.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-300"}`}
            >
              {status.text}
            </p>
          )}
        </div>
      </form>
    </section>
  );
}

function BanTable() {
  const bans = useSiteBans((s) => s.bans);
  const loadError = useSiteBans((s) => s.loadError);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [liftError, setLiftError] = useState<string | null>(null);
  const ids = useId();
  const now = Date.now();
  // A ban that ran out since the list was loaded is over: the server no longer applies it.
  const active = bans?.filter((b) => b.until === null || b.until > now) ?? null;

  const lift = async (ban: SiteBan): Promise<void> => {
    setBusyId(ban.id);
    setLiftError(null);
    const result = await liftSiteBan(ban.id);
    setBusyId(null);
    if (!result.ok) setLiftError(`${targetOf(ban)}: ${result.error}`);
  };

  return (
    <section aria-labelledby={`${ids}-heading`} className="flex flex-col gap-3">
      <h2 id={`${ids}-heading`} className="font-semibold text-lg">
        Active bans
      </h2>
      {loadError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {loadError}
        </p>
      )}
      {liftError && (
        <p role="alert" data-testid="site-ban-lift-error" className="text-sm text-red-700 dark:text-red-300">
          {liftError}
        </p>
      )}
      {active === null ? (
        loadError ? null : (
          <p className="text-sm text-zinc-500">Loading bans…</p>
        )
      ) : active.length === 0 ? (
        <p className="text-sm text-zinc-500" data-testid="site-bans-empty">
          No active site bans.
        </p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="site-bans">
            <caption className="sr-only">Active site bans, oldest first</caption>
            <thead className="border-zinc-200 border-b text-xs text-zinc-500 uppercase dark:border-zinc-800">
              <tr>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Kind
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Target
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Reason
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  By
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Since
                </th>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Until
                </th>
                <th scope="col" className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {active.map((ban) => (
                <tr
                  key={ban.id}
                  data-testid="site-ban-row"
                  data-ban-id={ban.id}
                  data-kind={ban.kind}
                  className="border-zinc-100 border-b align-top dark:border-zinc-800/60"
                >
                  <td className="py-2 pr-3">{ban.kind === "account" ? "Account" : "Address"}</td>
                  <td className="py-2 pr-3 font-mono" data-testid="site-ban-target">
                    <bdi>{targetOf(ban)}</bdi>
                  </td>
                  <td className="max-w-xs py-2 pr-3 break-words" data-testid="site-ban-reason">
                    {ban.reason === null ? <span className="text-zinc-500">—</span> : <bdi>{ban.reason}</bdi>}
                  </td>
                  <td className="py-2 pr-3">
                    <bdi>{ban.by}</bdi>
                  </td>
                  <td className="whitespace-nowrap py-2 pr-3">
                    <time dateTime={new Date(ban.at).toISOString()}>{when.format(ban.at)}</time>
                  </td>
                  <td className="whitespace-nowrap py-2 pr-3" data-testid="site-ban-until">
                    {ban.until === null ? (
                      "until lifted"
                    ) : (
                      <time dateTime={new Date(ban.until).toISOString()}>{when.format(ban.until)}</time>
                    )}
                  </td>
                  <td className="py-2 text-right">
                    <button
                      type="button"
                      disabled={busyId === ban.id}
                      onClick={() => void lift(ban)}
                      aria-label={`Lift the ban on ${targetOf(ban)}`}
                      className="rounded-md border border-zinc-300 px-2 py-1 font-medium text-xs hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
                    >
                      Lift
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
