/**
 * Name resolution for webhook targets: the system resolver (getaddrinfo, which honours
 * /etc/hosts), or the DNS servers of WEBHOOK_DNS_SERVERS (a resolver kept for egress, or a test's
 * own server); every answer bounded in time. connectLookup() is the `lookup` a socket uses when
 * it connects: it resolves the host, refuses it unless every address passes the target rules,
 * and hands the socket only checked addresses, so the address checked is the address connected to.
 */
import { lookup as systemLookup, Resolver } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { TargetRefusedError, resolveTarget, type LookupAll, type TargetRules } from './addresses';

export interface ResolverSettings {
  /** DNS servers (host or host:port); empty: the system resolver. */
  servers: readonly string[];
  timeoutMs: number;
}

export function createLookupAll(settings: ResolverSettings): LookupAll {
  const bounded = <T>(what: Promise<T>): Promise<T> =>
    Promise.race([what, new Promise<never>((_, reject) => setTimeout(() => reject(Object.assign(new Error('DNS lookup timed out'), { code: 'ETIMEOUT' })), settings.timeoutMs).unref())]);
  if (settings.servers.length === 0) return (hostname) => bounded(systemLookup(hostname, { all: true, verbatim: true }));
  const resolver = new Resolver({ timeout: settings.timeoutMs, tries: 2 });
  resolver.setServers([...settings.servers]);
  return async (hostname) => {
    const [v4, v6] = await bounded(Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]));
    const found = [...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []), ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : [])];
    if (found.length === 0) throw v4.status === 'rejected' ? v4.reason : Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
    return found;
  };
}

/** A socket `lookup` (net.connect, tls.connect, undici's connect options) that connects only to allowed addresses. */
export function connectLookup(rules: TargetRules, lookupAll: LookupAll): LookupFunction {
  return (hostname, options, callback) => {
    resolveTarget(hostname, rules, lookupAll).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        const first = usable[0];
        if (!first) return callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return callback(null, usable);
        return callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof TargetRefusedError ? error : Object.assign(error instanceof Error ? error : new Error(String(error)), {}), '', 0),
    );
  };
}
