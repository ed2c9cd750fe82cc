-- CreateTable
CREATE TABLE "KnownEvent" (
    "eventId" UUID NOT NULL,
    "organizationId" UUID,
    "ownerUserId" UUID,
    "status" TEXT NOT NULL,
    "visibility" TEXT NOT NULL DEFAULT 'PUBLIC',
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "KnownEvent_pkey" PRIMARY KEY ("eventId")
);
