/** Paths of the repository, and the apps' facts the images and charts must agree with. */
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');
export const deployDir = join(repoRoot, 'deploy');
export const chartsDir = join(deployDir, 'charts');
export const dockerDir = join(deployDir, 'docker');
export const helmBin = join(repoRoot, 'node_modules', '.bin', 'helm');

/** Every app of apps/ (generated.test.ts checks the list against the directory and schema.mjs). */
export const APP_NAMES = ['ingest-api', 'kafka-bridge', 'email-worker', 'sms-worker', 'receipts-api', 'webhook-worker'] as const;
export type AppName = (typeof APP_NAMES)[number];
export const APP_CHARTS: readonly string[] = APP_NAMES;
export const ALL_CHARTS = [...APP_NAMES, 'herald'] as const;

/** The variables that are secrets in the apps' config specs (`secret: true`). */
export const SECRET_VARIABLES = [
  'DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'SMS_PROVIDER_API_KEY', 'TWILIO_AUTH_TOKEN', 'VONAGE_API_SECRET', 'SNS_SECRET_ACCESS_KEY', 'API_KEYS', 'KAFKA_SASL_PASSWORD',
  'SES_SECRET_ACCESS_KEY', 'SENDGRID_API_KEY', 'MAILGUN_API_KEY', 'POSTMARK_SERVER_TOKEN',
  'VONAGE_SIGNATURE_SECRET', 'MAILGUN_WEBHOOK_SIGNING_KEY', 'POSTMARK_WEBHOOK_PASSWORD',
  'WEBHOOK_SECRETS_KEY',
] as const;

/**
 * What each app listens on, how long it drains (the defaults of apps/<app>/src/config.ts), and
 * whether it has a database (and so a migration Job in its chart) and Redis.
 */
export const APP_FACTS: Record<AppName, { portVar: 'PORT' | 'HEALTH_PORT'; port: number; drainMs: number; component: string; database: boolean; redis: boolean }> = {
  'ingest-api': { portVar: 'PORT', port: 9000, drainMs: 25_000, component: 'api', database: true, redis: true },
  'kafka-bridge': { portVar: 'HEALTH_PORT', port: 9101, drainMs: 25_000, component: 'bridge', database: true, redis: true },
  'email-worker': { portVar: 'HEALTH_PORT', port: 9102, drainMs: 30_000, component: 'worker', database: true, redis: true },
  'sms-worker': { portVar: 'HEALTH_PORT', port: 9103, drainMs: 30_000, component: 'worker', database: true, redis: true },
  'receipts-api': { portVar: 'PORT', port: 9004, drainMs: 15_000, component: 'receipts', database: false, redis: false },
  'webhook-worker': { portVar: 'HEALTH_PORT', port: 9104, drainMs: 30_000, component: 'worker', database: true, redis: true },
};

/** The apps the umbrella chart installs with its default values (the receipts-api is switched on with its providers). */
export const UMBRELLA_DEFAULT_APPS: readonly AppName[] = APP_NAMES.filter((a) => a !== 'receipts-api');

/** Umbrella values that switch on every app (for checks that every app gets a shared setting). */
export const EVERY_APP_ON = { 'receipts-api': { enabled: true } } as const;
