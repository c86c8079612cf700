/** The SMS providers' emulators, by provider name. */
import type { ProviderEmulator } from './kit/emulator';
import { snsEmulator } from './sms/sns';
import { twilioEmulator } from './sms/twilio';
import { vonageEmulator } from './sms/vonage';

export const smsEmulators: Readonly<Record<string, () => ProviderEmulator>> = {
  twilio: twilioEmulator,
  vonage: vonageEmulator,
  sns: snsEmulator,
};
