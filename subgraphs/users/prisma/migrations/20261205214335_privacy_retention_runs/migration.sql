-- CreateTable
CREATE TABLE "RetentionRun" (
    "id" UUID NOT NULL,
    "subgraph" TEXT NOT NULL,
    "policy" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3) NOT NULL,
    "deleted" INTEGER NOT NULL,
    "anonymised" INTEGER NOT NULL,
    "batches" INTEGER NOT NULL,
    "error" TEXT,

    CONSTRAINT "RetentionRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RetentionRun_finishedAt_id_idx" ON "RetentionRun"("finishedAt", "id");

-- CreateIndex
CREATE INDEX "RetentionRun_policy_finishedAt_idx" ON "RetentionRun"("policy", "finishedAt");
