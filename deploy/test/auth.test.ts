/**
 * Authentication fails closed in the charts (issue 8, item 2): the ingest-api chart and the herald
 * umbrella refuse to render without an API keys Secret unless authentication is switched off on
 * purpose (auth.disabled: true together with an empty apiKeys.existingSecret), which sets
 * AUTH_DISABLED=true and makes NOTES.txt warn. No missing, empty or contradictory value ever
 * means "no authentication".
 */
import { cleanupCharts, lint, render, renderNotes, renderOk } from './support/helm';
import { deploymentOf, env, envValue, mainContainer, validateObjects } from './support/kube';
import { unknownFields } from './support/strict-fields';

afterAll(() => cleanupCharts());

/** The same ingest-api values, for the app chart itself and under its key in the umbrella. */
const CHARTS = [
  { chart: 'ingest-api', wrap: (v: object): object => v, at: '' },
  { chart: 'herald', wrap: (v: object): object => ({ 'ingest-api': v }), at: 'ingest-api\\.' },
] as const;

const OPEN = { auth: { disabled: true }, apiKeys: { existingSecret: '' } };

describe.each(CHARTS)('$chart', ({ chart, wrap, at }) => {
  test('without an API keys Secret the render fails, naming apiKeys.existingSecret and auth.disabled', () => {
    const result = render(chart, { values: [wrap({ apiKeys: { existingSecret: '' } })] });
    expect(result.ok).toBe(false);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/ingest-api: apiKeys\.existingSecret is empty, and the ingest-api does not run without API keys: create a Secret holding API_KEYS .* name it in apiKeys\.existingSecret .* or switch authentication off on purpose with auth\.disabled=true/);
  });

  test('auth.disabled with a keys Secret still named fails: running open takes both values', () => {
    const result = render(chart, { values: [wrap({ auth: { disabled: true } })] });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/ingest-api: auth\.disabled is true but apiKeys\.existingSecret names herald-api-keys: to run without authentication set apiKeys\.existingSecret="" as well; to keep authentication set auth\.disabled=false/);
  });

  test('auth.disabled as a string ("true") is refused by the schema: only a YAML boolean switches authentication off', () => {
    const result = render(chart, { values: [wrap({ auth: { disabled: 'true' }, apiKeys: { existingSecret: '' } })] });
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/auth\.disabled: Invalid type\. Expected: boolean, given: string/);
  });

  test('by default API_KEYS is a required secretKeyRef to herald-api-keys and AUTH_DISABLED is false', () => {
    const c = mainContainer(deploymentOf(renderOk(chart), 'ingest-api'));
    expect(env(c).get('API_KEYS')?.valueFrom?.secretKeyRef).toEqual({ name: 'herald-api-keys', key: 'API_KEYS' });
    expect(envValue(c, 'AUTH_DISABLED')).toBe('false');
  });

  test('with auth.disabled and no Secret it renders, valid and lint-clean, with AUTH_DISABLED=true and no API_KEYS', () => {
    const objects = renderOk(chart, { values: [wrap(OPEN)] });
    const c = mainContainer(deploymentOf(objects, 'ingest-api'));
    expect(envValue(c, 'AUTH_DISABLED')).toBe('true');
    expect(env(c).has('API_KEYS')).toBe(false);
    expect(validateObjects(objects).filter((r) => r.errors.length)).toEqual([]);
    expect(unknownFields(objects)).toEqual([]);
    const linted = lint(chart, { values: [wrap(OPEN)] });
    expect(linted.stderr).toBe('');
    expect(linted.ok).toBe(true);
  });

  test('NOTES.txt warns loudly when authentication is off, and not otherwise', () => {
    const open = renderNotes(chart, { values: [wrap(OPEN)] });
    expect(open.stderr).toBe('');
    // The values to set, as this chart spells them (under ingest-api. in the umbrella).
    expect(open.notes).toMatch(new RegExp(`WARNING: AUTHENTICATION IS OFF \\(${at}auth\\.disabled=true, AUTH_DISABLED=true\\)`));
    expect(open.notes).toMatch(/\/v1 accepts every request without an API key/);
    expect(open.notes).toMatch(new RegExp(`--set ${at}auth\\.disabled=false --set ${at}apiKeys\\.existingSecret=<that Secret>`));
    const closed = renderNotes(chart);
    expect(closed.stderr).toBe('');
    expect(closed.notes.length).toBeGreaterThan(100);
    expect(closed.notes).not.toMatch(/WARNING/);
  });
});

test('the ingest-api NOTES name the API keys Secret', () => {
  expect(renderNotes('ingest-api', { values: [{ apiKeys: { existingSecret: 'prod-keys' } }] }).notes).toMatch(/API_KEYS from prod-keys/);
});

test('an umbrella release without the ingest-api needs no API keys Secret', () => {
  const objects = renderOk('herald', { values: [{ 'ingest-api': { enabled: false, apiKeys: { existingSecret: '' } } }] });
  expect(objects.some((o) => o.metadata.name === 'herald-ingest-api')).toBe(false);
  expect(renderNotes('herald', { values: [{ 'ingest-api': { enabled: false, ...OPEN } }] }).notes).not.toMatch(/AUTHENTICATION IS OFF/);
});

test('AUTH_DISABLED cannot be set around auth.disabled: not in config, not in extraEnv', () => {
  const inConfig = render('ingest-api', { values: [{ config: { AUTH_DISABLED: true } }] });
  expect(inConfig.ok).toBe(false);
  expect(inConfig.stderr).toMatch(/config: Additional property AUTH_DISABLED is not allowed/);
  const inExtraEnv = render('ingest-api', { values: [{ extraEnv: [{ name: 'AUTH_DISABLED', value: 'true' }] }] });
  expect(inExtraEnv.ok).toBe(false);
  expect(inExtraEnv.stderr).toMatch(/ingest-api: environment variable AUTH_DISABLED is set twice/);
});
