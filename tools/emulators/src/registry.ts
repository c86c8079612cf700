/** Every emulator by provider name. */
import { Emulator, type EmulatorOptions } from './kit/emulator';
import { emailEmulators } from './email';
import { smsEmulators } from './sms';

const all = { ...emailEmulators, ...smsEmulators };

export const EMULATOR_PROVIDERS: readonly string[] = Object.keys(all);

export function createEmulator(provider: string, options: EmulatorOptions = {}): Emulator {
  const make = all[provider];
  if (!make) throw new Error(`no emulator for ${JSON.stringify(provider)} (known: ${EMULATOR_PROVIDERS.join(', ') || 'none'})`);
  return new Emulator(make(), options);
}
