// The quiet hours' time zone: a native select of the IANA names the API accepts (typing a few
// letters jumps to them), with the browser's own zone as the default a new setting starts from.
// The saved zone stays selectable while the list loads, or if it could not be read.
import { useId } from 'react';
import { Button } from '@/components/Button';
import { browserTimeZone } from './settings-text';

export interface TimeZoneFieldProps {
  value: string;
  /** Null while the list loads or when it could not be read. */
  zones: string[] | null;
  failed: boolean;
  onRetry: () => void;
  error: string | undefined;
  onChange: (timeZone: string) => void;
}

export function TimeZoneField({ value, zones, failed, onRetry, error, onChange }: TimeZoneFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const options = zones ? (zones.includes(value) || value === '' ? zones : [value, ...zones]) : [value];
  const yours = browserTimeZone();
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        Time zone
      </label>
      <select
        id={id}
        className="field__input field__select"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hintId, error ? errorId : null].filter(Boolean).join(' ')}
        onChange={(e) => onChange(e.target.value)}
      >
        {options.map((zone) => (
          <option key={zone} value={zone}>
            {zone === yours ? `${zone} (your browser’s)` : zone}
          </option>
        ))}
      </select>
      <p className="field__hint" id={hintId}>
        {failed ? (
          <>
            The list of time zones could not be loaded.{' '}
            <Button variant="ghost" onClick={onRetry}>
              Try again
            </Button>
          </>
        ) : zones === null ? (
          'Loading the time zones…'
        ) : (
          'The start and end are times of day in this zone.'
        )}
      </p>
      {error ? (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
