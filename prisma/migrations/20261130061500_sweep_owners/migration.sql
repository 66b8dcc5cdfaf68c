-- AlterTable
ALTER TABLE "runs" ADD COLUMN "sweepParams" JSONB;

-- AlterTable
ALTER TABLE "sweeps" ADD COLUMN "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN "cancelledAt" TIMESTAMP(3),
ADD COLUMN "createdById" UUID;

-- CreateIndex
CREATE INDEX "sweeps_createdAt_idx" ON "sweeps"("createdAt" DESC);

-- AddForeignKey
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;
