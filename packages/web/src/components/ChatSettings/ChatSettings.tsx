/**
 * The chat settings, for moderators and the owner: shield mode (one prominent switch), the
 * chat modes, who may chat, the spam filters and AutoMod. Each control saves its own field at
 * once (numbers on Enter or when the field is left), and every control shows the channel as the
 * page last heard it: a change by another moderator (`channel_updated`) appears here live.
 * Moderators may change the chat modes and shield mode; the rest is shown, disabled, for them.
 * The chat analysis settings (summaries, emote feelings) are the owner's.
 */
import type { ChannelSettingsPatch } from "@chorus/client";
import { AUTOMOD_CATEGORIES, CHAT_DELAYS, type ChannelSettings } from "@chorus/protocol";
import { ShieldAlert } from "lucide-react";
import { type FormEvent, type ReactNode, useEffect, useId, useState } from "react";
import {
  AUTOMOD_CATEGORY_LABELS,
  AUTOMOD_LEVELS,
  canEditSetting,
  DEFAULT_ON,
  LINK_ROLE_LABELS,
  LINK_ROLES,
  NUMBER_SETTINGS,
  type NumberSettingKey,
  numberPatch,
  parseNumberSetting,
  SHIELD_SUMMARY,
  withCategoryLevel,
} from "../../lib/settings";
import { saveSettings } from "../../services/settings";
import { useFeed } from "../../store/feed";
import { useModeration } from "../../store/moderation";
import { AnalysisSettings } from "../Analysis/AnalysisSettings";

const SELECT =
  "rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-950";
const HEADING = "mb-1 font-medium text-xs text-zinc-500 uppercase dark:text-zinc-400";

type Save = (patch: ChannelSettingsPatch) => void;

interface Status {
  ok: boolean;
  text: string;
}

export function ChatSettings() {
  const settings = useFeed((s) => s.channel?.settings);
  const rank = useModeration((s) => s.moderator?.rank ?? 0);
  const [status, setStatus] = useState<Status | null>(null);
  if (settings === undefined) return <p className="text-sm text-zinc-500">Loading…</p>;
  const can = (key: keyof ChannelSettings): boolean => canEditSetting(key, rank);
  const ownerOnly = !can("guestsAllowed");

  const save: Save = (patch) => {
    setStatus({ ok: true, text: "Saving…" });
    void saveSettings(patch).then((result) =>
      setStatus(result.ok ? { ok: true, text: "Saved." } : { ok: false, text: result.error }),
    );
  };

  return (
    <div className="flex flex-col gap-4" data-testid="chat-settings">
      <p
        role={status?.ok === false ? "alert" : "status"}
        data-testid="settings-status"
        className={`min-h-4 text-xs ${status?.ok === false ? "text-red-700 dark:text-red-300" : "text-zinc-500"}`}
      >
        {status?.text}
      </p>
      <Shield on={settings.shieldMode} disabled={!can("shieldMode")} save={save} />

      <section aria-label="Chat modes" className="flex flex-col gap-2">
        <h3 className={HEADING}>Chat modes</h3>
        <NumberSetting field="slowModeSec" value={settings.slowModeSec} disabled={!can("slowModeSec")} save={save} />
        <NumberSetting
          field="followersOnlyMin"
          value={settings.followersOnlyMin}
          disabled={!can("followersOnlyMin")}
          save={save}
          help="0 lets any follower chat at once."
        />
        <Toggle
          label="Subscribers-only"
          checked={settings.subscribersOnly}
          disabled={!can("subscribersOnly")}
          onChange={(v) => save({ subscribersOnly: v })}
        />
        <Toggle
          label="Emote-only"
          checked={settings.emoteOnly}
          disabled={!can("emoteOnly")}
          onChange={(v) => save({ emoteOnly: v })}
        />
        <Toggle
          label="Unique chat"
          help="Refuses a message its sender just sent."
          checked={settings.uniqueChat}
          disabled={!can("uniqueChat")}
          onChange={(v) => save({ uniqueChat: v })}
        />
      </section>

      <section aria-label="Who can chat" className="flex flex-col gap-2">
        <h3 className={HEADING}>Who can chat</h3>
        {ownerOnly && <OwnerNote />}
        <Toggle
          label="Guests allowed"
          checked={settings.guestsAllowed}
          disabled={!can("guestsAllowed")}
          onChange={(v) => save({ guestsAllowed: v })}
        />
        <NumberSetting
          field="guestCooldownSec"
          value={settings.guestCooldownSec}
          disabled={!can("guestCooldownSec")}
          save={save}
          help="A new guest waits this long before chatting."
        />
        <NumberSetting
          field="minAccountAgeMin"
          value={settings.minAccountAgeMin}
          disabled={!can("minAccountAgeMin")}
          save={save}
          help="Subscribers and up are exempt."
        />
        <Select
          label="Links"
          value={settings.linksMinRole}
          disabled={!can("linksMinRole")}
          options={LINK_ROLES.map((r) => ({ value: r, label: LINK_ROLE_LABELS[r] }))}
          onChange={(v) => {
            const role = LINK_ROLES.find((r) => r === v);
            if (role) save({ linksMinRole: role });
          }}
        />
        <Select
          label="Chat delay"
          value={String(settings.chatDelaySec)}
          disabled={!can("chatDelaySec")}
          options={CHAT_DELAYS.map((d) => ({ value: String(d), label: d === 0 ? "Off" : `${d} s` }))}
          onChange={(v) => {
            const delay = CHAT_DELAYS.find((d) => String(d) === v);
            if (delay !== undefined) save({ chatDelaySec: delay });
          }}
        />
      </section>

      <section aria-label="Spam filters" className="flex flex-col gap-2">
        <h3 className={HEADING}>Spam filters</h3>
        <NumberSetting
          field="capsLimitPercent"
          value={settings.capsLimitPercent}
          disabled={!can("capsLimitPercent")}
          save={save}
          help="Refuses messages with at least this share of capitals. VIPs and up are exempt."
        />
        <NumberSetting
          field="repeatLimit"
          value={settings.repeatLimit}
          disabled={!can("repeatLimit")}
          save={save}
          help="Refuses a character or short run repeated more often in a row."
        />
      </section>

      <AutoMod settings={settings} disabled={!can("autoModLevel")} save={save} />

      <AnalysisSettings disabled={!can("sentimentEmotes")} />
    </div>
  );
}

