import { createServer } from 'node:net';
import { freePort, isPortOpen } from './ports';
import { waitFor } from './wait';

describe('ports', () => {
  it('finds a free port, sees it open once something listens and closed after', async () => {
    const port = await freePort();
    expect(await isPortOpen({ port })).toBe(false);
    const server = createServer().listen(port, '127.0.0.1');
    await waitFor('the port to open', () => isPortOpen({ port }), { timeoutMs: 2_000 });
    expect(await isPortOpen({ port })).toBe(true);
    await new Promise((resolve) => server.close(resolve));
    expect(await isPortOpen({ port })).toBe(false);
  });
});
