import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from 'breakwater-test-utils';

const CHILD = fileURLToPath(new URL('./service-child.ts', import.meta.url));

/** What a service process reported on its way out. */
export interface ServiceReport {
  readonly kind: string;
  readonly instance: string;
  readonly exitCode: number;
  /** Write-behind writes it accepted (catalog). */
  readonly accepted: number;
  /** Handles still open after every resource was closed (must be none). */
  readonly handles: readonly string[];
  readonly unhandledRejections: number;
  readonly uncaughtExceptions: number;
}

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  /** False from the moment it is told to stop (the load balancer stops routing to it). */
  up: boolean;
  /** SIGTERM, then waits (bounded) for the exit and reads the report. */
  stop(timeoutMs?: number): Promise<ServiceReport>;
}

export async function startServiceProcess(
  kind: 'payments' | 'catalog',
  name: string,
  dir: string,
  env: Record<string, string | undefined>,
): Promise<ServiceProcess> {
  const port = await freePort();
  const reportFile = join(dir, `${name}-${Date.now()}.json`);
  const child: ChildProcess = spawn(process.execPath, ['--conditions=@breakwater/source', CHILD, kind], {
    env: { ...process.env, ...env, PORT: String(port), INSTANCE_ID: name, REPORT_FILE: reportFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s:\n${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  const service: ServiceProcess = {
    name,
    url: `http://127.0.0.1:${port}`,
    up: true,
    async stop(timeoutMs = 30_000) {
      service.up = false;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      try {
        return JSON.parse(readFileSync(reportFile, 'utf8')) as ServiceReport;
      } catch {
        return { kind, instance: name, exitCode: code ?? -1, accepted: 0, handles: ['no report: killed or crashed'], unhandledRejections: 0, uncaughtExceptions: stderr.includes('uncaught') ? 1 : 0 };
      }
    },
  };
  return service;
}
