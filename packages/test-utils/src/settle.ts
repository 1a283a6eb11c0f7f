/**
 * Lets every pending promise reaction and nextTick run (a check phase, not a timer): the slot a
 * closed response held is released a few microtasks after its 'close' event.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
