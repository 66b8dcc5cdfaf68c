-- The newest epoch's metrics and the training time, kept on the run so runs can be searched and sorted by them.
ALTER TABLE "runs" ADD COLUMN     "finalEpoch" INTEGER,
ADD COLUMN     "finalLoss" DOUBLE PRECISION,
ADD COLUMN     "finalAccuracy" DOUBLE PRECISION,
ADD COLUMN     "finalValLoss" DOUBLE PRECISION,
ADD COLUMN     "finalValAccuracy" DOUBLE PRECISION,
ADD COLUMN     "durationSeconds" DOUBLE PRECISION NOT NULL DEFAULT 0;

UPDATE "runs" r SET "finalEpoch" = m."epoch", "finalLoss" = m."loss", "finalAccuracy" = m."accuracy",
  "finalValLoss" = m."valLoss", "finalValAccuracy" = m."valAccuracy",
  "durationSeconds" = (SELECT COALESCE(SUM("seconds"), 0) FROM "run_metrics" WHERE "runId" = r."id")
FROM (SELECT DISTINCT ON ("runId") * FROM "run_metrics" ORDER BY "runId", "epoch" DESC) m
WHERE m."runId" = r."id";

-- Sorted the way GET /runs orders them: best first, runs without metrics last.
CREATE INDEX "runs_finalValAccuracy_idx" ON "runs"("finalValAccuracy" DESC NULLS LAST);
CREATE INDEX "runs_finalAccuracy_idx" ON "runs"("finalAccuracy" DESC NULLS LAST);
CREATE INDEX "runs_finalValLoss_idx" ON "runs"("finalValLoss");
CREATE INDEX "runs_durationSeconds_idx" ON "runs"("durationSeconds");
CREATE INDEX "runs_queuedAt_idx" ON "runs"("queuedAt" DESC);
CREATE INDEX "runs_datasetId_idx" ON "runs"("datasetId");
CREATE INDEX "runs_modelId_idx" ON "runs"("modelId");
