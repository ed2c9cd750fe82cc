/** How much of a stream is kept for clients that reconnect with Last-Event-ID. */
export interface ReplayLimits {
  /** messages kept */
  maxEvents: number;
  /** bytes of messages kept */
  maxBytes: number;
  /** a message older than this is dropped */
  maxAgeMs: number;
}

interface Entry {
  sequence: number;
  text: string;
  at: number;
}

/**
 * The last messages of one stream, each under its sequence number, bounded by count, bytes and age.
 * It remembers the newest sequence it has dropped, so it can tell "nothing was missed" (replay what is
 * kept after the client's last event) from "something was dropped" (the client must start over).
 */
export class ReplayBuffer {
  private readonly entries: Entry[] = [];
  private bytes = 0;
  /** the newest sequence no longer kept (0: nothing dropped) */
  private droppedThrough = 0;
  /** every message since this time is kept: when the buffer started, or when the newest dropped message came */
  private keptFrom: number;

  constructor(
    private readonly limits: ReplayLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.keptFrom = now();
  }

  get size(): number {
    return this.entries.length;
  }

  /** Keeps a message; sequences must grow. */
  append(sequence: number, text: string): void {
    this.entries.push({ sequence, text, at: this.now() });
    this.bytes += text.length;
    while (this.entries.length > this.limits.maxEvents || (this.bytes > this.limits.maxBytes && this.entries.length > 0))
      this.dropOldest();
  }

  /** The messages after `sequence`, oldest first; undefined when one of them is no longer kept. */
  after(sequence: number): string[] | undefined {
    const oldest = this.now() - this.limits.maxAgeMs;
    while (this.entries.length > 0 && this.entries[0]!.at < oldest) this.dropOldest();
    if (sequence < this.droppedThrough) return undefined;
    return this.entries.filter((entry) => entry.sequence > sequence).map((entry) => entry.text);
  }

  /**
   * Since when every message is kept (for a resume from another replica's stream, whose record must reach
   * back to here), and those messages that came at or after `from`.
   */
  keptSince(from: number): { since: number; messages: string[] } {
    this.after(this.droppedThrough); // drops what aged out
    return { since: this.keptFrom, messages: this.entries.filter((entry) => entry.at >= from).map((entry) => entry.text) };
  }

  private dropOldest(): void {
    const entry = this.entries.shift()!;
    this.bytes -= entry.text.length;
    this.droppedThrough = entry.sequence;
    this.keptFrom = entry.at;
  }
}
