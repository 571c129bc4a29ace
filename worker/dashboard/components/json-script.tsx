// Data a page's script reads (dashboard-client/): JSON inside a <script type="application/json">, with `<`
// escaped so no text in the data (a customer's name, a note) can close the tag.
export function JsonScript(props: { id: string; data: unknown }) {
  return <script type="application/json" id={props.id} dangerouslySetInnerHTML={{ __html: JSON.stringify(props.data).replaceAll("<", "\\u003c") }} />;
}
