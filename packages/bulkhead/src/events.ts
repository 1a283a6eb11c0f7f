/** Emitted by `onRejected`: a caller was turned away because every slot and queue place was taken. */
export interface BulkheadRejectedEvent {
  readonly policy: string;
  /** Calls running when the caller was turned away. */
  readonly executing: number;
  /** Callers waiting when the caller was turned away. */
  readonly queued: number;
}

/** Emitted by `onQueued`: a caller joined the queue. */
export interface BulkheadQueuedEvent {
  readonly policy: string;
  /** Calls running. */
  readonly executing: number;
  /** Callers waiting, the new one included. */
  readonly queued: number;
}

/** Emitted by `onLimitChange` in adaptive mode: the concurrency limit moved. */
export interface LimitChangeEvent {
  readonly policy: string;
  readonly from: number;
  readonly to: number;
}
