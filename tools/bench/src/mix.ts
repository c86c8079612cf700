/**
 * The message mix: which channels the generated messages ask for, e.g. "email=40,sms=40,both=20"
 * (weights, not necessarily summing to 100). The sequence is deterministic (smooth weighted
 * round-robin), so every run and every stage sends the same mix in the same order.
 */
import type { Channel, NorthRequest } from '@herald/contracts';

export type MixKind = 'email' | 'sms' | 'both';
export type Mix = Record<MixKind, number>;

export const DEFAULT_MIX = 'email=40,sms=40,both=20';

export function parseMix(text: string): Mix {
  const mix: Mix = { email: 0, sms: 0, both: 0 };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, raw] = part.split('=');
    if (name !== 'email' && name !== 'sms' && name !== 'both') throw new Error(`--mix: unknown kind "${name}" (use email, sms, both)`);
    const weight = Number(raw);
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`--mix: "${part}" needs a non-negative weight, e.g. ${name}=40`);
    mix[name] = weight;
  }
  if (mix.email + mix.sms + mix.both <= 0) throw new Error('--mix: at least one weight must be positive');
  return mix;
}

export function formatMix(mix: Mix): string {
  const total = mix.email + mix.sms + mix.both;
  return (['email', 'sms', 'both'] as const)
    .filter((k) => mix[k] > 0)
    .map((k) => `${k} ${Math.round((mix[k] / total) * 100)}%`)
    .join(', ');
}

export function channelsOf(kind: MixKind): Channel[] {
  return kind === 'both' ? ['email', 'sms'] : [kind];
}

/** Deliveries per message on average (1 for single-channel messages, 2 for both). */
export function deliveriesPerMessage(mix: Mix): number {
  const total = mix.email + mix.sms + mix.both;
  return (mix.email + mix.sms + 2 * mix.both) / total;
}

/** Share of messages that include a channel. */
export function channelShare(mix: Mix, channel: Channel): number {
  const total = mix.email + mix.sms + mix.both;
  return (mix[channel] + mix.both) / total;
}

/** The first `n` kinds of the mix, in smooth weighted round-robin order. */
export function mixSequence(mix: Mix, n: number): MixKind[] {
  const kinds = (['email', 'sms', 'both'] as const).filter((k) => mix[k] > 0);
  const total = kinds.reduce((s, k) => s + mix[k], 0);
  const current: Record<string, number> = Object.fromEntries(kinds.map((k) => [k, 0]));
  const out: MixKind[] = [];
  for (let i = 0; i < n; i += 1) {
    let best: MixKind = kinds[0] as MixKind;
    for (const k of kinds) {
      current[k] = (current[k] as number) + mix[k];
      if ((current[k] as number) > (current[best] as number)) best = k;
    }
    current[best] = (current[best] as number) - total;
    out.push(best);
  }
  return out;
}

/** A plausible notification of the given kind (about the size of a real transactional message). */
export function requestFor(kind: MixKind, index: number): NorthRequest {
  const n = String(index % 1_000_000).padStart(6, '0');
  const channels = channelsOf(kind);
  const request: NorthRequest = {
    to: {
      ...(channels.includes('email') ? { email: `user${n}@example.com` } : {}),
      ...(channels.includes('sms') ? { phone: `+44770${n}` } : {}),
    },
    channels,
    metadata: { campaign: 'bench', n: index },
  };
  if (channels.includes('email')) {
    request.email = {
      subject: `Your order ${n} has shipped`,
      text: `Hello,\n\nYour order ${n} is on its way and should arrive within two working days.\nTrack it at https://example.com/orders/${n}.\n\nThank you for shopping with us.`,
      html: `<p>Hello,</p><p>Your order <b>${n}</b> is on its way and should arrive within two working days.</p><p><a href="https://example.com/orders/${n}">Track it</a>.</p><p>Thank you for shopping with us.</p>`,
    };
  }
  if (channels.includes('sms')) request.sms = { text: `Your order ${n} has shipped. Track it at https://example.com/o/${n}` };
  return request;
}

/** `n` request bodies following the mix. */
export function mixRequests(mix: Mix, n: number): NorthRequest[] {
  return mixSequence(mix, n).map((kind, i) => requestFor(kind, i));
}
