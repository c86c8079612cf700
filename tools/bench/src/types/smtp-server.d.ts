/** The small part of smtp-server (3.x, no bundled types) that the counting SMTP sink uses. */
declare module 'smtp-server' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface SMTPServerOptions {
    logger?: boolean;
    disabledCommands?: string[];
    authOptional?: boolean;
    size?: number;
    onData?(stream: Readable, session: unknown, callback: (error?: Error | null, message?: string) => void): void;
  }

  export class SMTPServer extends EventEmitter {
    constructor(options?: SMTPServerOptions);
    listen(port: number, host?: string, callback?: () => void): void;
    close(callback?: () => void): void;
  }
}
