/** A column of a table: its heading, right-aligned for numbers, or read only by screen readers (an actions column). */
export type Column = string | { label: string; numeric?: boolean; hidden?: boolean };

/** A table's `<thead>`: one row of column headings. */
export function ColumnHeads({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => {
          const { label, numeric = false, hidden = false } = typeof column === 'string' ? { label: column } : column;
          return (
            <th key={label} scope="col" className={numeric ? 'num' : undefined}>
              {hidden ? <span className="visually-hidden">{label}</span> : label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
