/** Reading the end of a log. */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The last `lines` lines of a text file ('' when it is missing); reads at most its last 256 KiB. */
export function tailFile(file: string, lines = 40): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    try {
      const length = Math.min(size, 256 * 1024);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      return buf.toString('utf8').split('\n').slice(-lines - 1).join('\n').trimEnd();
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}
