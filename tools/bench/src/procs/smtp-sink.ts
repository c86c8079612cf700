/**
 * A counting SMTP sink (smtp-server): accepts every message, keeps nothing but its arrival time
 * and its X-Herald-Delivery-Id header, and serves the counts over HTTP (see receipts.ts). The same
 * sink receives the email-worker's and the bare nodemailer loop's messages, so that the two are
 * compared against the same receiver. MailDev parses and stores every email, which would make
 * the receiver the bottleneck.
 *
 *   node smtp-sink.js --smtp-port 2525 --http-port 2526
 */
import { createServer } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { Receipts, argValue, onStop } from './receipts';

const HEADER = /^x-herald-delivery-id:[ \t]*([^\r\n]+)/im;
const receipts = new Receipts();

const smtp = new SMTPServer({
  logger: false,
  disabledCommands: ['AUTH', 'STARTTLS'],
  authOptional: true,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    let head = '';
    let headDone = false;
    stream.on('data', (chunk: Buffer) => {
      if (headDone) return;
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0 || head.length > 65_536) {
        head = end >= 0 ? head.slice(0, end) : head;
        headDone = true;
      }
    });
    stream.on('end', () => {
      receipts.record(HEADER.exec(head)?.[1]?.trim() ?? null);
      callback(null, 'OK: counted');
    });
  },
});

const http = createServer((req, res) => {
  if (!receipts.serve(req, res)) {
    res.writeHead(404);
    res.end();
  }
});

smtp.on('error', (error: Error) => process.stderr.write(`smtp sink error: ${error.message}\n`));
smtp.listen(Number(argValue('smtp-port')), '127.0.0.1');
http.listen(Number(argValue('http-port')), '127.0.0.1');
onStop(() => new Promise<void>((resolve) => smtp.close(() => http.close(() => resolve()))));
