import type { LookupAddress } from 'node:dns';
import { addressRange, checkTargetUrl, refusedAddress, resolveTarget, TargetRefusedError } from './addresses';
import { connectLookup } from './resolver';

const strict = { allowPrivate: false };
const local = { allowPrivate: true };

describe('address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::1', 'loopback'],
    ['fc00::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['[::1]', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['8.8.8.8', 'unicast'],
    ['2606:4700:4700::1111', 'unicast'],
    ['example.com', 'invalid'],
  ])('%s is %s', (ip, range) => {
    expect(addressRange(ip)).toBe(range);
  });

  it('refuses every non-public address unless private targets are allowed', () => {
    for (const ip of ['127.0.0.1', '10.0.0.1', '169.254.1.1', '100.64.0.1', '::1', 'fc00::1', 'fe80::1', '::ffff:192.168.0.1', '64:ff9b::7f00:1', '192.0.2.1']) {
      expect(refusedAddress(ip, strict)).toEqual(expect.any(String));
      expect(refusedAddress(ip, local)).toBeUndefined();
    }
    expect(refusedAddress('8.8.8.8', strict)).toBeUndefined();
  });

  it('never allows metadata, unspecified or multicast addresses', () => {
    for (const ip of ['169.254.169.254', 'fd00:ec2::254', '0.0.0.0', '::', '239.1.1.1', 'ff02::1']) expect(refusedAddress(ip, local)).toMatch(/never a webhook target/);
  });
});

describe('checkTargetUrl', () => {
  const problems = (url: string, rules = strict) => checkTargetUrl(url, rules).problems;

  it('accepts an https URL to a public host', () => {
    expect(problems('https://hooks.example.com/herald?token=abc')).toEqual([]);
    expect(problems('https://8.8.8.8:8443/x')).toEqual([]);
  });

  it('refuses http, credentials, fragments, local names and private IP literals', () => {
    expect(problems('http://hooks.example.com/')).toEqual(['must be an https URL']);
    expect(problems('https://user:pass@hooks.example.com/')[0]).toMatch(/user name or password/);
    expect(problems('https://hooks.example.com/#x')).toEqual(['must not have a fragment']);
    expect(problems('https://localhost/')[0]).toMatch(/local name/);
    expect(problems('https://metadata.google.internal/')[0]).toMatch(/local name/);
    expect(problems('https://127.0.0.1/')[0]).toMatch(/loopback/);
    expect(problems('https://[::1]/')[0]).toMatch(/loopback/);
    expect(problems('https://0x7f.1/')[0]).toMatch(/loopback/);
    expect(problems('https://169.254.169.254/latest/meta-data')[0]).toMatch(/cloud metadata/);
    expect(problems('ftp://hooks.example.com/')).toEqual(['must be an https URL']);
    expect(problems('not a url')).toEqual(['is not a URL']);
  });

  it('allows http and local hosts for local use, but never the metadata address', () => {
    expect(problems('http://127.0.0.1:9030/hooks', local)).toEqual([]);
    expect(problems('http://localhost:9030/hooks', local)).toEqual([]);
    expect(problems('http://169.254.169.254/', local)[0]).toMatch(/never/);
  });
});

describe('resolveTarget and the connect-time lookup', () => {
  const answers = (addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a name when any address it resolves to is refused', async () => {
    await expect(resolveTarget('hooks.example.com', strict, answers(['93.184.215.14']))).resolves.toHaveLength(1);
    await expect(resolveTarget('mixed.example.com', strict, answers(['93.184.215.14', '10.0.0.5']))).rejects.toThrow(TargetRefusedError);
    await expect(resolveTarget('rebound.example.com', strict, answers(['127.0.0.1']))).rejects.toThrow(/resolves to 127.0.0.1 is a loopback address/);
    await expect(resolveTarget('empty.example.com', strict, answers([]))).rejects.toThrow(/no address/);
  });

  function lookupWith(addresses: string[], options: { all?: boolean; family?: number }) {
    const lookup = connectLookup(strict, answers(addresses));
    return new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) => {
      lookup('hooks.example.com', { ...options } as never, (error, address, family) => resolve({ error, address, ...(family === undefined ? {} : { family }) }));
    });
  }

  it('gives a socket only checked addresses, in the shape it asked for', async () => {
    await expect(lookupWith(['93.184.215.14'], {})).resolves.toEqual({ error: null, address: '93.184.215.14', family: 4 });
    await expect(lookupWith(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'], { all: true })).resolves.toMatchObject({ error: null, address: [{ address: '93.184.215.14', family: 4 }, { family: 6 }] });
    const refused = await lookupWith(['127.0.0.1'], { all: true });
    expect(refused.error).toBeInstanceOf(TargetRefusedError);
    expect(refused.error?.code).toBe('WEBHOOK_TARGET_REFUSED');
  });
});
