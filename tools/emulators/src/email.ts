/** The email providers' emulators, by provider name. */
import type { ProviderEmulator } from './kit/emulator';

export const emailEmulators: Readonly<Record<string, () => ProviderEmulator>> = {};
