-- CreateTable
CREATE TABLE "QueueWorkerPool" (
    "poolId" TEXT NOT NULL,
    "lockKey" INTEGER NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QueueWorkerPool_pkey" PRIMARY KEY ("poolId")
);

-- CreateIndex
CREATE INDEX "QueueWorkerPool_lockKey_idx" ON "QueueWorkerPool"("lockKey");
