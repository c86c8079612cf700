import { parseOptions, shouldUpdateReadme } from './options';

describe('parseOptions', () => {
  it('has full-run defaults, and short ones with --quick', () => {
    const full = parseOptions([], 2);
    expect(full).toMatchObject({ quick: false, durationS: 20, e2eDurationS: 30, rates: [200, 500, 1000], search: true, webConcurrency: 2 });
    expect(full.stages).toEqual(['ingest', 'bridge', 'email', 'sms', 'webhook', 'e2e']);
    expect(parseOptions(['--quick'], 2)).toMatchObject({ quick: true, durationS: 5, e2eDurationS: 10, search: false });
  });

  it('takes stages, rates, durations and the mix', () => {
    const o = parseOptions(['--stages', 'e2e,ingest', '--rates', '1000,200', '--duration', '3', '--mix', 'email=1', '--no-search'], 2);
    expect(o.stages).toEqual(['ingest', 'e2e']);
    expect(o.rates).toEqual([200, 1000]);
    expect(o.durationS).toBe(3);
    expect(o.mix).toEqual({ email: 1, sms: 0, both: 0 });
    expect(o.search).toBe(false);
  });

  it('refuses unknown stages and bad numbers', () => {
    expect(() => parseOptions(['--stages', 'fax'], 2)).toThrow(/unknown stage/);
    expect(() => parseOptions(['--duration', '0'], 2)).toThrow(/positive/);
    expect(() => parseOptions(['--connections', '1.5'], 2)).toThrow(/whole number/);
    expect(() => parseOptions(['--bogus'], 2)).toThrow();
  });

  it('updates the README after full runs of every stage only, unless told', () => {
    expect(shouldUpdateReadme(parseOptions([], 2))).toBe(true);
    expect(shouldUpdateReadme(parseOptions(['--quick'], 2))).toBe(false);
    expect(shouldUpdateReadme(parseOptions(['--stages', 'e2e'], 2))).toBe(false);
    expect(shouldUpdateReadme(parseOptions(['--quick', '--readme'], 2))).toBe(true);
    expect(shouldUpdateReadme(parseOptions(['--no-readme'], 2))).toBe(false);
  });
});
