-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "messages" (
    "id" UUID NOT NULL,
    "client" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL,
    "channels" TEXT[],
    "recipient" JSONB NOT NULL,
    "content" JSONB NOT NULL,
    "metadata" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "status_rank" INTEGER NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "provider_message_id" TEXT,
    "last_error" TEXT,
    "last_error_code" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "queued_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_events" (
    "id" TEXT NOT NULL,
    "delivery_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "detail" TEXT,
    "provider_message_id" TEXT,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delivery_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "send_ledger" (
    "delivery_id" UUID NOT NULL,
    "generation" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "holder" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "provider_message_id" TEXT,
    "error" TEXT,
    "claimed_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "send_ledger_pkey" PRIMARY KEY ("delivery_id")
);

-- CreateIndex
CREATE INDEX "messages_accepted_at_idx" ON "messages"("accepted_at");

-- CreateIndex
CREATE UNIQUE INDEX "messages_client_idempotency_key_key" ON "messages"("client", "idempotency_key");

-- CreateIndex
CREATE INDEX "deliveries_status_channel_failed_at_idx" ON "deliveries"("status", "channel", "failed_at");

-- CreateIndex
CREATE UNIQUE INDEX "deliveries_message_id_channel_key" ON "deliveries"("message_id", "channel");

-- CreateIndex
CREATE INDEX "delivery_events_message_id_at_idx" ON "delivery_events"("message_id", "at");

-- CreateIndex
CREATE INDEX "delivery_events_delivery_id_idx" ON "delivery_events"("delivery_id");

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_events" ADD CONSTRAINT "delivery_events_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "send_ledger" ADD CONSTRAINT "send_ledger_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Herald: the vocabularies, enforced by the database as well (Prisma leaves CHECK constraints alone).
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_status_check" CHECK ("status" IN ('accepted', 'queued', 'sending', 'sent', 'delivered', 'failed'));
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_channel_check" CHECK ("channel" IN ('email', 'sms'));
ALTER TABLE "delivery_events" ADD CONSTRAINT "delivery_events_type_check" CHECK ("type" IN ('accepted', 'queued', 'sending', 'sent', 'delivered', 'failed', 'attempt_failed'));
ALTER TABLE "send_ledger" ADD CONSTRAINT "send_ledger_state_check" CHECK ("state" IN ('claimed', 'sent', 'failed', 'released'));
