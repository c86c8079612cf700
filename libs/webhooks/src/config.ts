/**
 * The webhook settings that both the ingest-api (registration: sealing secrets, URL rules) and
 * the webhook-worker (signing, connect-time address checks) read: each spreads this spec into its
 * own, so that the variables are the same everywhere.
 */
import { v } from '@herald/runtime';
import { SECRETS_KEY_PATTERN } from './secrets';

export function webhookSharedConfigSpec(options: { keyRequired: boolean }) {
  return {
    WEBHOOK_SECRETS_KEY: v.string({
      description: `Key that seals webhook signing secrets at rest (AES-256-GCM): 32 bytes in base64, e.g. from \`openssl rand -base64 32\`. The same in the ingest-api and the webhook-worker; changing it makes existing secrets unreadable (rotate every endpoint's secret after).${options.keyRequired ? '' : ' Empty: the /v1/webhooks routes answer 503.'}`,
      ...(options.keyRequired ? {} : { default: '', minLength: 0 }),
      pattern: options.keyRequired ? SECRETS_KEY_PATTERN : new RegExp(`^$|${SECRETS_KEY_PATTERN.source}`),
      hint: 'must be 32 bytes in base64 (44 characters ending in =)',
      secret: true,
    }),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: v.bool({
      description:
        'Allows webhook targets on loopback, private, link-local, CGNAT and unique-local addresses, and http as well as https: for local use only (metadata, multicast and unspecified addresses stay refused). The same in the ingest-api and the webhook-worker.',
      default: false,
    }),
    WEBHOOK_DNS_SERVERS: v.list({
      description: 'DNS servers (host or host:port, comma-separated) that resolve webhook targets, at registration and at every connection; empty: the system resolver.',
      default: [],
      defaultLabel: '(empty: the system resolver)',
      item: /^[A-Za-z0-9.\-_:[\]]+$/,
      hint: 'must be host or host:port items',
    }),
  };
}
