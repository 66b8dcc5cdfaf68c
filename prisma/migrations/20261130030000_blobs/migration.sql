-- Large byte arrays move out of bytea columns into chunked blobs, read and written in binary (libs/database BlobStore).
CREATE TABLE "blobs" (
    "id" UUID NOT NULL,
    "size" BIGINT NOT NULL DEFAULT 0,
    "chunkBytes" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "blobs_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "blob_chunks" (
    "blobId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "blob_chunks_pkey" PRIMARY KEY ("blobId","seq")
);
-- Zips and float32 weights do not compress: skip TOAST's compression attempt.
ALTER TABLE "blob_chunks" ALTER COLUMN "bytes" SET STORAGE EXTERNAL;
ALTER TABLE "blob_chunks" ADD CONSTRAINT "blob_chunks_blobId_fkey" FOREIGN KEY ("blobId") REFERENCES "blobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing bytes become one-chunk blobs, so nothing stored before is lost.
ALTER TABLE "dataset_uploads" ADD COLUMN "blobId" UUID;
UPDATE "dataset_uploads" SET "blobId" = gen_random_uuid();
INSERT INTO "blobs" ("id", "size", "chunkBytes") SELECT "blobId", length("bytes"), greatest(length("bytes"), 1) FROM "dataset_uploads";
INSERT INTO "blob_chunks" ("blobId", "seq", "bytes") SELECT "blobId", 0, "bytes" FROM "dataset_uploads";
ALTER TABLE "dataset_uploads" DROP COLUMN "bytes", ALTER COLUMN "blobId" SET NOT NULL;

ALTER TABLE "checkpoints" ADD COLUMN "blobId" UUID;
UPDATE "checkpoints" SET "blobId" = gen_random_uuid();
INSERT INTO "blobs" ("id", "size", "chunkBytes") SELECT "blobId", length("weights"), greatest(length("weights"), 1) FROM "checkpoints";
INSERT INTO "blob_chunks" ("blobId", "seq", "bytes") SELECT "blobId", 0, "weights" FROM "checkpoints";
ALTER TABLE "checkpoints" DROP COLUMN "weights", ALTER COLUMN "blobId" SET NOT NULL;

ALTER TABLE "model_versions" ADD COLUMN "blobId" UUID;
UPDATE "model_versions" SET "blobId" = gen_random_uuid();
INSERT INTO "blobs" ("id", "size", "chunkBytes") SELECT "blobId", length("weights"), greatest(length("weights"), 1) FROM "model_versions";
INSERT INTO "blob_chunks" ("blobId", "seq", "bytes") SELECT "blobId", 0, "weights" FROM "model_versions";
ALTER TABLE "model_versions" DROP COLUMN "weights", ALTER COLUMN "blobId" SET NOT NULL;

CREATE UNIQUE INDEX "dataset_uploads_blobId_key" ON "dataset_uploads"("blobId");
CREATE UNIQUE INDEX "checkpoints_blobId_key" ON "checkpoints"("blobId");
CREATE UNIQUE INDEX "model_versions_blobId_key" ON "model_versions"("blobId");
ALTER TABLE "dataset_uploads" ADD CONSTRAINT "dataset_uploads_blobId_fkey" FOREIGN KEY ("blobId") REFERENCES "blobs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_blobId_fkey" FOREIGN KEY ("blobId") REFERENCES "blobs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_blobId_fkey" FOREIGN KEY ("blobId") REFERENCES "blobs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A model version outlives the run that trained it (DELETE /runs/:id).
ALTER TABLE "model_versions" ALTER COLUMN "runId" DROP NOT NULL;
ALTER TABLE "model_versions" DROP CONSTRAINT "model_versions_runId_fkey";
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_runId_fkey" FOREIGN KEY ("runId") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Deleting (or replacing) an owner's row deletes its blob, so deleting a dataset, run or version frees its bytes.
-- search_path is pinned so the trigger finds this schema's blobs whatever the session's path is.
CREATE FUNCTION "delete_owned_blob"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD."blobId" IS DISTINCT FROM NEW."blobId" THEN
    DELETE FROM "blobs" WHERE "id" = OLD."blobId";
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "dataset_uploads_delete_blob" AFTER DELETE OR UPDATE OF "blobId" ON "dataset_uploads" FOR EACH ROW EXECUTE FUNCTION "delete_owned_blob"();
CREATE TRIGGER "checkpoints_delete_blob" AFTER DELETE OR UPDATE OF "blobId" ON "checkpoints" FOR EACH ROW EXECUTE FUNCTION "delete_owned_blob"();
CREATE TRIGGER "model_versions_delete_blob" AFTER DELETE OR UPDATE OF "blobId" ON "model_versions" FOR EACH ROW EXECUTE FUNCTION "delete_owned_blob"();
