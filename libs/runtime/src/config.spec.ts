import { ConfigError, HOST_PORT, describeConfig, parseConfig, redactConfig, v } from './config';

const spec = {
  PORT: v.port({ description: 'HTTP port', default: 9000 }),
  WORKERS: v.int({ description: 'processes', min: 1, max: 64, default: () => 4, defaultLabel: 'number of CPUs' }),
  BROKERS: v.list({ description: 'Kafka brokers', default: ['127.0.0.1:9092'], item: HOST_PORT, hint: 'must be host:port pairs' }),
  LEVEL: v.oneOf(['info', 'debug'] as const, { description: 'log level', default: 'info' }),
  DATABASE_URL: v.url({ description: 'PostgreSQL', protocols: ['postgres', 'postgresql'], secret: true }),
  PRETTY: v.bool({ description: 'pretty logs', default: false }),
};

describe('parseConfig', () => {
  it('applies defaults and parses each kind', () => {
    const config = parseConfig(spec, { DATABASE_URL: 'postgresql://u:p@h/db', PRETTY: 'yes', BROKERS: 'a:1, b:2' });
    expect(config).toEqual({
      PORT: 9000,
      WORKERS: 4,
      BROKERS: ['a:1', 'b:2'],
      LEVEL: 'info',
      DATABASE_URL: 'postgresql://u:p@h/db',
      PRETTY: true,
    });
  });

  it('names every bad variable at once, and never echoes a secret', () => {
    let error: unknown;
    try {
      parseConfig(spec, { PORT: 'abc', WORKERS: '0', LEVEL: 'loud', BROKERS: 'nohost', DATABASE_URL: 'mysql://secret@x/y', PRETTY: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      'PORT must be an integer from 0 to 65535 (got "abc")',
      'WORKERS must be an integer from 1 to 64 (got "0")',
      'BROKERS must be host:port pairs: nohost (got "nohost")',
      'LEVEL must be one of: info, debug (got "loud")',
      'DATABASE_URL must be a URL with protocol postgres or postgresql (got ***)',
      'PRETTY must be true or false (got "maybe")',
    ]);
    expect((error as Error).message).not.toContain('secret');
  });

  it('reports a missing required variable with its description', () => {
    expect(() => parseConfig(spec, {})).toThrow('DATABASE_URL is required: PostgreSQL');
  });

  it('treats an empty string as unset', () => {
    expect(parseConfig(spec, { PORT: '', DATABASE_URL: 'postgres://h/d' }).PORT).toBe(9000);
  });

  it('describes itself for the docs and redacts secrets for logs', () => {
    const rows = describeConfig(spec);
    expect(rows.find((r) => r.name === 'WORKERS')?.default).toBe('number of CPUs');
    expect(rows.find((r) => r.name === 'DATABASE_URL')?.default).toBe('(required)');
    const config = parseConfig(spec, { DATABASE_URL: 'postgres://user:pw@h/d' });
    expect(redactConfig(spec, config)['DATABASE_URL']).toBe('[redacted]');
  });
});
