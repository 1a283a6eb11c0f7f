// The graceful-shutdown scenario both HTTP adapters run against a real child process.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { expect } from 'vitest';
import { Inbox } from './inbox.ts';

// Real time throughout: this is a real process under real load. Every wait below is bounded.
const RATE_PER_MS = 0.5; // 500 requests/s
const MAX_REQUESTS = 3_000;
// Comfortably longer than our stand-in load balancer takes to see the 503, even on a 2-CPU
// machine running other suites (1.4 s was seen at a load average of 25).
const READINESS_DELAY_MS = 3_000;

interface Outcome {
  readonly status: number;
  readonly connection: string | undefined;
}

function get(url: string, agent: Agent | false): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

function spawnChild(childPath: string) {
  const child = spawn(process.execPath, ['--conditions=@breakwater/source', childPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, READINESS_DELAY_MS: String(READINESS_DELAY_MS) },
  });
  const lines = new Inbox<string>();
  const stdout: string[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      stdout.push(line);
      lines.push(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, lines, stdout, stderr: () => stderr, exited };
}


/** What a shutdown under load came to, for the caller's own assertions. */
export interface ShutdownUnderLoad {
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
  /** The child's stdout lines after its `listening <port>` line (its phases and closed resources). */
  readonly lines: readonly string[];
  readonly stderr: string;
}

/**
 * The graceful-shutdown scenario shared by the Express and Fastify adapters: spawns `childPath`
 * (a server using gracefulShutdown() that prints `listening <port>`, then its phases), sends it
 * 500 req/s through keep-alive sockets like a load balancer, sends SIGTERM once 450 requests were
 * answered, keeps routing until the readiness probe says 503 (liveness must stay 200), sends slow
 * requests that must be answered during the drain, and asserts that no request failed. Real time
 * throughout (a real process under real load); every wait is bounded.
 */
export async function shutdownUnderLoad(childPath: string): Promise<ShutdownUnderLoad> {
  const { child, lines, stdout, stderr, exited } = spawnChild(childPath);
  // No socket limit: a request the stand-in load balancer issued goes on the wire at once
  // instead of waiting in the agent's queue, where it would reach the server after the drain.
  const agent = new Agent({ keepAlive: true });
  let load: ReturnType<typeof setInterval> | undefined;
  try {
    const first = await Promise.race([lines.next(), exited.then(({ code }) => `exited ${code}: ${stderr()}`)]);
    expect(first).toMatch(/^listening \d+$/);
    const url = `http://127.0.0.1:${first.split(' ')[1]}`;

    // Each request remembers when it was sent, so a failure says whether it came before or after the signal.
    let signalled = Number.NaN;
    const requests: Promise<{ path: string; sentAt: number; outcome: Outcome | Error }>[] = [];
    let answered = 0;
    const send = (path: string): Promise<Outcome | Error> => {
      const sentAt = performance.now();
      const pending = get(`${url}${path}`, agent)
        .catch((error: Error) => error)
        .finally(() => void answered++);
      requests.push(pending.then((outcome) => ({ path, sentAt, outcome })));
      return pending;
    };

    // Probes on fresh connections; a failure says when it happened.
    const probe = (path: string): Promise<Outcome> =>
      get(`${url}${path}`, false).catch((error: Error) => {
        throw new Error(`${path} failed ${Math.round(performance.now() - signalled)}ms after SIGTERM: ${error.message}`, { cause: error });
      });

    // The load balancer: keeps sending until its readiness probe sees 503, as real ones do.
    // Paced by elapsed time, not by tick count, so a busy machine that delays ticks still sends 500/s.
    let routing = true;
    let sent = 0;
    const loadStarted = performance.now();
    load = setInterval(() => {
      const due = Math.min(MAX_REQUESTS, Math.floor((performance.now() - loadStarted) * RATE_PER_MS));
      while (routing && sent < due) send(`/work?ms=${(sent++ % 4) * 10}`);
    }, 5);

    // The signal comes once 450 requests have been answered (about a second at 500/s): waiting
    // on the child's answers, not on a clock, so a slow machine only makes the test longer.
    for (let waited = 0; answered < 450 && waited < 30_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const answeredBeforeSignal = answered;
    child.kill('SIGTERM');
    signalled = performance.now();

    let liveAfterReadyFailed: number | undefined;
    let slow: Promise<Outcome | Error>[] = [];
    for (let attempt = 0; attempt < 200 && routing; attempt++) {
      const ready = await probe('/health/ready');
      if (ready.status === 503) {
        // Slow requests sent just before traffic moves away: still in flight when the drain starts.
        slow = Array.from({ length: 10 }, () => send(`/work?ms=${READINESS_DELAY_MS + 300}`));
        routing = false;
        expect(performance.now() - signalled).toBeLessThan(READINESS_DELAY_MS);
        liveAfterReadyFailed = (await probe('/health/live')).status;
      } else {
        expect(ready.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    clearInterval(load);
    expect(routing).toBe(false);
    expect(liveAfterReadyFailed).toBe(200);

    const outcomes = await Promise.all(requests);
    const failed = outcomes
      .filter(({ outcome }) => outcome instanceof Error || outcome.status !== 200)
      .map(({ path, sentAt, outcome }) => `${path} sent ${Math.round(sentAt - signalled)}ms after SIGTERM: ${outcome instanceof Error ? outcome.message : outcome.status}`);
    expect(failed).toEqual([]);
    expect(answeredBeforeSignal).toBeGreaterThanOrEqual(450);
    // The slow ones were answered during the drain, each telling its client to let go of the socket.
    expect((await Promise.all(slow)).map((outcome) => (outcome as Outcome).connection)).toEqual(Array(10).fill('close'));
    return { exit: await exited, lines: stdout.slice(1), stderr: stderr() };
  } finally {
    clearInterval(load);
    agent.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
