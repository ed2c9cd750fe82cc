-- CreateTable
CREATE TABLE "UserFollowVersion" (
    "followerId" UUID NOT NULL,
    "followeeId" UUID NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "UserFollowVersion_pkey" PRIMARY KEY ("followerId","followeeId")
);
