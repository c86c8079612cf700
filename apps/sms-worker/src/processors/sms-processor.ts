/**
 * SmsProcessor: `(job, token, signal) => outcome` for SmsQueue jobs. It checks each job against
 * the SmsJob contract and runs the ledger-guarded delivery with the configured SmsProvider.
 */
import { smsJobValidator, type SmsJob } from '@herald/contracts';
import { channelProcessor, type ProcessorFactory } from '@herald/delivery-worker';

export const createSmsProcessor: ProcessorFactory<SmsJob> = channelProcessor('sms', smsJobValidator);
