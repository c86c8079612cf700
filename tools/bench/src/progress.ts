/**
 * The progress line: rewritten in place on a terminal, printed at most every few seconds
 * otherwise (CI logs), with permanent lines in between for stage starts and results.
 */
export class Progress {
  private last = '';
  private lastPrinted = 0;
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly everyMs = 5_000,
  ) {
    this.tty = out.isTTY === true;
  }

  /** Replaces the progress line. */
  update(text: string): void {
    if (this.tty) {
      const width = Math.max(20, (this.out.columns ?? 120) - 1);
      const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
      this.out.write(`\r${line.padEnd(Math.min(width, Math.max(line.length, this.last.length)))}`);
      this.last = line;
      return;
    }
    const now = Date.now();
    if (now - this.lastPrinted >= this.everyMs) {
      this.out.write(`  … ${text}\n`);
      this.lastPrinted = now;
    }
  }

  /** A permanent line (clears the progress line first). */
  log(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
  }

  clear(): void {
    if (this.tty && this.last) {
      this.out.write(`\r${' '.repeat(this.last.length)}\r`);
      this.last = '';
    }
  }
}