function OwnerNote() {
  return <p className="text-xs text-zinc-500">Only the broadcaster can change these.</p>;
}

function Shield({ on, disabled, save }: { on: boolean; disabled: boolean; save: Save }) {
  const ids = useId();
  return (
    <section
      aria-label="Shield mode"
      data-shield={on ? "on" : "off"}
      className={`rounded-lg border p-3 ${
        on
          ? "border-red-500 bg-red-50 text-red-950 dark:bg-red-950/40 dark:text-red-50"
          : "border-zinc-200 dark:border-zinc-800"
      }`}
    >
      <div className="flex items-center gap-2">
        <ShieldAlert className={`size-5 shrink-0 ${on ? "text-red-600" : "text-zinc-500"}`} aria-hidden="true" />
        <span id={`${ids}-label`} className="flex-1 font-semibold text-sm">
          Shield mode
        </span>
        <SwitchButton
          labelledBy={`${ids}-label`}
          describedBy={`${ids}-help`}
          checked={on}
          disabled={disabled}
          onChange={(v) => save({ shieldMode: v })}
          testId="shield-switch"
          large
        />
      </div>
      <p id={`${ids}-help`} className="mt-1 text-xs opacity-80">
        {on
          ? `On: ${SHIELD_SUMMARY}. Turning it off puts the earlier settings back.`
          : `For a raid: ${SHIELD_SUMMARY} at once. Turning it off puts your settings back.`}
      </p>
    </section>
  );
}

function SwitchButton({
  labelledBy,
  describedBy,
  checked,
  disabled,
  onChange,
  testId,
  large = false,
}: {
  labelledBy: string;
  describedBy?: string | undefined;
  checked: boolean;
  disabled: boolean;
  onChange: (value: boolean) => void;
  testId?: string | undefined;
  large?: boolean;
}) {
  const size = large ? "h-7 w-12" : "h-5 w-9";
  // The shield's switch is red when on: it changes the whole chat.
  const onColor = large
    ? "aria-checked:bg-red-600 dark:aria-checked:bg-red-600"
    : "aria-checked:bg-violet-600 dark:aria-checked:bg-violet-500";
  const knob = large ? "size-6 peer-aria-checked:translate-x-5" : "size-4 peer-aria-checked:translate-x-4";
  return (
    <span className={`relative inline-flex shrink-0 ${size}`}>
      <button
        type="button"
        role="switch"
        aria-checked={checked}
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        disabled={disabled}
        data-testid={testId}
        onClick={() => onChange(!checked)}
        className={`peer ${size} rounded-full bg-zinc-300 disabled:cursor-not-allowed disabled:opacity-50 dark:bg-zinc-700 ${onColor}`}
      />
      <span
        aria-hidden="true"
        className={`pointer-events-none absolute top-0.5 left-0.5 rounded-full bg-white shadow motion-safe:transition-transform ${knob}`}
      />
    </span>
  );
}

function Toggle({
  label,
  help,
  checked,
  disabled,
  onChange,
}: {
  label: string;
  help?: string;
  checked: boolean;
  disabled: boolean;
  onChange: (value: boolean) => void;
}) {
  const ids = useId();
  return (
    <Row label={label} labelId={`${ids}-label`} help={help} helpId={`${ids}-help`}>
      <SwitchButton
        labelledBy={`${ids}-label`}
        describedBy={help ? `${ids}-help` : undefined}
        checked={checked}
        disabled={disabled}
        onChange={onChange}
      />
    </Row>
  );
}

