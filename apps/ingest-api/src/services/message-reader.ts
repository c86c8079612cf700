/** What GET /v1/messages/:id needs from tracking. */
import type { MessageView } from '@herald/contracts';

export interface MessageReader {
  /** The message if it exists and belongs to `client`. */
  getMessage(id: string, client?: string): Promise<MessageView | null>;
}
