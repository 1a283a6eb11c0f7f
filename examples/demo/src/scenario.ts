import type { Phase } from './fault-schedule.ts';
import type { DemoServices } from './services.ts';
import type { TrafficShape } from './traffic.ts';

/**
 * The fault schedule: each phase sets the bank's and the database's faults and the traffic shape.
 * `phaseMs` scales the whole run (7 phases).
 */
export function demoPhases(services: DemoServices, shape: TrafficShape, phaseMs: number): Phase[] {
  const calm = (): void => {
    services.bank.setFaults({});
    for (const { service } of services.catalogs) service.db.setFaults({});
    shape.duplicateShare = 0.02;
    shape.hotClientShare = 0;
  };
  return [
    { name: 'warm-up: all healthy', durationMs: phaseMs, enter: calm },
    // While the bank is healthy: duplicates of payments that succeeded are replayed (after a bank
    // outage the breaker stays open for a while, and unfinished payments are not stored).
    {
      name: 'duplicate POST storm: 60 % of payments retry a recent key',
      durationMs: phaseMs,
      enter: () => {
        calm();
        shape.duplicateShare = 0.6;
      },
    },
    {
      name: 'bank flaky: 30 % 503s, answers lost after charging, latency spikes',
      durationMs: phaseMs,
      enter: () => {
        calm();
        services.bank.setFaults({ errorRate: 0.3, lostResponseRate: 0.05, latencyMs: 150 });
      },
    },
    {
      name: 'bank down: every charge 503',
      durationMs: phaseMs,
      enter: () => {
        calm();
        services.bank.setFaults({ down: true });
      },
    },
    {
      name: 'database slow (600 ms): reads served stale',
      durationMs: phaseMs,
      enter: () => {
        calm();
        for (const { service } of services.catalogs) service.db.setFaults({ latencyMs: 600 });
      },
    },
    {
      name: 'traffic spike: one client sends 70 % of payments',
      durationMs: phaseMs,
      enter: () => {
        calm();
        shape.hotClientShare = 0.7;
      },
    },
    { name: 'recovery: all healthy', durationMs: phaseMs, enter: calm },
  ];
}
