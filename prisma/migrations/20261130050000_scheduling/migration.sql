-- CreateEnum
CREATE TYPE "RunPriority" AS ENUM ('high', 'normal', 'low');

-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "priority" "RunPriority" NOT NULL DEFAULT 'normal',
ADD COLUMN     "seq" SERIAL NOT NULL,
ADD COLUMN     "requiresGpu" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "heldByQuota" BOOLEAN NOT NULL DEFAULT false;
