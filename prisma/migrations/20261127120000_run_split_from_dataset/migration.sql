-- AlterTable
ALTER TABLE "runs" ALTER COLUMN "validationSplit" DROP NOT NULL;
