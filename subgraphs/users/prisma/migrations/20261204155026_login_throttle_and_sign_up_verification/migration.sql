-- the old rows counted failures per email only, and the new throttle starts from nothing (they are transient)
DELETE FROM "LoginThrottle";

-- AlterTable
ALTER TABLE "LoginThrottle" DROP CONSTRAINT "LoginThrottle_pkey",
DROP COLUMN "emailHash",
DROP COLUMN "lockedUntil",
DROP COLUMN "updatedAt",
ADD COLUMN     "key" TEXT NOT NULL,
ADD COLUMN     "lastFailureAt" TIMESTAMPTZ(3) NOT NULL,
ADD COLUMN     "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL,
ADD CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key");

-- CreateTable
CREATE TABLE "KnownLoginClient" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KnownLoginClient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PendingSignUp" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingSignUp_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "KnownLoginClient_userId_lastUsedAt_idx" ON "KnownLoginClient"("userId", "lastUsedAt");

-- CreateIndex
CREATE INDEX "PendingSignUp_email_createdAt_idx" ON "PendingSignUp"("email", "createdAt");

-- CreateIndex
CREATE INDEX "LoginThrottle_lastFailureAt_idx" ON "LoginThrottle"("lastFailureAt");

-- AddForeignKey
ALTER TABLE "KnownLoginClient" ADD CONSTRAINT "KnownLoginClient_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
