#!/usr/bin/env node
// @ts-check
/**
 * npm run replay -- [options]: deliver failed deliveries again, through POST /v1/replays.
 *
 *   --url URL           ingest-api (default http://localhost:9000, or HERALD_URL)
 *   --api-key KEY       when API_KEYS is set (or HERALD_API_KEY)
 *   --since 30m|2h|1d   failed within this long ago     --from ISO --to ISO   failed in [from, to)
 *   --channel email|sms --error CODE (e.g. SMTP_550, EXPIRED)  --contains TEXT  --message ID (repeatable)
 *   --limit N           at most N deliveries (default 1000, max 10000)
 *   --dry-run           count only, change nothing
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.HERALD_URL ?? 'http://localhost:9000' },
    'api-key': { type: 'string', default: process.env.HERALD_API_KEY ?? '' },
    since: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    channel: { type: 'string' },
    error: { type: 'string' },
    contains: { type: 'string' },
    message: { type: 'string', multiple: true },
    limit: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});

/** @param {string} text */
function ago(text) {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw new Error(`--since must look like 30m, 2h or 1d (got ${text})`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[/** @type {'s'|'m'|'h'|'d'} */ (m[2])];
  return new Date(Date.now() - Number(m[1]) * unit).toISOString();
}

try {
  const body = {
    ...(values.since ? { from: ago(values.since) } : values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    ...(values.channel ? { channel: values.channel } : {}),
    ...(values.error ? { errorCode: values.error } : {}),
    ...(values.contains ? { errorContains: values.contains } : {}),
    ...(values.message ? { messageIds: values.message } : {}),
    ...(values.limit ? { limit: Number(values.limit) } : {}),
    dryRun: values['dry-run'],
  };
  const response = await fetch(new URL('/v1/replays', values.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(values['api-key'] ? { authorization: `Bearer ${values['api-key']}` } : {}) },
    body: JSON.stringify(body),
  });
  const answer = /** @type {any} */ (await response.json());
  if (!response.ok) {
    console.error(`replay refused (${response.status}): ${answer.detail ?? answer.title ?? JSON.stringify(answer)}`);
    process.exit(1);
  }
  console.log(
    answer.dryRun
      ? `${answer.matched} failed deliveries match; a replay would re-queue ${Math.min(answer.matched, body.limit ?? 1000)} (dry run, nothing changed)`
      : `${answer.replayed} of ${answer.matched} matching failed deliveries re-queued (replay ${answer.replayId})`,
  );
  for (const id of answer.deliveryIds) console.log(`  ${id}`);
} catch (error) {
  console.error(`replay failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
