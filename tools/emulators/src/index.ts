/** @herald/emulators: local emulators of email and SMS providers' APIs, for local runs and tests. */
export * from './kit/emulator';
export * from './kit/faults';
export * from './kit/receipts';
export * from './kit/test-recipients';
export { snsStringToSign } from './email/sns-signing';
export { emailEmulators } from './email';
export { smsEmulators } from './sms';
export { createEmulator, EMULATOR_PROVIDERS } from './registry';
export { TWILIO_DEFAULTS, signedTwilioWebhook, twilioErrorBody } from './sms/twilio';
export { VONAGE_DEFAULTS, VONAGE_SIGNATURE_METHODS, vonageSignature, type VonageSignatureMethod } from './sms/vonage';
export { SNS_DEFAULTS, snsErrorXml } from './sms/sns';
