/** The SMS providers' emulators, by provider name. */
import type { ProviderEmulator } from './kit/emulator';

export const smsEmulators: Readonly<Record<string, () => ProviderEmulator>> = {};
