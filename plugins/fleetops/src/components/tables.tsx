import React from 'react';
import { Table, TableBody, TableCell, TableHead, TableRow } from '@material-ui/core';

/** A plain table: header cells and rows of cells (core-components' Table needs material-table's data model; this is enough here). */
export function SimpleTable({ head, rows, testId }: { head: string[]; rows: React.ReactNode[][]; testId?: string }) {
  return (
    <Table size="small" data-testid={testId}>
      <TableHead>
        <TableRow>
          {head.map((h) => (
            <TableCell key={h}>{h}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((cells, i) => (
          <TableRow key={i}>
            {cells.map((c, j) => (
              <TableCell key={j}>{c}</TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
