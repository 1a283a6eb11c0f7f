import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

it('the README example runs and prints what its comments say', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const source = new URL('../src/index.ts', import.meta.url).href;
  const dir = await mkdtemp(join(tmpdir(), 'bw-cache-readme-'));
  try {
    const file = join(dir, 'example.ts');
    await writeFile(file, example.replace(`from '@breakwater/cache'`, `from '${source}'`));
    const { stdout } = await run(process.execPath, ['--conditions=@breakwater/source', file], { timeout: 15_000 });
    // The expected output is the block of `// ` comment lines that ends the example.
    const lines = example.trimEnd().split('\n');
    const expected: string[] = [];
    while (lines.at(-1)?.startsWith('// ')) expected.unshift(lines.pop()!.slice(3));
    const normalise = (line: string) => line.replace(/in [\d.]+ ms/, 'in N ms');
    expect(stdout.trim().split('\n').map(normalise)).toEqual(expected.map(normalise));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
