/** The SMS provider registry and each provider's variables, checked at start. */
import { ConfigError } from '@herald/runtime';
import { loadConfig } from '../config';
import { createSmsProviders, receiptsUrlFor } from './registry';

const TWILIO = { TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef', TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM: '+15005550006' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('SMS provider configuration', () => {
  it('defaults to the HTTP gateway, which needs nothing more', () => {
    expect(loadConfig({}).SMS_PROVIDERS).toEqual(['http']);
  });

  it('names every variable a selected provider lacks', () => {
    expect(problems({ SMS_PROVIDERS: 'twilio' })).toEqual([
      expect.stringMatching(/^TWILIO_ACCOUNT_SID is required with SMS provider twilio/),
      expect.stringMatching(/^TWILIO_AUTH_TOKEN is required with SMS provider twilio/),
      expect.stringMatching(/^TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required with SMS provider twilio/),
    ]);
    expect(problems({ SMS_PROVIDERS: 'vonage', VONAGE_API_KEY: 'k' })).toEqual([expect.stringMatching(/^VONAGE_API_SECRET is required/), expect.stringMatching(/^VONAGE_FROM is required/)]);
    expect(problems({ SMS_PROVIDERS: 'sns', SNS_ACCESS_KEY_ID: 'AKIA' })).toEqual([expect.stringMatching(/^SNS_REGION is required/), expect.stringMatching(/^SNS_ACCESS_KEY_ID and SNS_SECRET_ACCESS_KEY go together/)]);
  });

  it('checks the form of provider variables and never echoes a secret', () => {
    const found = problems({ SMS_PROVIDERS: 'twilio', ...TWILIO, TWILIO_ACCOUNT_SID: 'nope', SNS_REGION: 'Europe' });
    expect(found).toEqual([expect.stringContaining('TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits'), expect.stringContaining('SNS_REGION must be an AWS region')]);
    expect(problems({ SMS_PROVIDERS: 'twilio', TWILIO_AUTH_TOKEN: 'very-secret' }).join('\n')).not.toContain('very-secret');
  });

  it('builds the named providers in order, and refuses one whose variables are missing', () => {
    const config = loadConfig({ SMS_PROVIDERS: 'twilio', ...TWILIO, SNS_REGION: 'eu-west-1' });
    expect(createSmsProviders(['twilio', 'sns', 'http'], config).map((p) => p.name)).toEqual(['twilio', 'sns', 'http']);
    expect(() => createSmsProviders(['twilio', 'vonage'], config)).toThrow(/VONAGE_API_KEY is required with SMS provider vonage/);
  });

  it('asks providers to report to <RECEIPTS_PUBLIC_URL>/providers/<name>/events', () => {
    expect(receiptsUrlFor({ RECEIPTS_PUBLIC_URL: 'https://hooks.example.com/herald' }, 'twilio')).toBe('https://hooks.example.com/herald/providers/twilio/events');
    expect(receiptsUrlFor({ RECEIPTS_PUBLIC_URL: '' }, 'vonage')).toBeUndefined();
  });
});
