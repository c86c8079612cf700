import { ConfigError } from '@herald/runtime';
import { loadConfig } from './config';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('ingest-api configuration fails closed', () => {
  it('requires API_KEYS unless authentication is switched off explicitly', () => {
    expect(problemsOf({})).toEqual([expect.stringContaining('API_KEYS is required')]);
    expect(problemsOf({ AUTH_DISABLED: 'true' })).toEqual([]);
    expect(problemsOf({ API_KEYS: 'acme:0123456789abcdef' })).toEqual([]);
  });

  it('reserves the name of the unauthenticated client', () => {
    expect(problemsOf({ API_KEYS: 'default:0123456789abcdef' })).toEqual([expect.stringContaining('may not name a client "default"')]);
  });

  it('refuses one key for two clients', () => {
    expect(problemsOf({ API_KEYS: 'acme:0123456789abcdef,globex:0123456789abcdef' })).toEqual(['API_KEYS gives the same key to two clients']);
  });

  it('checks the SMS allow-list entries', () => {
    expect(problemsOf({ AUTH_DISABLED: 'true', SMS_ALLOWED_COUNTRIES: 'GB,+44,*' })).toEqual([]);
    expect(problemsOf({ AUTH_DISABLED: 'true', SMS_ALLOWED_COUNTRIES: 'GB,44,gb' })).toEqual([expect.stringContaining('SMS_ALLOWED_COUNTRIES must be ISO country codes (GB), calling codes (+44) or *: 44, gb')]);
    expect(problemsOf({ AUTH_DISABLED: 'true', SMS_ALLOWED_COUNTRIES: 'UK' })).toEqual([expect.stringContaining('no phone numbering plan: UK')]);
  });
});
