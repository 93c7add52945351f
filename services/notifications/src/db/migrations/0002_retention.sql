-- Stored notifications are deleted after NOTIFICATION_RETENTION_DAYS (domain/prune-notifications.ts).
-- BRIN fits created_at, which only grows as rows are added, and costs almost nothing per insert.
CREATE INDEX notifications_created_at ON notifications USING brin (created_at);
