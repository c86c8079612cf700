/** Valid requests to start from; each test gets its own recipients so mailboxes never mix. */
import { randomBytes } from 'node:crypto';
import type { NorthRequest } from '@herald/contracts';

export function uniqueRecipient(): { email: string; phone: string } {
  const tag = randomBytes(5).toString('hex');
  const digits = String(Number.parseInt(tag.slice(0, 8), 16)).padStart(10, '0').slice(-10);
  return { email: `ada.${tag}@example.com`, phone: `+4477${digits.slice(0, 8)}` };
}

export function northRequest(overrides: Partial<NorthRequest> = {}): NorthRequest {
  const to = uniqueRecipient();
  return {
    to,
    channels: ['email', 'sms'],
    email: { subject: 'Welcome', text: 'Hello Ada', html: '<p>Hello Ada</p>' },
    sms: { text: 'Hello Ada' },
    metadata: {},
    ...overrides,
  };
}
