/**
 * The configuration reference as Markdown, from the same specs the processes parse: the README's
 * tables are generated (npm run docs) and a test fails when they drift.
 */
import { describeConfig, type ConfigSpec } from './config';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderConfigTable(spec: ConfigSpec): string {
  const rows = describeConfig(spec).map((r) => `| \`${r.name}\` | ${cell(r.default === '' ? '(empty)' : r.default.startsWith('(') ? r.default : `\`${r.default}\``)} | ${cell(r.description)} |`);
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceBetweenMarkers(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers ${start} ... ${end} not found`);
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(to)}`;
}
