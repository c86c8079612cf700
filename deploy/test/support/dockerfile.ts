/**
 * A small Dockerfile reader and a .dockerignore matcher, for checking images without a Docker
 * engine. The reader handles line continuations, comments, parser directives, stages, flags
 * (--from, --mount, ...) and the exec (JSON) and shell forms. The matcher follows moby's
 * patternmatcher: Go filepath.Match patterns plus `**`, `!` exceptions, the last match wins, and
 * a pattern that matches a parent directory matches everything below it.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  /** Flags before the arguments: --from=build gives { from: 'build' }; repeated flags keep the last. */
  flags: Record<string, string>;
  /** Every --mount flag, in order. */
  mounts: Array<Record<string, string>>;
  /** The rest of the line, continuations joined. */
  args: string;
  /** The JSON array of the exec form, when args is one. */
  exec?: string[];
  line: number;
}

export interface Stage {
  index: number;
  base: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

function parseFlags(rest: string): { flags: Record<string, string>; mounts: Array<Record<string, string>>; args: string } {
  const flags: Record<string, string> = {};
  const mounts: Array<Record<string, string>> = [];
  let text = rest.trimStart();
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(text);
    if (!m) break;
    const name = m[1] as string;
    const value = m[2] ?? 'true';
    if (name === 'mount') mounts.push(Object.fromEntries(value.split(',').map((kv) => { const [k, ...v] = kv.split('='); return [k as string, v.join('=') || 'true']; })));
    else flags[name] = value;
    text = text.slice(m[0].length);
  }
  return { flags, mounts, args: text.trim() };
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: Array<{ text: string; line: number }> = [];
  let current: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!current && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (current && trimmed.startsWith('#')) return;
    const continues = /\\\s*$/.test(raw);
    const piece = continues ? raw.replace(/\\\s*$/, '') : raw;
    if (current) current.text += ` ${piece.trim()}`;
    else current = { text: piece.trim(), line: i + 1 };
    if (!continues) {
      logical.push(current);
      current = undefined;
    }
  });
  if (current) logical.push(current);

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text: lineText, line } of logical) {
    const m = /^([A-Za-z]+)\s*(.*)$/.exec(lineText);
    if (!m) throw new Error(`line ${line}: cannot read "${lineText}"`);
    const keyword = (m[1] as string).toUpperCase();
    const { flags, mounts, args } = parseFlags(m[2] as string);
    let exec: string[] | undefined;
    if (args.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(args);
        if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) exec = parsed as string[];
      } catch {
        exec = undefined;
      }
    }
    if (keyword === 'FROM') {
      const fm = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!fm) throw new Error(`line ${line}: cannot read FROM ${args}`);
      stages.push({ index: stages.length, base: fm[1] as string, name: fm[2], instructions: [] });
      continue;
    }
    const instruction: Instruction = { keyword, flags, mounts, args, exec, line };
    if (stages.length === 0) {
      if (keyword !== 'ARG') throw new Error(`line ${line}: ${keyword} before the first FROM`);
      const [name, value = ''] = args.split('=');
      globalArgs[name as string] = value;
      continue;
    }
    (stages[stages.length - 1] as Stage).instructions.push(instruction);
  }
  return { globalArgs, stages };
}

export function readDockerfile(file: string): Dockerfile {
  return parseDockerfile(readFileSync(file, 'utf8'));
}

/** Expands ${NAME} and $NAME with the given variables (Dockerfile ARG defaults). */
export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, a: string | undefined, b: string | undefined) => vars[(a ?? b) as string] ?? all);
}

/** Sources and destination of a COPY or ADD in the shell form (the exec form is also read). */
export function copyPaths(instruction: Instruction): { sources: string[]; dest: string } {
  const parts = instruction.exec ?? instruction.args.split(/\s+/).filter(Boolean);
  if (parts.length < 2) throw new Error(`line ${instruction.line}: COPY needs a source and a destination`);
  return { sources: parts.slice(0, -1), dest: parts[parts.length - 1] as string };
}

/** Words of a shell command line, split on whitespace and on && (enough for our RUN lines). */
export function shellCommands(args: string): string[][] {
  return args
    .split(/&&|;/)
    .map((c) => c.trim().split(/\s+/).filter(Boolean))
    .filter((c) => c.length > 0);
}

interface Pattern {
  negate: boolean;
  regex: RegExp;
  source: string;
}

function patternToRegex(pattern: string): RegExp {
  const segments = pattern.split('/');
  let out = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      out += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    let s = '';
    for (let j = 0; j < segment.length; j++) {
      const ch = segment[j] as string;
      if (ch === '*') s += '[^/]*';
      else if (ch === '?') s += '[^/]';
      else if (ch === '[') {
        const end = segment.indexOf(']', j + 1);
        if (end < 0) throw new Error(`bad .dockerignore pattern ${pattern}`);
        s += `[${segment.slice(j + 1, end).replace(/^!/, '^')}]`;
        j = end;
      } else if (ch === '\\') {
        s += `\\${segment[++j] ?? ''}`;
      } else s += ch.replace(/[.+^${}()|\\]/g, '\\$&');
    }
    out += s + (last ? '' : '/');
  });
  return new RegExp(`^${out}$`);
}

export class DockerIgnore {
  private readonly patterns: Pattern[];

  constructor(text: string) {
    this.patterns = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const negate = l.startsWith('!');
        let p = (negate ? l.slice(1) : l).trim();
        p = p.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\/+/g, '/');
        if (p.startsWith('./')) p = p.slice(2);
        return { negate, regex: patternToRegex(p), source: l };
      });
  }

  /** True when the file or directory at this context path is sent to the builder. */
  includes(path: string): boolean {
    const clean = path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const parents: string[] = [];
    const parts = clean.split('/');
    for (let i = 1; i <= parts.length; i++) parents.push(parts.slice(0, i).join('/'));
    let excluded = false;
    for (const p of this.patterns) {
      if (parents.some((candidate) => p.regex.test(candidate))) excluded = !p.negate;
    }
    return !excluded;
  }
}
