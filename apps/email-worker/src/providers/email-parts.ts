/**
 * What every email provider sends besides the content, worked out once from the job: the sender
 * (the job's `from`/`fromName`, checked upstream against the client's allowed senders, else
 * EMAIL_FROM), Reply-To, the stable Message-ID, the RFC 8058 one-click unsubscribe headers when
 * the client gave an unsubscribe URL, and Herald's ids (echoed by each provider's metadata
 * mechanism so that receipts can be matched).
 */
import { emailMessageId, type EmailJob } from '@herald/contracts';
import { ConfigError } from '@herald/runtime';

export interface Mailbox {
  address: string;
  name?: string;
}

export interface EmailParts {
  from: Mailbox;
  replyTo?: string;
  /** `<deliveryId@EMAIL_MESSAGE_ID_DOMAIN>` */
  messageIdHeader: string;
  /** List-Unsubscribe and List-Unsubscribe-Post when there is an unsubscribe URL; X-Herald-* ids always. */
  headers: Record<string, string>;
  /** Herald's ids under the names every provider's metadata carries them. */
  ids: { herald_message_id: string; herald_delivery_id: string };
}

/** The metadata keys under which providers echo Herald's ids (custom args, tags, user variables, metadata). */
export const HERALD_ID_KEYS = { messageId: 'herald_message_id', deliveryId: 'herald_delivery_id' } as const;

export interface SenderDefaults {
  /** EMAIL_FROM, parsed. */
  from: Mailbox;
  messageIdDomain: string;
}

const NAME_ADDR = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<>"]*?))\s*<([^<>\s]+@[^<>\s]+)>\s*$/;
const BARE_ADDR = /^\s*([^<>\s"]+@[^<>\s"]+)\s*$/;

/** Parses `Name <address>`, `"Name" <address>` or a bare address (the forms EMAIL_FROM takes). */
export function parseMailbox(value: string, variable = 'EMAIL_FROM'): Mailbox {
  const bare = BARE_ADDR.exec(value);
  if (bare?.[1]) return { address: bare[1] };
  const named = NAME_ADDR.exec(value);
  if (named?.[3]) {
    const name = (named[1] !== undefined ? named[1].replace(/\\(.)/g, '$1') : (named[2] ?? '')).trim();
    return name ? { address: named[3], name } : { address: named[3] };
  }
  throw new ConfigError([`${variable} must be an address or "Name <address>" (got ${JSON.stringify(value)})`]);
}

/**
 * `Name <address>` for APIs that take one string. The name is quoted when it holds specials, and
 * encoded as an RFC 2047 word when it is not ASCII and `encodeNonAscii` (SES requires 7-bit).
 */
export function formatMailbox(mailbox: Mailbox, options: { encodeNonAscii?: boolean } = {}): string {
  if (!mailbox.name) return mailbox.address;
  // eslint-disable-next-line no-control-regex
  if (options.encodeNonAscii && /[^\x00-\x7f]/.test(mailbox.name)) {
    return `=?UTF-8?B?${Buffer.from(mailbox.name, 'utf8').toString('base64')}?= <${mailbox.address}>`;
  }
  const name = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(mailbox.name) ? mailbox.name : `"${mailbox.name.replace(/["\\]/g, '\\$&')}"`;
  return `${name} <${mailbox.address}>`;
}

export function emailParts(job: EmailJob, defaults: SenderDefaults): EmailParts {
  const { content } = job;
  const from: Mailbox = content.from
    ? { address: content.from, ...(content.fromName ? { name: content.fromName } : {}) }
    : { address: defaults.from.address, ...(content.fromName ? { name: content.fromName } : defaults.from.name ? { name: defaults.from.name } : {}) };
  const headers: Record<string, string> = { 'X-Herald-Message-Id': job.messageId, 'X-Herald-Delivery-Id': job.deliveryId };
  if (content.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${content.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    from,
    ...(content.replyTo ? { replyTo: content.replyTo } : {}),
    messageIdHeader: emailMessageId(job.deliveryId, defaults.messageIdDomain),
    headers,
    ids: { [HERALD_ID_KEYS.messageId]: job.messageId, [HERALD_ID_KEYS.deliveryId]: job.deliveryId } as EmailParts['ids'],
  };
}
