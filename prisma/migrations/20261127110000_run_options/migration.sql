-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "bias" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "checkpointEvery" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "earlyStopping" JSONB,
ADD COLUMN     "loss" TEXT NOT NULL DEFAULT 'crossEntropy';
