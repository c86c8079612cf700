/**
 * A channel processor: `(job, token, signal) => outcome`. Checks the job against its channel's
 * contract, then runs the ledger-guarded deliver() with the app's provider. No I/O of its own:
 * everything it touches comes in as a dependency.
 */
import type { Channel, DeliveryJob, Validator } from '@herald/contracts';
import { deliver, type DeliveryOutcome } from '@herald/delivery';
import { holderFor, type ProcessorFactory } from './run';

export function channelProcessor<J extends DeliveryJob>(channel: Channel, validator: Validator<J>): ProcessorFactory<J> {
  return (deps) => {
    const deliverDeps = { ...deps, channel, log: deps.logger };
    return async function processDelivery(job, token, signal): Promise<DeliveryOutcome> {
      const data = validator.parse(job.data);
      return deliver(data, { holder: holderFor(job, token), ...(signal ? { signal } : {}) }, deliverDeps);
    };
  };
}
