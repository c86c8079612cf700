/**
 * Safe summaries of delivery failures: what API clients see in lastError and history. A
 * provider's own text (an SMTP reply, a JSON error body, a socket error) can name hosts, IP
 * addresses and internal details, so it goes to the worker's log only; clients get Herald's code
 * and one of these sentences. A provider adapter may give a better sentence of its own
 * (ProviderError.summary), as long as it is just as safe.
 */

const FIXED: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the provider refused the connection',
  ENOTFOUND: "the provider's address could not be resolved",
  EAI_AGAIN: "the provider's address could not be resolved",
  EHOSTUNREACH: 'the provider could not be reached',
  ENETUNREACH: 'the provider could not be reached',
  EADDRNOTAVAIL: 'the provider could not be reached',
  ETIMEDOUT: 'the provider did not answer in time',
  CONNECT_TIMEOUT: 'the provider did not answer in time',
  GREETING_TIMEOUT: 'the provider did not answer in time',
  UPGRADE_TIMEOUT: 'the provider did not answer in time',
  UND_ERR_CONNECT_TIMEOUT: 'the provider did not answer in time',
  TimeoutError: 'the provider did not answer in time',
  AbortError: 'the provider call was abandoned (timeout or shutdown)',
  ECONNRESET: 'the connection to the provider was lost',
  ESOCKET: 'the connection to the provider was lost',
  ECONNECTION: 'the connection to the provider was lost',
  EPIPE: 'the connection to the provider was lost',
  EAUTH: "the provider refused Herald's credentials",
  ENOAUTH: "the provider refused Herald's credentials",
  ETLS: 'the secure connection to the provider failed',
  EREQUIRETLS: 'the provider does not offer the required secure connection',
  EENVELOPE: 'the mail server refused the sender or the recipient',
  EMESSAGE: 'the mail server refused the message',
  UNEXPECTED: 'the provider call failed unexpectedly',
  SUPPRESSED: 'the recipient is on the suppression list (an earlier hard bounce, complaint or opt-out)',
};

/** Herald's safe sentence for a failure code (the code is Herald's own, so it is safe to show). */
export function safeSummary(code: string): string {
  const fixed = FIXED[code];
  if (fixed) return fixed;
  const smtp = /^SMTP_(\d{3})$/.exec(code);
  if (smtp?.[1]) return smtp[1].startsWith('4') ? `the mail server deferred the message (SMTP ${smtp[1]})` : `the mail server refused the message (SMTP ${smtp[1]})`;
  const http = /^HTTP_(\d{3})$/.exec(code);
  if (http?.[1]) {
    const status = Number(http[1]);
    if (status === 429) return 'the provider asked Herald to slow down (HTTP 429)';
    if (status === 401 || status === 403) return `the provider refused Herald's credentials (HTTP ${status})`;
    return status >= 500 ? `the provider had an error (HTTP ${status})` : `the provider refused the request (HTTP ${status})`;
  }
  return `the delivery attempt failed (${code})`;
}
