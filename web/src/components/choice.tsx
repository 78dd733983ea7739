// A segmented control: radio buttons, so arrow keys move between options and labels are read out.
export function Choice(props: {
  label: string;
  value: string;
  options: readonly (readonly [string, string])[];
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

/** A labelled drop-down; '' is "all". */
export function Select(props: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
  all?: string;
}) {
  return (
    <label class="select">
      <span>{props.label}</span>
      <select
        aria-label={props.label}
        value={props.value}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        <option value="">{props.all ?? 'All'}</option>
        {props.options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
