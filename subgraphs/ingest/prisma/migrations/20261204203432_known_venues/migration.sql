-- CreateTable
CREATE TABLE "KnownVenue" (
    "venueId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "city" TEXT,
    "country" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "KnownVenue_pkey" PRIMARY KEY ("venueId")
);

-- CreateIndex
CREATE INDEX "KnownVenue_organizationId_idx" ON "KnownVenue"("organizationId");
