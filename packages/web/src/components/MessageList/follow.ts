/**
 * Keeps a scroll container at its end while the reader follows the chat, and hands control to
 * the reader when they scroll. Only a scroll that follows the reader's own gesture (wheel,
 * touch, scrolling keys, a press on the scrollbar) pauses — away from the end — or resumes —
 * back at the end. A scroll the reader did not make (rows measured taller, the viewport
 * shrinking, the virtualiser correcting its offset) is undone on the next frame, so a burst
 * of messages can never leave the list stranded above the newest one (the classic
 * broken-autoscroll bug), and never pauses it either.
 */
const SCROLL_KEYS = new Set(["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End", " "]);
/** A scroll this soon after a reader's gesture is the reader's (wheel and keys scroll smoothly). */
const INTENT_MS = 800;

export interface FollowOptions {
  /** How far from the end (px) still counts as "at the end". */
  slack: number;
  isPaused(): boolean;
  setPaused(paused: boolean): void;
}

export class BottomFollower {
  private intentAt = Number.NEGATIVE_INFINITY;
  private frame: number | undefined;
  private readonly resize: ResizeObserver;
  private readonly listeners: Array<[string, EventListener, AddEventListenerOptions]>;

  constructor(
    private readonly element: HTMLElement,
    private readonly options: FollowOptions,
  ) {
    const intent = (): void => {
      this.intentAt = performance.now();
    };
    this.listeners = [
      ["wheel", intent, { passive: true }],
      ["touchmove", intent, { passive: true }],
      ["keydown", (e) => SCROLL_KEYS.has((e as KeyboardEvent).key) && intent(), {}],
      // A press on the scroller itself (not on a row) is a press on its scrollbar.
      ["pointerdown", (e) => e.target === element && intent(), {}],
      ["scroll", () => this.onScroll(), { passive: true }],
    ];
    for (const [type, listener, opts] of this.listeners) element.addEventListener(type, listener, opts);
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(element);
  }

  /** Goes to the end now, unless the reader paused. */
  stick(): void {
    if (this.options.isPaused()) return;
    const { element } = this;
    if (element.scrollHeight - element.scrollTop - element.clientHeight > 1) element.scrollTop = element.scrollHeight;
  }

  /** Goes to the end on the next frame (coalesced), unless the reader paused by then. */
  schedule(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.stick();
    });
  }

  /** The reader asked for the end (the "new messages" button): follow again from here. */
  resume(): void {
    this.intentAt = Number.NEGATIVE_INFINITY;
    this.options.setPaused(false);
    this.schedule();
  }

  dispose(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    for (const [type, listener] of this.listeners) this.element.removeEventListener(type, listener);
  }

  private onScroll(): void {
    const { element } = this;
    const fromEnd = element.scrollHeight - element.scrollTop - element.clientHeight;
    if (performance.now() - this.intentAt < INTENT_MS) this.options.setPaused(fromEnd > this.options.slack);
    else if (fromEnd > 1) this.schedule();
  }
}
