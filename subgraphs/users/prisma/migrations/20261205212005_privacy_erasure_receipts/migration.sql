-- CreateTable
CREATE TABLE "ErasureReceipt" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ErasureReceipt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ErasureConfirmation" (
    "receiptId" UUID NOT NULL,
    "subgraph" TEXT NOT NULL,
    "confirmedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "erased" JSONB NOT NULL,

    CONSTRAINT "ErasureConfirmation_pkey" PRIMARY KEY ("receiptId","subgraph")
);

-- CreateIndex
CREATE INDEX "ErasureReceipt_userId_idx" ON "ErasureReceipt"("userId");

-- AddForeignKey
ALTER TABLE "ErasureConfirmation" ADD CONSTRAINT "ErasureConfirmation_receiptId_fkey" FOREIGN KEY ("receiptId") REFERENCES "ErasureReceipt"("id") ON DELETE CASCADE ON UPDATE CASCADE;
