-- AlterTable
ALTER TABLE "workers" ADD COLUMN     "gpu" BOOLEAN NOT NULL DEFAULT false;
