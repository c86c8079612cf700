/**
 * The stack's API calls go through @herald/client, the client API consumers use, so that the
 * tests exercise it: one client per ingest URL and key (Bearer key, an Idempotency-Key per send,
 * retries on 429/503 as consumers get them by default).
 */
import { createHeraldClient, type HeraldClient, type NorthRequest } from '@herald/client';
import type { MessageView } from '@herald/contracts';

const clients = new Map<string, HeraldClient>();

/** The client for an ingest-api at `baseUrl` and an API key (made once, then reused). */
export function apiClientFor(baseUrl: string, apiKey: string): HeraldClient {
  const key = `${baseUrl} ${apiKey}`;
  let client = clients.get(key);
  if (!client) {
    client = createHeraldClient({ baseUrl, apiKey });
    clients.set(key, client);
  }
  return client;
}

/**
 * POST /v1/North through the client's typed call, whatever the answer (tests also send bodies
 * the contract refuses, or text that is not JSON): the status, the headers and the parsed body.
 */
export async function postNorth<T>(client: HeraldClient, body: unknown, headers: Record<string, string>): Promise<{ status: number; headers: Headers; body: T }> {
  const { data, error, response } = await client.api.POST('/v1/North', {
    body: body as NorthRequest,
    headers,
    ...(typeof body === 'string' ? { bodySerializer: (text: unknown) => text as string } : {}),
  });
  return { status: response.status, headers: response.headers, body: (data ?? error) as T };
}

/** GET /v1/messages/{id} through the client; null for an id it does not know (yet). */
export async function readMessage(client: HeraldClient, id: string): Promise<MessageView | null> {
  return ((await client.findMessage(id)) as MessageView | undefined) ?? null;
}
