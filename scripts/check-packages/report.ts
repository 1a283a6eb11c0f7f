// Prints the result table.
import { COLUMNS, type Row } from './model.ts';

export function printTable(rows: readonly Row[]): void {
  const header = ['package', ...COLUMNS];
  const lines = rows.map((row) => [row.pkg.manifest.name, ...COLUMNS.map((column) => row.status[column])]);
  const widths = header.map((title, index) => Math.max(title.length, ...lines.map((line) => line[index]!.length)));
  const format = (cells: readonly string[]): string => cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ');
  console.log(`\n${format(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const line of lines) console.log(format(line));
  const details = rows.flatMap((row) => row.details);
  if (details.length > 0) console.log(`\n${details.join('\n')}`);
}
