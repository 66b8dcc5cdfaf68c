-- AlterTable
ALTER TABLE "datasets" ADD COLUMN     "channels" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "contentHash" TEXT,
ADD COLUMN     "duplicates" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "failOnBadFile" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "spec" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "uploadBytes" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "samples" ADD COLUMN     "sha256" TEXT,
ADD COLUMN     "split" TEXT NOT NULL DEFAULT 'train';

-- CreateIndex
CREATE INDEX "datasets_contentHash_idx" ON "datasets"("contentHash");
