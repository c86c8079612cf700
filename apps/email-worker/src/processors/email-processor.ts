/**
 * EmailProcessor: `(job, token, signal) => outcome` for EmailQueue jobs. It checks each job
 * against the EmailJob contract and runs the ledger-guarded delivery with the configured provider.
 */
import { emailJobValidator, type EmailJob } from '@herald/contracts';
import { channelProcessor, type ProcessorFactory } from '@herald/delivery-worker';

export const createEmailProcessor: ProcessorFactory<EmailJob> = channelProcessor('email', emailJobValidator);
