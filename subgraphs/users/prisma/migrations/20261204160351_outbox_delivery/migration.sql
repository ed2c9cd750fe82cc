-- CreateTable
CREATE TABLE "OutboxDelivery" (
    "eventId" UUID NOT NULL,
    "consumer" TEXT NOT NULL,

    CONSTRAINT "OutboxDelivery_pkey" PRIMARY KEY ("eventId","consumer")
);
