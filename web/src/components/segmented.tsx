// A segmented control: radio buttons, so arrow keys move between options and labels are read out.
export function Segmented(props: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
}) {
  return (
    <fieldset class="segmented">
      <legend>{props.label}</legend>
      {props.options.map(([v, text]) => (
        <label key={v} class={v === props.value ? 'on' : ''}>
          <input
            type="radio"
            name={props.label}
            value={v}
            checked={v === props.value}
            onChange={() => props.onChange(v)}
          />
          {text}
        </label>
      ))}
    </fieldset>
  );
}
