/**
 * Where Herald may send a webhook. A client names the URL, so a careless or hostile one could aim
 * Herald at its own network (a database, a cloud metadata service): targets must resolve to
 * public unicast addresses only. The rules are checked at registration (on the URL and the
 * addresses its host resolves to) and again at connect time, on the very address the connection
 * uses (the webhook-worker's lookup), so a DNS name that changes its answer after registration
 * (rebinding) gains nothing.
 *
 * With private targets allowed (WEBHOOK_ALLOW_PRIVATE_TARGETS=true, for local use) loopback,
 * RFC 1918, link-local, CGNAT, unique-local and the like are allowed, and http as well as https;
 * the unspecified address, broadcast, multicast and the cloud metadata addresses never are.
 */
import { HeraldError } from '@herald/errors';
import ipaddr from 'ipaddr.js';

export interface TargetRules {
  /** Loopback, private, link-local, CGNAT, unique-local... and http: for local use only. */
  allowPrivate: boolean;
}

/** Cloud metadata services (AWS, GCP, Azure, OpenStack: 169.254.169.254; AWS over IPv6: fd00:ec2::254; Alibaba: 100.100.100.200). */
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);

/** Never a target, whatever the rules. */
const NEVER = new Set(['unspecified', 'broadcast', 'multicast', 'metadata']);

/**
 * The range of an IP address, as ipaddr.js names them ('unicast' for a public address,
 * 'loopback', 'private', 'linkLocal', 'carrierGradeNat', 'uniqueLocal', 'reserved'...), or
 * 'metadata' for a cloud metadata address. IPv4-mapped IPv6 addresses are classified as the IPv4
 * address they carry; text that is not an IP address is 'invalid'.
 */
export function addressRange(ip: string): string {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (!ipaddr.isValid(bare)) return 'invalid';
  const address = ipaddr.process(bare);
  if (METADATA.has(address.toString())) return 'metadata';
  return address.range();
}

/** Why Herald refuses to connect to `ip`, or undefined when it may. */
export function refusedAddress(ip: string, rules: TargetRules): string | undefined {
  const range = addressRange(ip);
  if (range === 'unicast') return undefined;
  if (range === 'invalid') return `${ip} is not an IP address`;
  if (NEVER.has(range)) return `${ip} is a ${describe(range)} address, never a webhook target`;
  if (rules.allowPrivate) return undefined;
  return `${ip} is a ${describe(range)} address (only public addresses are allowed)`;
}

const NAMES: Readonly<Record<string, string>> = {
  loopback: 'loopback',
  private: 'private (RFC 1918)',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade NAT (RFC 6598)',
  uniqueLocal: 'unique-local (fc00::/7)',
  metadata: 'cloud metadata',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  reserved: 'reserved',
};

function describe(range: string): string {
  return NAMES[range] ?? `special-purpose (${range})`;
}

export interface UrlVerdict {
  /** Why the URL is refused (one sentence each); empty when it is acceptable. */
  problems: string[];
  /** The parsed URL, when it parses. */
  url?: URL;
}

/**
 * The rules a URL must meet before its host is even resolved: https (http only with private
 * targets allowed), no user name or password in it, no fragment, a host that is not a name for
 * this machine, and an IP literal host that passes refusedAddress().
 */
export function checkTargetUrl(raw: string, rules: TargetRules): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problems: ['is not a URL'] };
  }
  const problems: string[] = [];
  if (url.protocol !== 'https:' && !(rules.allowPrivate && url.protocol === 'http:')) {
    problems.push(rules.allowPrivate ? 'must be an http or https URL' : 'must be an https URL');
  }
  if (url.username || url.password) problems.push('must not carry a user name or password (put credentials in a query parameter or path of your own instead)');
  if (raw.includes('#')) problems.push('must not have a fragment');
  const host = url.hostname;
  if (!host) problems.push('must have a host');
  else if (ipaddr.isValid(host.replace(/^\[|\]$/g, ''))) {
    const refused = refusedAddress(host, rules);
    if (refused) problems.push(`host ${refused}`);
  } else if (!rules.allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal') || !host.includes('.'))) {
    problems.push(`host ${host} is a local name (only public hosts are allowed)`);
  }
  return { problems, url };
}

/** A DNS lookup of every address of a host (dns.promises.lookup with { all: true } has this shape). */
export type LookupAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/**
 * Resolves a host and checks every address it resolves to; throws TargetRefusedError when one of
 * them is refused (a name that resolves to a public and a private address is refused as a whole).
 */
export async function resolveTarget(hostname: string, rules: TargetRules, lookup: LookupAll): Promise<Array<{ address: string; family: number }>> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(bare)) {
    const refused = refusedAddress(bare, rules);
    if (refused) throw new TargetRefusedError(refused);
    return [{ address: bare, family: bare.includes(':') ? 6 : 4 }];
  }
  const addresses = await lookup(bare);
  if (addresses.length === 0) throw new TargetRefusedError(`${bare} resolves to no address`);
  for (const { address } of addresses) {
    const refused = refusedAddress(address, rules);
    if (refused) throw new TargetRefusedError(`${bare} resolves to ${refused}`);
  }
  return addresses;
}

/** A target address that Herald will not connect to. */
export class TargetRefusedError extends HeraldError {
  static override readonly heraldCode = 'HERALD_ERR_WEBHOOKS_TARGET_REFUSED';
  readonly code = 'WEBHOOK_TARGET_REFUSED';
  constructor(message: string) {
    super(message);
  }
}
