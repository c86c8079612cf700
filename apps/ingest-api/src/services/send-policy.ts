/**
 * SendPolicy: what a valid message may still not do, per deployment and per client (422, naming
 * the field, nothing accepted):
 * - SMS only to allowed destinations (SMS_ALLOWED_COUNTRIES: ISO country codes and/or E.164
 *   calling codes), and never to premium-rate or shared-cost numbers: SMS pumping fraud (bots
 *   sending one-time codes to numbers whose owners share in the termination fee) costs senders
 *   real money, so international destinations are opt-in, as GOV.UK Notify does. A number whose
 *   country cannot be told apart within its calling code counts as the code's main country.
 * - email.from only from the client's allowed sender identities (EMAIL_SENDERS: addresses or
 *   whole @domains); a client without an entry may only send from the default EMAIL_FROM.
 * Country data: libphonenumber-js (Google's libphonenumber metadata, kept current by its authors).
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { FieldError, NorthRequest } from '@herald/contracts';

export interface SendPolicySettings {
  /** ISO 3166 codes (GB), calling codes (+44) or "*". */
  smsAllowed: readonly string[];
  /** client -> allowed sender identities (addresses or @domains), lower case. */
  senders: ReadonlyMap<string, readonly string[]>;
}

const REFUSED_TYPES = new Set(['PREMIUM_RATE', 'SHARED_COST']);

/** Parses EMAIL_SENDERS ("acme:no-reply@acme.com|@acme.io,globex:@globex.com"). */
export function parseSenders(spec: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const entry of spec.split(',').filter(Boolean)) {
    const at = entry.indexOf(':');
    const client = entry.slice(0, at);
    out.set(client, [...(out.get(client) ?? []), ...entry.slice(at + 1).split('|').map((s) => s.toLowerCase())]);
  }
  return out;
}

export class SendPolicy {
  private readonly anyCountry: boolean;
  private readonly countries: ReadonlySet<string>;
  private readonly callingCodes: ReadonlySet<string>;

  constructor(private readonly settings: SendPolicySettings) {
    this.anyCountry = settings.smsAllowed.includes('*');
    this.countries = new Set(settings.smsAllowed.filter((c) => /^[A-Z]{2}$/.test(c)));
    this.callingCodes = new Set(settings.smsAllowed.filter((c) => c.startsWith('+')).map((c) => c.slice(1)));
  }

  /** The policy errors of a message from `client` (empty: allowed). */
  check(request: NorthRequest, client: string): FieldError[] {
    const errors: FieldError[] = [];
    if (request.channels.includes('sms') && request.to.phone) {
      const problem = this.phoneProblem(request.to.phone);
      if (problem) errors.push({ field: '/to/phone', message: problem });
    }
    if (request.channels.includes('email') && request.email?.from && !this.senderAllowed(client, request.email.from)) {
      errors.push({ field: '/email/from', message: 'is not a sender identity allowed for this API client' });
    }
    return errors;
  }

  private phoneProblem(phone: string): string | undefined {
    const number = parsePhoneNumberFromString(phone);
    if (!number) return 'is not a number that can be sent to';
    const type = number.getType();
    if (type && REFUSED_TYPES.has(type)) return 'is a premium-rate or shared-cost number, which Herald never sends to';
    if (this.anyCountry || this.callingCodes.has(number.countryCallingCode)) return undefined;
    const country = number.country ?? number.getPossibleCountries()[0];
    if (country && this.countries.has(country)) return undefined;
    return `is in a destination this deployment does not send SMS to (${country ?? `+${number.countryCallingCode}`}); see SMS_ALLOWED_COUNTRIES`;
  }

  private senderAllowed(client: string, from: string): boolean {
    const address = from.toLowerCase();
    const domain = address.slice(address.lastIndexOf('@'));
    const allowed = this.settings.senders.get(client) ?? [];
    return allowed.includes(address) || allowed.includes(domain);
  }
}
