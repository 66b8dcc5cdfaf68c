-- AlterTable
ALTER TABLE "datasets" ADD COLUMN     "imageCount" INTEGER NOT NULL DEFAULT 0;
