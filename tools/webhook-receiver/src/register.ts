/**
 * Registers a receiver as a webhook endpoint of a Herald API client (what `npm start` does for the
 * local receiver and the default client): reuses the endpoint with the same URL when there is one
 * (enabling it again and rotating its secret, since a secret is shown only once), creates it
 * otherwise, then tells the receiver the secret. The receiver is told all secrets that sign, so a
 * call signed during the rotation overlap verifies.
 */
export interface RegisterOptions {
  /** The Herald API, e.g. http://127.0.0.1:9000. */
  apiUrl: string;
  /** Where Herald should POST (the receiver's /hooks URL). */
  receiverUrl: string;
  /** Bearer key of the API client; none with AUTH_DISABLED (the client "default"). */
  apiKey?: string;
  eventTypes?: string[];
  description?: string;
}

export interface Registration {
  endpointId: string;
  secret: string;
  created: boolean;
}

async function call<T>(options: RegisterOptions, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(path, options.apiUrl), {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function registerReceiver(options: RegisterOptions): Promise<Registration> {
  const { items } = await call<{ items: Array<{ id: string; url: string; enabled: boolean }> }>(options, 'GET', '/v1/webhooks');
  const existing = items.find((e) => e.url === options.receiverUrl);
  if (existing) {
    if (!existing.enabled) await call(options, 'PATCH', `/v1/webhooks/${existing.id}`, { enabled: true });
    const { secret } = await call<{ secret: string }>(options, 'POST', `/v1/webhooks/${existing.id}/rotate-secret`);
    return { endpointId: existing.id, secret, created: false };
  }
  const created = await call<{ id: string; secret: string }>(options, 'POST', '/v1/webhooks', {
    url: options.receiverUrl,
    description: options.description ?? 'Local webhook receiver',
    eventTypes: options.eventTypes ?? ['*'],
  });
  return { endpointId: created.id, secret: created.secret, created: true };
}

/** Tells a running receiver (by its base URL) which secrets to verify against. */
export async function configureReceiver(receiverBaseUrl: string, settings: { secrets?: string[]; fail?: { status: number; forMs?: number; count?: number }; slowMs?: number; ok?: boolean }): Promise<void> {
  const response = await fetch(new URL('/_control', receiverBaseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  if (!response.ok) throw new Error(`receiver control answered ${response.status}`);
}

/** Registers the receiver and hands it the new secret: the one call `npm start` needs. */
export async function registerAndConfigure(options: RegisterOptions): Promise<Registration> {
  const registration = await registerReceiver(options);
  await configureReceiver(new URL(options.receiverUrl).origin, { secrets: [registration.secret] });
  return registration;
}
