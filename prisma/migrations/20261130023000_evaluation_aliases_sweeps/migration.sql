-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN "lineage" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "sweeps" (
    "id" UUID NOT NULL,
    "spec" JSONB NOT NULL,
    "maxParallel" INTEGER NOT NULL,
    "metric" TEXT NOT NULL DEFAULT 'valAccuracy',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sweeps_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "runs" ADD COLUMN "sweepId" UUID,
ADD COLUMN "heldBySweep" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "sweepIndex" INTEGER;

-- CreateTable
CREATE TABLE "run_evaluations" (
    "runId" UUID NOT NULL,
    "split" TEXT NOT NULL DEFAULT 'test',
    "samples" INTEGER NOT NULL,
    "accuracy" DOUBLE PRECISION NOT NULL,
    "loss" DOUBLE PRECISION NOT NULL,
    "classes" TEXT[],
    "confusion" JSONB NOT NULL,
    "perClass" JSONB NOT NULL,
    "misclassified" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_evaluations_pkey" PRIMARY KEY ("runId")
);

-- CreateTable
CREATE TABLE "model_aliases" (
    "modelId" UUID NOT NULL,
    "alias" TEXT NOT NULL,
    "versionId" UUID NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_aliases_pkey" PRIMARY KEY ("modelId","alias")
);

-- CreateIndex
CREATE INDEX "runs_sweepId_idx" ON "runs"("sweepId");

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "sweeps"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_evaluations" ADD CONSTRAINT "run_evaluations_runId_fkey" FOREIGN KEY ("runId") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "model_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
