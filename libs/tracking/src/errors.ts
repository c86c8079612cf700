/**
 * Database errors that retrying cannot fix: the data itself is refused (a value too long, an
 * invalid character, a check constraint). A consumer that meets one must set the record aside
 * instead of retrying its batch for ever; any other error (connection, timeout, deadlock) is
 * transient.
 */
const PRISMA_DATA_CODES = new Set(['P2000', 'P2005', 'P2006', 'P2007', 'P2011', 'P2012', 'P2019', 'P2020', 'P2023']);

export function isPermanentDataError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; meta?: { code?: unknown } };
  if (typeof e?.code === 'string' && PRISMA_DATA_CODES.has(e.code)) return true;
  const text = `${String(e?.message ?? '')} ${typeof e?.code === 'string' ? e.code : ''} ${String((e?.meta as { code?: unknown })?.code ?? '')} ${String((e?.cause as { code?: unknown })?.code ?? '')}`;
  // SQLSTATE class 22 (data exception) and 23514 (check violation).
  return /\b22[0-9A-Z]{3}\b|\b23514\b|invalid input syntax|unsupported Unicode escape|invalid byte sequence|violates check constraint/i.test(text);
}
