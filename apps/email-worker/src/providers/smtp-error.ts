/**
 * Classifies a nodemailer SMTP error for the delivery flow:
 * - the server replied with a code: 4xx (and 503) are transient, other 5xx permanent (the server
 *   refused the message, so it was not sent either way);
 * - the message never left (bad envelope or message, authentication, no connection at all, a
 *   connect or greeting timeout): not sent, transient unless the message itself is at fault;
 * - anything else at the socket level (a reset, a socket timeout, "server closed the connection"
 *   while a send was pending) may have happened after the server accepted the message: the
 *   outcome is unknown.
 */
import { ProviderError } from '@herald/delivery';

interface SmtpErrorShape {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  command?: string;
  timeoutType?: string;
  message?: string;
}

const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

export function classifySmtpError(error: unknown): ProviderError {
  const e = (error ?? {}) as SmtpErrorShape;
  const message = e.message ?? String(error);
  if (typeof e.responseCode === 'number') {
    const permanent = e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503;
    return new ProviderError(message, { code: `SMTP_${e.responseCode}`, permanent, cause: error });
  }
  switch (e.code) {
    case 'EENVELOPE':
    case 'EMESSAGE':
      return new ProviderError(message, { code: e.code, permanent: true, cause: error });
    case 'EAUTH':
    case 'ENOAUTH':
    case 'EDNS':
    case 'ETLS':
    case 'EREQUIRETLS':
      return new ProviderError(message, { code: e.code, permanent: false, cause: error });
    default:
      break;
  }
  if ((e.originalCode && NEVER_CONNECTED.has(e.originalCode)) || (e.timeoutType && SETUP_TIMEOUTS.has(e.timeoutType))) {
    return new ProviderError(message, { code: e.originalCode ?? e.timeoutType ?? 'ECONNECTION', permanent: false, cause: error });
  }
  return new ProviderError(message, { code: e.code ?? 'SMTP_ERROR', permanent: false, outcomeUnknown: true, cause: error });
}