function Row({
  label,
  labelId,
  help,
  helpId,
  children,
}: {
  label: string;
  labelId: string;
  help?: string | undefined;
  helpId: string;
  children: ReactNode;
}) {
  return (
    <div>
      <div className="flex items-center gap-2">
        <span id={labelId} className="flex-1 text-sm">
          {label}
        </span>
        {children}
      </div>
      {help && (
        <p id={helpId} className="text-xs text-zinc-500">
          {help}
        </p>
      )}
    </div>
  );
}

/**
 * A number setting with its on/off switch: "off" is null or 0 (NUMBER_SETTINGS), switching on
 * saves a sensible default, and a typed value is saved on Enter or when the field is left.
 */
function NumberSetting({
  field,
  value,
  disabled,
  save,
  help,
}: {
  field: NumberSettingKey;
  value: number | null;
  disabled: boolean;
  save: Save;
  help?: string;
}) {
  const spec = NUMBER_SETTINGS[field];
  const on = value !== null && value !== spec.off;
  const [draft, setDraft] = useState(on ? String(value) : "");
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();
  // Follow changes made elsewhere (another moderator, shield mode) unless the field is being edited.
  useEffect(() => {
    if (!editing) setDraft(on ? String(value) : "");
  }, [value, on, editing]);

  const commit = (): void => {
    setEditing(false);
    if (!on) return;
    const parsed = parseNumberSetting(field, draft);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    if (parsed.value !== value) save(numberPatch(field, parsed.value));
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    commit();
  };
  const toggle = (next: boolean): void => {
    setError(null);
    save(numberPatch(field, next ? DEFAULT_ON[field] : null));
  };

  return (
    <form onSubmit={submit} aria-label={spec.label} data-setting={field}>
      <Row label={spec.label} labelId={`${ids}-label`} help={help} helpId={`${ids}-help`}>
        {on && (
          <span className="inline-flex items-center gap-1">
            <input
              type="number"
              inputMode="numeric"
              min={spec.min}
              max={spec.max}
              step={1}
              value={draft}
              disabled={disabled}
              aria-label={`${spec.label} (${spec.unit})`}
              aria-invalid={error !== null || undefined}
              aria-describedby={error ? `${ids}-error` : undefined}
              data-testid={`setting-${field}`}
              onFocus={() => setEditing(true)}
              onChange={(e) => setDraft(e.target.value)}
              onBlur={commit}
              className="w-20 rounded-md border border-zinc-300 bg-white px-2 py-0.5 text-right text-sm tabular-nums aria-invalid:border-red-500 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-950"
            />
            <span className="text-xs text-zinc-500">{spec.unit}</span>
          </span>
        )}
        <SwitchButton
          labelledBy={`${ids}-label`}
          describedBy={help ? `${ids}-help` : undefined}
          checked={on}
          disabled={disabled}
          onChange={toggle}
          testId={`switch-${field}`}
        />
      </Row>
      {error && (
        <p id={`${ids}-error`} role="alert" className="text-red-700 text-xs dark:text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}

function Select({
  label,
  value,
  disabled,
  options,
  onChange,
}: {
  label: string;
  value: string;
  disabled: boolean;
  options: ReadonlyArray<{ value: string; label: string }>;
  onChange: (value: string) => void;
}) {
  const ids = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={`${ids}-select`} className="flex-1 text-sm">
        {label}
      </label>
      <select
        id={`${ids}-select`}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        className={SELECT}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function AutoMod({ settings, disabled, save }: { settings: ChannelSettings; disabled: boolean; save: Save }) {
  const levels = AUTOMOD_LEVELS.map((l) => ({ value: String(l.level), label: l.label }));
  const overrides = settings.autoModCategories;
  const count = overrides ? Object.keys(overrides).length : 0;
  return (
    <section aria-label="AutoMod" className="flex flex-col gap-2">
      <h3 className={HEADING}>AutoMod</h3>
      <p className="text-xs text-zinc-500">
        Holds messages with hurtful language for review; level 4 also refuses the worst.
      </p>
      <Select
        label="AutoMod level"
        value={String(settings.autoModLevel)}
        disabled={disabled}
        options={levels}
        onChange={(v) => save({ autoModLevel: Number(v) })}
      />
      <details className="rounded-md border border-zinc-200 px-2 py-1 dark:border-zinc-800">
        <summary className="cursor-pointer text-sm">
          Per category{count > 0 ? ` · ${count} ${count === 1 ? "override" : "overrides"}` : ""}
        </summary>
        <div className="mt-2 flex flex-col gap-1.5">
          {AUTOMOD_CATEGORIES.map((c) => (
            <Select
              key={c}
              label={AUTOMOD_CATEGORY_LABELS[c]}
              value={overrides?.[c] === undefined ? "" : String(overrides[c])}
              disabled={disabled}
              options={[{ value: "", label: `As the level (${settings.autoModLevel})` }, ...levels]}
              onChange={(v) =>
                save({ autoModCategories: withCategoryLevel(overrides, c, v === "" ? undefined : Number(v)) })
              }
            />
          ))}
        </div>
      </details>
    </section>
  );
}
