import { createHash } from 'node:crypto';
import type { RedisClient } from './client.ts';

/** A Lua script run by EVALSHA, falling back to EVAL when the server answers NOSCRIPT. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Runs `script` on the node that owns `keys` (all in one slot). After a restart, a failover or
 * `SCRIPT FLUSH`, and on a Cluster node that never saw the script, EVALSHA answers NOSCRIPT; EVAL
 * then sends the source, which also loads it for the next call. We do not use ioredis'
 * `defineCommand`, which would add a method to the user's client.
 */
export async function runScript(client: RedisClient, script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script.source, keys.length, ...keys, ...args);
  }
}
