/** For specs of error classes: find them among a module's exports, check their HeraldError codes. */
import { HeraldError } from '@herald/errors';

export type ErrorClass = (abstract new (...args: never[]) => Error) & { heraldCode?: unknown };

/** The classes among these modules' exports whose instances are Errors (HeraldError itself aside), once each, with where they were found. */
export function exportedErrorClasses(modules: Record<string, Record<string, unknown>>, skip: (entry: string, name: string) => boolean = () => false): Array<{ where: string; cls: ErrorClass }> {
  const seen = new Map<unknown, { where: string; cls: ErrorClass }>();
  for (const [entry, module] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== 'function' || value === HeraldError || seen.has(value) || skip(entry, name)) continue;
      const prototype: unknown = (value as { prototype?: unknown }).prototype;
      if (prototype instanceof Error) seen.set(value, { where: `${entry} ${name}`, cls: value as ErrorClass });
    }
  }
  return [...seen.values()];
}

/**
 * What is wrong with these classes' codes, one line each (so a spec expects []): not a HeraldError,
 * no `heraldCode` of its own, one that does not match `pattern`, or one already in `taken` or
 * given twice. `taken` gets the codes it checked.
 */
export function heraldCodeProblems(classes: Array<{ where: string; cls: ErrorClass }>, pattern: RegExp, taken = new Set<unknown>()): string[] {
  const problems: string[] = [];
  for (const { where, cls } of classes) {
    const code = cls.heraldCode;
    if (!(cls.prototype instanceof HeraldError)) problems.push(`${where}: does not extend HeraldError`);
    else if (!Object.hasOwn(cls, 'heraldCode') || typeof code !== 'string') problems.push(`${where}: no heraldCode of its own`);
    else if (!pattern.test(code)) problems.push(`${where}: ${code} does not match ${String(pattern)}`);
    else if (taken.has(code)) problems.push(`${where}: ${code} is taken`);
    taken.add(code);
  }
  return problems;
}
