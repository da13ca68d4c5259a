/** The polite live region fed by services/announcer.ts (throttled there). */
import { useAnnouncement } from "../../store/announcer";

export function Announcer() {
  const text = useAnnouncement((s) => s.text);
  return (
    <div aria-live="polite" aria-atomic="true" className="sr-only" data-testid="announcer">
      {text}
    </div>
  );
}
