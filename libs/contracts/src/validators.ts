/** Compiled validators for the contracts that consumers check at their boundary. */
import { NorthEvent } from './events/north';
import { DeliveryEvent } from './events/south';
import { ReceiptEvent } from './events/receipts';
import { NorthRequest } from './http/north';
import { EmailJob, NotificationBatchJob, NotificationJob, SmsJob } from './jobs/jobs';
import { WebhookJob } from './jobs/webhook-job';
import { createValidator } from './validation';

export const northRequestValidator = createValidator('NorthRequest', NorthRequest);
export const northEventValidator = createValidator('NorthEvent', NorthEvent);
export const deliveryEventValidator = createValidator('DeliveryEvent', DeliveryEvent);
export const notificationJobValidator = createValidator('NotificationJob', NotificationJob);
export const notificationBatchJobValidator = createValidator('NotificationBatchJob', NotificationBatchJob);
export const emailJobValidator = createValidator('EmailJob', EmailJob);
export const smsJobValidator = createValidator('SmsJob', SmsJob);
export const receiptEventValidator = createValidator('ReceiptEvent', ReceiptEvent);
export const webhookJobValidator = createValidator('WebhookJob', WebhookJob);
