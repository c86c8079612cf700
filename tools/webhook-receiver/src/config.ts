/** webhook-receiver configuration (the process in main.ts): the only module that reads process.env. */
import { parseConfig, v, type ConfigOf } from '@herald/runtime';

export const configSpec = {
  RECEIVER_PORT: v.port({ description: 'Port the receiver listens on.', default: 9030 }),
  RECEIVER_HOST: v.string({ description: 'Interface the receiver listens on.', default: '127.0.0.1' }),
  RECEIVER_SECRETS: v.list({ description: 'Signing secrets (whsec_...) to verify calls against, comma-separated; more can be given later through POST /_control.', default: [], secret: true }),
  HERALD_API_URL: v.url({ description: 'When set, the receiver registers itself with this Herald API at start (for its client) and verifies with the secret it gets.', protocols: ['http', 'https'], default: '' }),
  HERALD_API_KEY: v.string({ description: 'Bearer key of the API client to register for; empty with AUTH_DISABLED (the client "default").', default: '', minLength: 0, secret: true }),
};

export type ReceiverConfig = ConfigOf<typeof configSpec>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ReceiverConfig {
  return parseConfig(configSpec, env);
}
