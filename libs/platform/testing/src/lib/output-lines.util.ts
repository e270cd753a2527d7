import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

type LineListener = (line: string) => void;

/**
 * Collects the lines a child process writes to stdout/stderr.
 *
 * Reading the pipes is not optional: a child whose pipe buffer fills up blocks on its next write,
 * which looks like a hang. Only the newest `maxLines` are kept so a chatty long-running service
 * cannot grow the test process without bound.
 */
export class OutputLines {
  private readonly lines: string[] = [];
  private readonly listeners = new Set<LineListener>();

  constructor(private readonly maxLines: number) {}

  /** Starts reading `stream` line by line; `null` (an ignored stdio slot) is accepted. */
  attach(stream: Readable | null): void {
    if (!stream) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.push(line));
  }

  /** Calls `listener` for every line from now on; returns a function that unsubscribes. */
  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A copy of the lines kept so far, oldest first. */
  all(): string[] {
    return [...this.lines];
  }

  /** The last `count` lines joined for an error message, or a note that there was no output. */
  tail(count = 30): string {
    const last = this.lines.slice(-count);
    return last.length > 0 ? last.join('\n') : '(no output)';
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
    for (const listener of this.listeners) listener(line);
  }
}
