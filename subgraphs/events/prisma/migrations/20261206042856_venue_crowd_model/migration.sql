-- CreateTable
CREATE TABLE "VenueCrowdModel" (
    "venueId" UUID NOT NULL,
    "hourOfWeek" INTEGER NOT NULL,
    "level" DOUBLE PRECISION NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL,
    "samples" INTEGER NOT NULL,
    "lastSampleAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "VenueCrowdModel_pkey" PRIMARY KEY ("venueId","hourOfWeek")
);
