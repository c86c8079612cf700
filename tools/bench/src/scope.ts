/**
 * Everything the bench starts is registered in a scope and stopped in reverse order when the
 * scope closes, each step guarded: after a stage, on failure, and on Ctrl-C.
 */
export class Scope {
  private readonly closers: Array<{ name: string; close: () => Promise<unknown> | unknown }> = [];
  private closing: Promise<string[]> | undefined;

  constructor(readonly name: string) {}

  add(name: string, close: () => Promise<unknown> | unknown): void {
    this.closers.push({ name, close });
  }

  /** Stops everything registered, newest first; returns the failures as text. Safe to call twice. */
  close(): Promise<string[]> {
    this.closing ??= (async () => {
      const failures: string[] = [];
      while (this.closers.length) {
        const { name, close } = this.closers.pop() as { name: string; close: () => Promise<unknown> | unknown };
        try {
          await close();
        } catch (error) {
          failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return failures;
    })();
    return this.closing;
  }
}
