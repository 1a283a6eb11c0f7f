import type { CounterCell, CellCounter, CellHistogram, HistogramCell } from '../cells.ts';

/**
 * Cells of one binding keyed by the label values that vary per event (all from closed sets), so
 * an event costs one Map lookup and the label object is built once per distinct value.
 */
export function counterCells(metric: CellCounter, fixed: Readonly<Record<string, string>>): (varying: Readonly<Record<string, string>>, key: string) => CounterCell {
  const cells = new Map<string, CounterCell>();
  return (varying, key) => {
    let cell = cells.get(key);
    if (cell === undefined) cells.set(key, (cell = metric.cell({ ...fixed, ...varying })));
    return cell;
  };
}

export function histogramCells(metric: CellHistogram, fixed: Readonly<Record<string, string>>): (varying: Readonly<Record<string, string>>, key: string) => HistogramCell {
  const cells = new Map<string, HistogramCell>();
  return (varying, key) => {
    let cell = cells.get(key);
    if (cell === undefined) cells.set(key, (cell = metric.cell({ ...fixed, ...varying })));
    return cell;
  };
}
