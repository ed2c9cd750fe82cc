-- CreateTable
CREATE TABLE "KnownGate" (
    "gateId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KnownGate_pkey" PRIMARY KEY ("gateId")
);
