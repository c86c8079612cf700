// @ts-check
/**
 * npm start -- --email <provider> --sms <provider>: which providers the workers send through.
 * smtp (MailDev) and http (the local SMS sink) are the defaults; any other is the provider's
 * emulator (tools/emulators), wired as the tests wire it: the provider lists, the table of
 * variables for the worker and the receipts-api and the emulators' control client all come from
 * libs/testing (provider-wiring.ts, emulators.ts), loaded from its dist build. That build is
 * CommonJS and its package exports only its index (which would load testcontainers), so the two
 * modules are required by file; both need only Node built-ins and @herald/runtime.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from './workspace.mjs';

const require = createRequire(import.meta.url);
const testingDist = path.join(repoRoot, 'libs', 'testing', 'dist');
const wiringModule = path.join(testingDist, 'provider-wiring.js');

/**
 * @typedef {object} ProviderWiring what libs/testing's providerWiring() answers
 * @property {Record<string, string>} worker variables for the channel worker
 * @property {Record<string, string>} receipts variables for the receipts-api
 * @property {boolean} hasReceipts
 */

/**
 * @typedef {object} WiringModule the part of libs/testing/dist/provider-wiring.js used here
 * @property {readonly string[]} EMAIL_PROVIDERS
 * @property {readonly string[]} SMS_PROVIDERS
 * @property {(provider: string, receiptsUrl: string) => string | undefined} emulatorCallbackUrl
 * @property {(provider: string, emulatorUrl: string, client: unknown, receiptsUrl: string, scratchDir: string) => Promise<ProviderWiring>} providerWiring
 */

/** The channel defaults: not emulated (MailDev and the SMS sink, which the platform runs). */
export const DEFAULT_PROVIDER = Object.freeze({ email: 'smtp', sms: 'http' });

/** Whether libs/testing is built (the provider names can be checked before the build). */
export function wiringBuilt() {
  return existsSync(wiringModule);
}

/** @returns {WiringModule} */
function wiring() {
  return require(wiringModule);
}

/** The providers each channel knows, from libs/testing. */
export function knownProviders() {
  const { EMAIL_PROVIDERS, SMS_PROVIDERS } = wiring();
  return { email: [...EMAIL_PROVIDERS], sms: [...SMS_PROVIDERS] };
}

/**
 * Checks the --email and --sms values (a provider, or several comma-separated in failover order).
 * @param {{ email?: string, sms?: string }} asked
 * @returns {{ email: string[], sms: string[] }}
 * @throws {Error} naming the unknown ones and the known ones
 */
export function parseProviders(asked) {
  const known = knownProviders();
  const problems = [];
  /** @type {{ email: string[], sms: string[] }} */
  const chosen = { email: [], sms: [] };
  for (const channel of /** @type {const} */ (['email', 'sms'])) {
    const value = asked[channel];
    if (value === undefined) continue;
    const names = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    if (!names.length) problems.push(`--${channel} needs a provider`);
    for (const name of names) {
      if (!known[channel].includes(name)) problems.push(`unknown ${channel} provider ${JSON.stringify(name)}`);
    }
    if (new Set(names).size !== names.length) problems.push(`--${channel} names a provider twice`);
    chosen[channel] = names;
  }
  if (problems.length) {
    throw new Error(
      `${problems.join('; ')}.\n  Known email providers: ${known.email.map((p) => (p === DEFAULT_PROVIDER.email ? `${p} (MailDev, the default)` : p)).join(', ')}` +
        `\n  Known SMS providers:   ${known.sms.map((p) => (p === DEFAULT_PROVIDER.sms ? `${p} (the local SMS sink, the default)` : p)).join(', ')}` +
        '\n  Every other one runs as its emulator (tools/emulators); several, comma-separated, are used in failover order.',
    );
  }
  return chosen;
}

/** @param {string} provider */
export function isEmulated(provider) {
  return provider !== DEFAULT_PROVIDER.email && provider !== DEFAULT_PROVIDER.sms;
}

/**
 * Where an emulator calls back with its receipts (the receipts-api), as the tests start it.
 * @param {string} provider
 * @param {string} receiptsUrl
 */
export function emulatorCallbackUrl(provider, receiptsUrl) {
  return wiring().emulatorCallbackUrl(provider, receiptsUrl);
}

/**
 * The variables of a running emulator for the worker and the receipts-api.
 * @param {string} provider
 * @param {string} emulatorUrl
 * @param {string} receiptsUrl
 * @param {string} scratchDir files some providers need (the SES emulator's certificate authority)
 * @returns {Promise<ProviderWiring>}
 */
export function wireProvider(provider, emulatorUrl, receiptsUrl, scratchDir) {
  const { EmulatorClient } = require(path.join(testingDist, 'emulators.js'));
  return wiring().providerWiring(provider, emulatorUrl, new EmulatorClient(emulatorUrl), receiptsUrl, scratchDir);
}
