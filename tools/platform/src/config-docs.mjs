// @ts-check
/**
 * The configuration reference as Markdown, from the rows @herald/runtime's describeConfig derives
 * from the same specs the processes parse: the README's tables are generated (npm run docs) and a
 * test fails when they drift. Rendering lives here, on the tools side: the services never need it.
 */

/** @typedef {{ name: string, default: string, description: string }} ConfigDocRow one row of describeConfig(spec) */

/** @param {string} s */
const cell = (s) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * @param {ConfigDocRow[]} rows describeConfig(configSpec)
 * @returns {string}
 */
export function renderConfigTable(rows) {
  const lines = rows.map((r) => `| \`${r.name}\` | ${cell(r.default === '' ? '(empty)' : r.default.startsWith('(') ? r.default : `\`${r.default}\``)} | ${cell(r.description)} |`);
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...lines].join('\n');
}

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`.
 * @param {string} document
 * @param {string} name
 * @param {string} content
 * @returns {string}
 */
export function replaceBetweenMarkers(document, name, content) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers ${start} ... ${end} not found`);
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(to)}`;
}
