-- CreateTable
CREATE TABLE "NotificationPreference" (
    "userId" UUID NOT NULL,
    "categories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "keywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "days" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "timeWindows" JSONB NOT NULL DEFAULT '[]',
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "homeLatitude" DOUBLE PRECISION,
    "homeLongitude" DOUBLE PRECISION,
    "maxDistanceKm" DOUBLE PRECISION,
    "priceMin" INTEGER,
    "priceMax" INTEGER,
    "currency" TEXT,
    "channels" TEXT[] DEFAULT ARRAY['IN_APP']::TEXT[],
    "quietFrom" INTEGER,
    "quietTo" INTEGER,
    "dailyCap" INTEGER NOT NULL DEFAULT 10,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "NotificationPreference_pkey" PRIMARY KEY ("userId")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "reasons" JSONB NOT NULL,
    "inDigest" BOOLEAN NOT NULL DEFAULT false,
    "deliverAt" TIMESTAMPTZ(3) NOT NULL,
    "announcedAt" TIMESTAMPTZ(3),
    "readAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "NotificationPreference_categories_idx" ON "NotificationPreference" USING GIN ("categories");

-- CreateIndex
CREATE INDEX "NotificationPreference_keywords_idx" ON "NotificationPreference" USING GIN ("keywords");

-- CreateIndex
CREATE INDEX "Notification_userId_deliverAt_idx" ON "Notification"("userId", "deliverAt");

-- CreateIndex
CREATE INDEX "Notification_deliverAt_idx" ON "Notification"("deliverAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_userId_eventId_key" ON "Notification"("userId", "eventId");
