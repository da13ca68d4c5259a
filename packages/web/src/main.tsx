/**
 * Chorus viewer app. Layers, from the wire up:
 *
 * - services/  the only code that talks to the server, always through the SDK's one
 *              `ChorusClient` (services/client.ts): sessions, channels, sending, and the open
 *              channel's feed (subscribe, resume, batch updates once per frame).
 * - store/     zustand stores the services write and the components read with selectors.
 * - lib/       pure logic without DOM or React (feed reducer, text → links/mentions, video URL
 *              parsing, readable colours, error wording), unit-tested in Node.
 * - components/<Name>/<Name>.tsx  one folder per component; they render stores and call
 *              services, never `fetch` or the socket.
 */
import "./index.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { startRouter } from "./services/router";
import { startSession } from "./services/session";
import { applyTheme } from "./services/theme";

applyTheme();
startRouter();
startSession();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
