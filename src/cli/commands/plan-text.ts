import { columnWidths, formatTable, tableLine } from '../table-format.js';

/**
 * Rows of the text plan held before they are printed. A plan showing up to this many rows prints as one
 * table aligned over all of them, as it always did; a longer one (a first plan of a large catalog) is
 * printed a block at a time, so its memory does not grow with the plan.
 */
export const TEXT_BLOCK_ROWS = 1000;

const HEADERS = ['ACTION', 'SOURCE', 'TABLE', 'POLARIS TABLE', 'VALIDATE', 'DETAIL'] as const;

/**
 * The text plan's table, printed as it goes. The first block sets the column widths and prints the
 * header; a later block widens a column when one of its cells needs it (widths never shrink), so each
 * block is aligned within itself and no cell is cut.
 */
export class PlanTextTable {
  private rows: string[][] = [];
  /** Set once the header is out. */
  private widths: number[] | undefined;
  private printedRows = 0;

  /** Adds a row; returns a block of the table to print once a block is full. */
  add(row: string[]): string | undefined {
    this.rows.push(row);
    return this.rows.length >= TEXT_BLOCK_ROWS ? this.takeBlock() : undefined;
  }

  /** The rest of the table followed by the report's last lines (a blank line between), in one piece. */
  end(after: readonly string[]): string {
    if (this.widths === undefined && this.rows.length === 0) return after.join('\n');
    return [...(this.rows.length > 0 ? [this.takeBlock()] : []), '', ...after].join('\n');
  }

  /** Rows printed so far (a plan that fails after printing some says so below them). */
  get rowsPrinted(): number {
    return this.printedRows;
  }

  private takeBlock(): string {
    const rows = this.rows;
    this.rows = [];
    this.printedRows += rows.length;
    if (this.widths === undefined) {
      this.widths = columnWidths(HEADERS.map((h) => h.length), rows);
      return formatTable(HEADERS, rows);
    }
    this.widths = columnWidths(this.widths, rows);
    const widths = this.widths;
    return rows.map((r) => tableLine(r, widths)).join('\n');
  }
}
