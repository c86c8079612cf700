/** An SMS provider: how the sms-worker reaches a gateway. New gateways implement this. */
import type { SmsJob } from '@herald/contracts';
import type { DeliveryProvider } from '@herald/delivery';

export type SmsProvider = DeliveryProvider<SmsJob>;
