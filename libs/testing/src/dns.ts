/**
 * A DNS server of the test's own (dns2, UDP on 127.0.0.1), whose answers the test sets and
 * changes: for the webhook address checks, a name that resolves to a public address at
 * registration and to 127.0.0.1 later (DNS rebinding). Services use it through
 * WEBHOOK_DNS_SERVERS. Unknown names are NXDOMAIN.
 */
import dns2 from 'dns2';

export interface DnsRecords {
  a?: string[];
  aaaa?: string[];
}

export class TestDnsServer {
  private readonly records = new Map<string, DnsRecords>();

  private constructor(
    private readonly server: ReturnType<typeof dns2.createServer>,
    readonly port: number,
  ) {}

  /** The WEBHOOK_DNS_SERVERS value for this server. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestDnsServer> {
    const holder: { dns?: TestDnsServer } = {};
    const { Packet } = dns2;
    const server = dns2.createServer({
      udp: true,
      handle: (request, send) => {
        const response = Packet.createResponseFromRequest(request);
        // dns2 encodes plain records (as its README shows); its types ask for a toBuffer() they do not need.
        const answer = (record: { name: string; type: number; address: string }) => response.answers.push({ ...record, class: Packet.CLASS.IN, ttl: 0 } as (typeof response.answers)[number]);
        const question = request.questions[0];
        const records = question ? holder.dns?.records.get(question.name.toLowerCase()) : undefined;
        if (!question || !records) {
          response.header.rcode = Packet.RCODE.NXDOMAIN;
        } else if (question.type === Packet.TYPE.A) {
          for (const address of records.a ?? []) answer({ name: question.name, type: Packet.TYPE.A, address });
        } else if (question.type === Packet.TYPE.AAAA) {
          for (const address of records.aaaa ?? []) answer({ name: question.name, type: Packet.TYPE.AAAA, address });
        }
        void send(response);
      },
    });
    const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
    const port = (addresses as { udp?: { port: number } }).udp?.port;
    if (!port) throw new Error('the test DNS server did not say its port');
    holder.dns = new TestDnsServer(server, port);
    return holder.dns;
  }

  /** Sets (or replaces) what a name resolves to. */
  set(name: string, records: DnsRecords): void {
    this.records.set(name.toLowerCase(), records);
  }

  async stop(): Promise<void> {
    await this.server.close();
  }
}
