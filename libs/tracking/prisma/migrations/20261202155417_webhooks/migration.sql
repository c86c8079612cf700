-- CreateTable
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "client" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "event_types" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "secret" TEXT NOT NULL,
    "previous_secret" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    "disabled_reason" TEXT,
    "failing_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_attempts" (
    "id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "message_id" UUID,
    "delivery_id" UUID,
    "attempt" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "response_status" INTEGER,
    "error" TEXT,
    "response" TEXT,
    "duration_ms" INTEGER,
    "next_attempt_at" TIMESTAMPTZ(3),
    "replay_of" UUID,
    "payload" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_endpoints_client_created_at_idx" ON "webhook_endpoints"("client", "created_at");

-- CreateIndex
CREATE INDEX "webhook_attempts_endpoint_id_at_id_idx" ON "webhook_attempts"("endpoint_id", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "webhook_attempts_endpoint_id_webhook_id_idx" ON "webhook_attempts"("endpoint_id", "webhook_id");

-- CreateIndex
CREATE INDEX "webhook_attempts_at_idx" ON "webhook_attempts"("at");

-- AddForeignKey
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Herald: the vocabularies, enforced by the database as well (Prisma leaves CHECK constraints alone).
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_event_types_check" CHECK ("event_types" IS NOT NULL AND cardinality("event_types") >= 1 AND "event_types" <@ ARRAY['*', 'delivery.queued', 'delivery.sending', 'delivery.sent', 'delivery.delivered', 'delivery.failed', 'delivery.attempt_failed', 'delivery.deferred', 'delivery.complained', 'delivery.opted_out']::text[]);
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_url_check" CHECK ("url" ~ '^https?://' AND length("url") <= 2048);
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_status_check" CHECK ("status" IN ('succeeded', 'retrying', 'failed', 'skipped'));
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_attempt_check" CHECK ("attempt" >= 1);
