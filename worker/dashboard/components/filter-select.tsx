import type { Child } from "hono/jsx";

/** A list filter: "all" (empty value) first, then the options, the current one selected. */
export function FilterSelect(props: {
  name: string;
  /** For a <label for>. */
  id?: string;
  all: string;
  selected: string | undefined;
  options: { value: string; label: Child }[];
}) {
  return (
    <select name={props.name} id={props.id}>
      <option value="">{props.all}</option>
      {props.options.map((o) => (
        <option value={o.value} selected={props.selected === o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
