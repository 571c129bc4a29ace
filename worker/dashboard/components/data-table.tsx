import type { Child } from "hono/jsx";

/** The dashboard's list table: a header row, one row per item, and a plain message when there are none. */
export function DataTable<R>(props: { headers: Child[]; rows: R[]; row: (item: R) => Child; empty?: string; id?: string }) {
  if (props.rows.length === 0 && props.empty !== undefined) return <p class="muted">{props.empty}</p>;
  return (
    <table id={props.id}>
      <thead>
        <tr>
          {props.headers.map((h) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>{props.rows.map(props.row)}</tbody>
    </table>
  );
}
