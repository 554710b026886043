// Why this exists: a WhatsApp template is asked for the same way wherever a message is written —
// the composer of a conversation and the bulk wizard — a name, a language and positional
// parameters that can be added and removed. One component keeps the two forms alike.
import { useId, type ReactNode } from 'react';
import { Button } from './Button';
import { TextField } from './TextField';

export interface TemplateValue {
  name: string;
  language: string;
  parameters: string[];
}

export interface TemplateFieldErrors {
  name?: string;
  language?: string;
  /** Empty parameters are marked. */
  parameters?: boolean;
}

interface TemplateFieldsProps {
  template: TemplateValue;
  onChange: (template: TemplateValue) => void;
  errors?: TemplateFieldErrors;
  /** Said after the parameters' positional rule (e.g. which placeholders they may use). */
  parameterHint?: ReactNode;
  className: string;
}

export function TemplateFields({ template, onChange, errors = {}, parameterHint, className }: TemplateFieldsProps) {
  const listId = useId();
  const setParameters = (parameters: string[]) => onChange({ ...template, parameters });
  return (
    <div className={className}>
      <TextField
        label="Template name"
        name="templateName"
        autoComplete="off"
        hint="An approved template of the WhatsApp account, e.g. order_update"
        value={template.name}
        error={errors.name}
        onChange={(e) => onChange({ ...template, name: e.target.value })}
      />
      <TextField
        label="Language code"
        name="templateLanguage"
        autoComplete="off"
        hint="The template’s language, e.g. en_US"
        value={template.language}
        error={errors.language}
        onChange={(e) => onChange({ ...template, language: e.target.value })}
      />
      <fieldset className="composer__parameters" aria-describedby={listId}>
        <legend>Parameters</legend>
        <p className="field__hint" id={listId}>
          The values of {'{{1}}'}, {'{{2}}'}… in the template’s body, in order{parameterHint ? '; ' : '.'}
          {parameterHint}
        </p>
        {template.parameters.map((value, index) => (
          // Parameters are positional: the index is their identity.
          <div key={index} className="composer__parameter">
            <TextField
              label={`Parameter ${index + 1}`}
              autoComplete="off"
              value={value}
              error={errors.parameters && value.trim() === '' ? 'Fill this in or remove it.' : undefined}
              onChange={(e) => setParameters(template.parameters.map((p, i) => (i === index ? e.target.value : p)))}
            />
            <Button
              variant="secondary"
              aria-label={`Remove parameter ${index + 1}`}
              onClick={() => setParameters(template.parameters.filter((_, i) => i !== index))}
            >
              Remove
            </Button>
          </div>
        ))}
        <div>
          <Button variant="secondary" onClick={() => setParameters([...template.parameters, ''])}>
            Add parameter
          </Button>
        </div>
      </fieldset>
    </div>
  );
}
