-- DropForeignKey
ALTER TABLE "runs" DROP CONSTRAINT "runs_datasetId_fkey";

-- AlterTable
ALTER TABLE "runs" ALTER COLUMN "datasetId" DROP NOT NULL;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "datasets"("id") ON DELETE SET NULL ON UPDATE CASCADE;
