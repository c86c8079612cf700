/** @herald/webhook-receiver: a local receiver of Herald's webhooks, and its registration. */
export * from './receiver';
export * from './register';
