-- DropIndex
DROP INDEX "deliveries_status_channel_failed_at_idx";

-- DropIndex
DROP INDEX "delivery_events_delivery_id_idx";

-- CreateIndex
CREATE INDEX "deliveries_failed_at_idx" ON "deliveries"("failed_at");

-- Herald: room in each page for the new versions of a delivery's row, so that its status
-- updates stay on the same page (HOT) instead of writing a new index entry each.
ALTER TABLE "deliveries" SET (fillfactor = 80);
