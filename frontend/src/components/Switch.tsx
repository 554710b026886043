import type { ButtonHTMLAttributes } from 'react';

export interface SwitchProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onChange' | 'role'> {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** The accessible name, e.g. "WhatsApp opt-in". */
  label: string;
  busy?: boolean;
}

/** An on/off control (`role="switch"`): Space or Enter toggles it. */
export function Switch({ checked, onChange, label, busy = false, disabled, className, ...rest }: SwitchProps) {
  return (
    <button
      {...rest}
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      aria-busy={busy || undefined}
      disabled={disabled === true || busy}
      className={['switch', checked ? 'switch--on' : null, className].filter(Boolean).join(' ')}
      onClick={() => onChange(!checked)}
    >
      <span className="switch__thumb" aria-hidden="true" />
    </button>
  );
}
