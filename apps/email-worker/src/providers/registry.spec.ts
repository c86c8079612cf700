import { ConfigError } from '@herald/runtime';
import { loadConfig, type EmailProviderName } from '../config';
import { createEmailProviders } from './registry';

const base = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x' };

describe('email provider configuration', () => {
  it('defaults to SMTP', async () => {
    const config = loadConfig(base);
    const providers = createEmailProviders(config.EMAIL_PROVIDERS as EmailProviderName[], config);
    expect(providers.map((p) => p.name)).toEqual(['smtp']);
    await Promise.all(providers.map((p) => p.close()));
  });

  it.each([
    ['ses', ['SES_REGION', 'SES_CONFIGURATION_SET']],
    ['sendgrid', ['SENDGRID_API_KEY']],
    ['mailgun', ['MAILGUN_API_KEY', 'MAILGUN_DOMAIN']],
    ['postmark', ['POSTMARK_SERVER_TOKEN']],
  ])('refuses to start %s without its variables, naming each', (provider, missing) => {
    const error = (() => {
      try {
        loadConfig({ ...base, EMAIL_PROVIDERS: provider });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(' ')[0])).toEqual(missing);
  });

  it('wants SES static credentials in pairs', () => {
    expect(() => loadConfig({ ...base, EMAIL_PROVIDERS: 'ses', SES_REGION: 'eu-west-1', SES_CONFIGURATION_SET: 'herald', SES_ACCESS_KEY_ID: 'AKIA' })).toThrow(/SES_ACCESS_KEY_ID and SES_SECRET_ACCESS_KEY go together/);
  });

  it('builds each named provider in order (a list, for failover)', async () => {
    const config = loadConfig({ ...base, SENDGRID_API_KEY: 'SG.x', POSTMARK_SERVER_TOKEN: 't', MAILGUN_API_KEY: 'k', MAILGUN_DOMAIN: 'mg.example.com', SES_REGION: 'eu-west-1', SES_CONFIGURATION_SET: 'herald' });
    const providers = createEmailProviders(['postmark', 'ses', 'sendgrid', 'mailgun', 'smtp'], config);
    expect(providers.map((p) => p.name)).toEqual(['postmark', 'ses', 'sendgrid', 'mailgun', 'smtp']);
    await Promise.all(providers.map((p) => p.close()));
  });

  it('checks the variables of every provider in the list, not only the first', () => {
    const config = loadConfig(base);
    expect(() => createEmailProviders(['smtp', 'mailgun'], config)).toThrow(/MAILGUN_API_KEY is required/);
  });
});
