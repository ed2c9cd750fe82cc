-- AlterTable
ALTER TABLE "Source" ADD COLUMN     "runRequestedAt" TIMESTAMPTZ(3);
