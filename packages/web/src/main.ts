/**
 * Minimal viewer page for the `main` channel, built on the SDK only. The full viewer app
 * (video, virtualised list, moderation) replaces it; this page proves the end-to-end path.
 */
import { ChorusClient, ChorusError } from "@chorus/client";
import type { Message } from "@chorus/protocol";

const CHANNEL = "main";
const MAX_ROWS = 500;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const client = new ChorusClient({ baseUrl: window.location.origin });
const list = $<HTMLOListElement>("messages");
const errorBox = $<HTMLParagraphElement>("error");

function render(message: Message): void {
  const row = document.createElement("li");
  row.dataset["id"] = message.id;
  const name = document.createElement("bdi");
  name.className = "name";
  name.style.color = message.author.color;
  name.textContent = message.author.displayName;
  const text = document.createElement("bdi");
  text.textContent = message.text;
  row.append(name, text);
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  list.append(row);
  while (list.childElementCount > MAX_ROWS) list.firstElementChild?.remove();
  if (stick) list.scrollTop = list.scrollHeight;
}

client.on("state", (state) => {
  $("state").textContent = state;
});

// History first, then subscribe from its last seq: the log replays whatever came in between,
// so nothing is shown twice and nothing is missed.
async function start(): Promise<void> {
  const history = await client.history({ channel: CHANNEL, limit: 50 }).catch(() => []);
  for (const m of history) render(m);
  const last = history.at(-1);
  client.subscribe(
    CHANNEL,
    (update) => {
      if (update.kind === "reset") {
        list.replaceChildren();
        for (const m of update.messages) render(m);
      } else if (update.kind === "event") {
        const event = update.event;
        if (event.type === "message") render(event.data);
        else if (event.type === "message_deleted")
          list.querySelector(`[data-id="${CSS.escape(event.data.id)}"]`)?.remove();
        else if (event.type === "chat_cleared") list.replaceChildren();
      }
    },
    last ? { since: last.seq } : {},
  );
}

void start();

$<HTMLFormElement>("join").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await client.guest({ username: $<HTMLInputElement>("name").value });
    $("join").hidden = true;
    $("send").hidden = false;
    $<HTMLInputElement>("text").focus();
    errorBox.textContent = "";
  } catch (error) {
    errorBox.textContent = error instanceof ChorusError ? error.message : "could not join";
  }
});

$<HTMLFormElement>("send").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>("text");
  try {
    await client.send(CHANNEL, input.value);
    input.value = "";
    errorBox.textContent = "";
  } catch (error) {
    // Keep the unsent text; say why it failed.
    errorBox.textContent = error instanceof ChorusError ? error.message : "send failed";
  }
});
