-- An ended run is never resumed: its checkpoints (and, by trigger, their blobs) are removed when it ends.
DELETE FROM "checkpoints" c USING "runs" r WHERE c."runId" = r."id" AND r."status" IN ('SUCCEEDED', 'FAILED', 'CANCELLED');

-- Uploads may be larger than 2 GiB (MAX_UPLOAD_MB allows 10 GiB).
ALTER TABLE "datasets" ALTER COLUMN "uploadBytes" TYPE BIGINT;
