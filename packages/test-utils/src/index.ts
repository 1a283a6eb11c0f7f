export { useFakeTime, pendingTimers } from './fake-time.ts';
export { abortListenerCount, activeResources, grownResources, watchProcessProblems } from './leaks.ts';
export { freePort } from './free-port.ts';
export { startHttpServer, type HttpTestServer } from './http-server.ts';
export { startRedis, type RedisServer, type RedisServerOptions } from './redis-server.ts';
export { startRedisCluster, type RedisCluster, type RedisClusterOptions } from './redis-cluster.ts';
// Not exported: exit-cleanup.ts (the fixtures' last-resort process/dir registry) and
// waitUntilReady() (an implementation detail of the two Redis fixtures).
export { Inbox, deferred, type Deferred } from './inbox.ts';
export { observed, type ExecutesCalls } from './observed-policy.ts';
export { manualClock, type ManualClockTime } from './manual-clock.ts';
export { settle } from './settle.ts';
export { read, get } from './http-client.ts';
export { shutdownUnderLoad, type ShutdownUnderLoad } from './shutdown-under-load.ts';
