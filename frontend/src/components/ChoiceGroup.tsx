import type { ReactNode } from 'react';

export interface Choice<T extends string> {
  value: T;
  label: string;
  icon?: ReactNode;
  disabled?: boolean;
}

/** A set of radio buttons drawn as a row of pills; arrow keys move between them. */
export function ChoiceGroup<T extends string>({
  legend,
  name,
  choices,
  value,
  onChange,
}: {
  legend: string;
  name: string;
  choices: Choice<T>[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="choice-group">
      <legend className="choice-group__legend">{legend}</legend>
      <div className="choice-group__choices">
        {choices.map((choice) => (
          <label key={choice.value} className="choice">
            <input
              className="choice__input"
              type="radio"
              name={name}
              value={choice.value}
              checked={choice.value === value}
              disabled={choice.disabled}
              onChange={() => onChange(choice.value)}
            />
            <span className="choice__label">
              {choice.icon}
              {choice.label}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
