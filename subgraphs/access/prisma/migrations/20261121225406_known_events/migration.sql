-- CreateTable
CREATE TABLE "KnownEvent" (
    "eventId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "KnownEvent_pkey" PRIMARY KEY ("eventId")
);
