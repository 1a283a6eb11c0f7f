/** One step of a fault schedule: entered at its offset, it injects (or clears) a fault. */
export interface Phase {
  readonly name: string;
  readonly durationMs: number;
  /** Applies the phase's fault; awaited before its time starts running. */
  readonly enter?: () => void | Promise<void>;
}

/**
 * Runs the phases back to back for their durations, calling `onPhase` as each starts; resolves
 * when the last one ends. Aborting `signal` ends the run early (the current phase is left as is).
 */
export async function runSchedule(phases: readonly Phase[], onPhase: (phase: Phase, index: number) => void, signal?: AbortSignal): Promise<void> {
  for (const [index, phase] of phases.entries()) {
    if (signal?.aborted) return;
    await phase.enter?.();
    onPhase(phase, index);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, phase.durationMs);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
