-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "provider" TEXT;

-- AlterTable
ALTER TABLE "send_ledger" ADD COLUMN     "provider" TEXT,
ADD COLUMN     "throttled" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "provider_receipts" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "provider_message_id" TEXT NOT NULL,
    "delivery_id" UUID,
    "outcome" TEXT NOT NULL,
    "permanent" BOOLEAN NOT NULL,
    "reason_code" TEXT,
    "summary" TEXT,
    "recipient" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "applied_at" TIMESTAMPTZ(3),
    "republished_at" TIMESTAMPTZ(3),

    CONSTRAINT "provider_receipts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suppressions" (
    "client" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "source" TEXT,
    "detail" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppressions_pkey" PRIMARY KEY ("client","channel","address")
);

-- CreateIndex
CREATE INDEX "provider_receipts_provider_message_id_idx" ON "provider_receipts"("provider_message_id");

-- CreateIndex
CREATE INDEX "deliveries_provider_message_id_idx" ON "deliveries"("provider_message_id");

-- Herald: the vocabularies, enforced by the database as well (Prisma leaves CHECK constraints alone).
ALTER TABLE "delivery_events" DROP CONSTRAINT "delivery_events_type_check";
ALTER TABLE "delivery_events" ADD CONSTRAINT "delivery_events_type_check" CHECK ("type" IN ('accepted', 'queued', 'sending', 'sent', 'delivered', 'failed', 'attempt_failed', 'deferred', 'complained', 'opted_out'));
ALTER TABLE "provider_receipts" ADD CONSTRAINT "provider_receipts_outcome_check" CHECK ("outcome" IN ('delivered', 'bounced', 'undelivered', 'rejected', 'complained', 'opted_out', 'deferred'));
ALTER TABLE "provider_receipts" ADD CONSTRAINT "provider_receipts_channel_check" CHECK ("channel" IN ('email', 'sms'));
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_channel_check" CHECK ("channel" IN ('email', 'sms'));
ALTER TABLE "suppressions" ADD CONSTRAINT "suppressions_reason_check" CHECK ("reason" IN ('hard_bounce', 'complaint', 'opt_out', 'manual'));
