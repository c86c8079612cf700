/** The email providers' emulators, by provider name. */
import type { ProviderEmulator } from './kit/emulator';
import { MailgunEmulator } from './email/mailgun';
import { PostmarkEmulator } from './email/postmark';
import { SendGridEmulator } from './email/sendgrid';
import { SesEmulator } from './email/ses';

export const emailEmulators: Readonly<Record<string, () => ProviderEmulator>> = {
  ses: () => new SesEmulator(),
  sendgrid: () => new SendGridEmulator(),
  mailgun: () => new MailgunEmulator(),
  postmark: () => new PostmarkEmulator(),
};
