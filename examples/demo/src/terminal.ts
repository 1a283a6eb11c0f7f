/**
 * Live progress that suits where it is printed: on a terminal one status line rewritten in place,
 * elsewhere (CI logs, pipes) a plain line every `everyMs`.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #everyMs: number;
  #lastPlain = 0;
  #live = false;

  constructor(stream: NodeJS.WriteStream = process.stdout, everyMs = 5_000) {
    this.#stream = stream;
    this.#everyMs = everyMs;
  }

  /** Replaces the status line (or prints it, at most once per `everyMs`, off a terminal). */
  status(line: string): void {
    if (this.#stream.isTTY) {
      this.#stream.write(`\r\u001b[2K${line}`);
      this.#live = true;
      return;
    }
    const now = performance.now();
    if (now - this.#lastPlain < this.#everyMs) return;
    this.#lastPlain = now;
    this.#stream.write(`${line}\n`);
  }

  /** Prints a line that stays (a phase change, a breaker opening) above the status line. */
  event(line: string): void {
    if (this.#live) this.#stream.write('\r\u001b[2K');
    this.#stream.write(`${line}\n`);
    this.#live = false;
  }

  /** Ends the status line so what follows starts on a fresh one. */
  done(): void {
    if (this.#live) this.#stream.write('\n');
    this.#live = false;
  }
}
