/**
 * A single-producer/single-consumer queue of byte records in a SharedArrayBuffer, for feeding a
 * worker thread without postMessage. One thread holds the RingWriter, one the RingReader; the
 * records are written and read in place (reserve → fill → commit, read → use → release) so a
 * message costs one copy (the UTF-8 encode) and no allocation.
 *
 * Layout: a 128-byte header (the consumer's head and the producer's tail, each an Int32 on its
 * own cache line so the two threads do not false-share), then the data region. A record is a
 * 4-byte length and its payload, padded to 4 bytes. A record that does not fit before the end of
 * the region starts at 0 behind a WRAP marker, so every payload is contiguous. The producer never
 * lets the tail catch up with the head: head === tail always means empty.
 *
 * Publication is ordered by the Atomics.store of the tail (and of the head for freed space): the
 * plain writes made before it are visible to the thread that Atomics.loads it.
 */

const HEAD = 0;
const TAIL = 16;
const HEADER_BYTES = 128;
const WRAP = -1;

const align4 = (n: number): number => (n + 3) & ~3;

/** A ring of `capacity` data bytes (a multiple of 4, at least 64), to hand to both ends. */
export function createRingBuffer(capacity: number): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < 64 || capacity % 4 !== 0) {
    throw new RangeError(`ring capacity must be a multiple of 4 and at least 64, got ${capacity}`);
  }
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

abstract class RingEnd {
  /** The data region; payload offsets returned by reserve() and read() index into it. */
  readonly bytes: Uint8Array;
  /** The same region, for fixed-width fields (unaligned access is fine). */
  readonly view: DataView;
  protected readonly header: Int32Array;
  protected readonly words: Int32Array;
  protected readonly capacity: number;

  constructor(buffer: SharedArrayBuffer) {
    this.capacity = buffer.byteLength - HEADER_BYTES;
    if (this.capacity < 64 || this.capacity % 4 !== 0) throw new RangeError("not a ring buffer");
    this.header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.words = new Int32Array(buffer, HEADER_BYTES, this.capacity / 4);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES, this.capacity);
    this.view = new DataView(buffer, HEADER_BYTES, this.capacity);
  }

  /** The largest payload one record can carry. */
  get maxPayload(): number {
    // Under half the region, so an empty ring takes it wherever its tail stands (before the end
    // or, wrapped, before the head); a larger record could wait forever for a lucky position.
    return this.capacity / 2 - 8;
  }
}

export class RingWriter extends RingEnd {
  private tail: number;
  private reservedAt = -1;
  private reservedMax = 0;
  /** The head as the last reserve() saw it: waitForSpace() sleeps only if it has not moved since. */
  private seenHead = 0;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    this.tail = Atomics.load(this.header, TAIL);
  }

  /**
   * Room for a payload of up to `maxPayload` bytes: its offset in `bytes`/`view`, or -1 when the
   * ring is too full now (retry after the consumer has read). Throws if it could never fit.
   */
  reserve(maxPayload: number): number {
    if (maxPayload > this.maxPayload) throw new RangeError(`record of ${maxPayload} bytes exceeds the ring`);
    const need = 4 + align4(maxPayload);
    const head = Atomics.load(this.header, HEAD);
    this.seenHead = head;
    const t = this.tail;
    let at: number;
    if (head <= t) {
      // Free: [t, capacity) and [0, head). Ending exactly at the end wraps the tail to 0, which
      // must not then equal the head.
      if (t + need < this.capacity || (t + need === this.capacity && head > 0)) at = t;
      else if (need < head) at = 0;
      else return -1;
    } else if (t + need < head) {
      at = t;
    } else {
      return -1;
    }
    this.reservedAt = at;
    this.reservedMax = maxPayload;
    return at + 4;
  }

  /** Publishes the reserved record with its actual length (≤ what was reserved). */
  commit(payloadLength: number): void {
    const at = this.reservedAt;
    if (at < 0) throw new Error("commit without reserve");
    if (payloadLength < 0 || payloadLength > this.reservedMax) {
      throw new RangeError(`committed ${payloadLength} bytes of a ${this.reservedMax}-byte reservation`);
    }
    if (at !== this.tail) this.words[this.tail >> 2] = WRAP;
    this.words[at >> 2] = payloadLength;
    let next = at + 4 + align4(payloadLength);
    if (next === this.capacity) next = 0;
    this.tail = next;
    this.reservedAt = -1;
    Atomics.store(this.header, TAIL, next);
  }

  /** Wakes a consumer blocked in wait() or waitAsync(); call once per batch of commits. */
  notify(): void {
    Atomics.notify(this.header, TAIL);
  }

  /**
   * After a refused reserve(): blocks until the consumer frees space (and calls notifySpace) or
   * `timeoutMs` pass. Worker threads only: the main thread may not Atomics.wait.
   */
  waitForSpace(timeoutMs: number): void {
    Atomics.wait(this.header, HEAD, this.seenHead, timeoutMs);
  }
}

export class RingReader extends RingEnd {
  /** The payload length of the record read() returned last. */
  length = 0;
  private head: number;
  private nextHead = -1;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    this.head = Atomics.load(this.header, HEAD);
  }

  /** The offset in `bytes`/`view` of the next record's payload (length in `length`), or -1 when empty. */
  read(): number {
    let h = this.head;
    if (h === Atomics.load(this.header, TAIL)) return -1;
    let length = this.words[h >> 2]!;
    if (length === WRAP) {
      // The producer writes the marker and the record at 0 before publishing either.
      h = 0;
      length = this.words[0]!;
    }
    this.length = length;
    const next = h + 4 + align4(length);
    this.nextHead = next === this.capacity ? 0 : next;
    return h + 4;
  }

  /** Frees the record read() returned (its bytes may be overwritten from now on). */
  release(): void {
    if (this.nextHead < 0) throw new Error("release without read");
    this.head = this.nextHead;
    this.nextHead = -1;
    Atomics.store(this.header, HEAD, this.head);
  }

  /** Wakes a producer blocked in waitForSpace(); call after releasing a batch of records. */
  notifySpace(): void {
    Atomics.notify(this.header, HEAD);
  }

  /** Blocks until the producer publishes or `timeoutMs` pass. Worker threads only. */
  wait(timeoutMs = Number.POSITIVE_INFINITY): void {
    // Empty means tail === head, so this sleeps only while nothing new was committed.
    Atomics.wait(this.header, TAIL, this.head, timeoutMs);
  }

  /**
   * For the main thread: a promise that settles when the producer notifies, or undefined when
   * there is something to read already.
   */
  waitAsync(): Promise<unknown> | undefined {
    const result = Atomics.waitAsync(this.header, TAIL, this.head);
    return result.async ? result.value : undefined;
  }

  /** Wakes a waitAsync() of this ring's consumer (e.g. to let it see it is closed). */
  wake(): void {
    Atomics.notify(this.header, TAIL);
  }
}
