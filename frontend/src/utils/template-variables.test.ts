import type { TemplateEntry } from '@/lib/whatsapp-templates';
import {
  bulkToken,
  contactValue,
  describeTemplateProblem,
  detectVariables,
  fillTemplateText,
  hasStrayBraces,
  prefilledParameters,
  renderTemplateText,
  templateProblems,
  valuesOf,
  variableLabel,
  variablesIn,
} from './template-variables';

const values = (map: Record<string, string>) => (name: string) => map[name];

describe('variablesIn', () => {
  it('finds positional and named variables in order of first use, once each', () => {
    expect(variablesIn('Hi {{1}}, your order {{2}} ships {{3}}. Thanks {{1}}!')).toEqual(['1', '2', '3']);
    expect(variablesIn('Hello {{first_name}}, {{order_id}} is ready')).toEqual(['first_name', 'order_id']);
    expect(variablesIn('{{2}} before {{1}}')).toEqual(['2', '1']);
  });

  it('keeps what is between the braces as written, spaces and empties included', () => {
    expect(variablesIn('a {{ 1 }} b {{}} c {{First Name}}')).toEqual([' 1 ', '', 'First Name']);
  });

  it('finds nothing in plain text or in single or unbalanced braces', () => {
    expect(variablesIn('')).toEqual([]);
    expect(variablesIn('No variables here')).toEqual([]);
    expect(variablesIn('{1} and {{2} and {3}}')).toEqual([]);
  });

  it('takes the innermost braces of nested ones', () => {
    expect(variablesIn('{{{1}}}')).toEqual(['1']);
    expect(variablesIn('{{a{{b}}')).toEqual(['b']);
  });
});

describe('hasStrayBraces', () => {
  it('accepts well-formed variables and text without braces', () => {
    expect(hasStrayBraces('Hi {{1}}, see {{first_name}}')).toBe(false);
    expect(hasStrayBraces('plain { text }')).toBe(false);
  });

  it('finds a brace pair that does not close a variable', () => {
    expect(hasStrayBraces('Hi {{1}')).toBe(true);
    expect(hasStrayBraces('Hi {1}}')).toBe(true);
    expect(hasStrayBraces('Hi {{name')).toBe(true);
    expect(hasStrayBraces('{{a{{b}}')).toBe(true);
    expect(hasStrayBraces('{{{1}}}')).toBe(false);
  });
});

describe('detectVariables', () => {
  it('lists the header’s variables first, then the body’s, like the API', () => {
    expect(detectVariables({ headerText: 'Order {{1}}', body: 'Hi {{1}}, it ships {{2}}.' })).toEqual([
      { name: '1', component: 'HEADER' },
      { name: '1', component: 'BODY' },
      { name: '2', component: 'BODY' },
    ]);
    expect(detectVariables({ headerText: null, body: 'Hi {{name}}.' })).toEqual([{ name: 'name', component: 'BODY' }]);
    expect(detectVariables({ body: 'None' })).toEqual([]);
  });
});

describe('variableLabel', () => {
  it('names body variables by their braces and header ones with “Header”', () => {
    expect(variableLabel({ name: '1', component: 'BODY' })).toBe('{{1}}');
    expect(variableLabel({ name: 'first_name', component: 'BODY' })).toBe('{{first_name}}');
    expect(variableLabel({ name: '1', component: 'HEADER' })).toBe('Header {{1}}');
  });
});

describe('fillTemplateText', () => {
  it('cuts text into plain parts, filled values and missing variables', () => {
    expect(fillTemplateText('Hi {{1}}, order {{2}} ships.', values({ '1': 'Ada' }))).toEqual([
      { kind: 'text', text: 'Hi ' },
      { kind: 'value', name: '1', value: 'Ada' },
      { kind: 'text', text: ', order ' },
      { kind: 'missing', name: '2' },
      { kind: 'text', text: ' ships.' },
    ]);
  });

  it('treats a blank value as missing, and fills every use of a variable', () => {
    expect(fillTemplateText('{{a}}{{a}}', values({ a: '  ' }))).toEqual([
      { kind: 'missing', name: 'a' },
      { kind: 'missing', name: 'a' },
    ]);
    expect(renderTemplateText('{{a}} and {{a}}', values({ a: 'x' }))).toBe('x and x');
  });

  it('leaves text without variables whole, and unfilled variables as written', () => {
    expect(fillTemplateText('Plain', () => undefined)).toEqual([{ kind: 'text', text: 'Plain' }]);
    expect(fillTemplateText('', () => undefined)).toEqual([]);
    expect(renderTemplateText('Hi {{1}}, {{2}}', values({ '2': 'bye' }))).toBe('Hi {{1}}, bye');
  });
});

describe('valuesOf', () => {
  const variables = [
    { name: '1', component: 'HEADER' },
    { name: '1', component: 'BODY' },
    { name: '2', component: 'BODY' },
  ];

  it('looks values up by component and name, in the order of the variables', () => {
    const parameters = ['A-42', 'Ada', 'Friday'];
    expect(valuesOf(variables, parameters, 'HEADER')('1')).toBe('A-42');
    expect(valuesOf(variables, parameters, 'BODY')('1')).toBe('Ada');
    expect(valuesOf(variables, parameters, 'BODY')('2')).toBe('Friday');
    expect(valuesOf(variables, parameters, 'HEADER')('2')).toBeUndefined();
    expect(valuesOf(variables, ['x'], 'BODY')('2')).toBeUndefined();
  });
});

describe('contact values', () => {
  const contact = { name: '  Ada   King Lovelace ', phone: '+919876543210', email: 'ada@example.com' };

  it('fills name, first_name (the first word), phone and email', () => {
    expect(contactValue('name', contact)).toBe('Ada   King Lovelace');
    expect(contactValue('first_name', contact)).toBe('Ada');
    expect(contactValue('phone', contact)).toBe('+919876543210');
    expect(contactValue('email', contact)).toBe('ada@example.com');
  });

  it('fills nothing for other names, or fields the contact lacks', () => {
    expect(contactValue('order_id', contact)).toBeUndefined();
    expect(contactValue('Name', contact)).toBeUndefined();
    expect(contactValue('first_name', { name: '   ' })).toBeUndefined();
    expect(contactValue('email', { name: 'Ada' })).toBeUndefined();
    expect(contactValue('phone', { phone: null })).toBeUndefined();
  });

  it('offers the bulk placeholders a recipient fills from their contact', () => {
    expect(bulkToken('name')).toBe('{{name}}');
    expect(bulkToken('phone')).toBe('{{phone}}');
    expect(bulkToken('email')).toBe('{{email}}');
    expect(bulkToken('first_name')).toBeUndefined();
    expect(bulkToken('1')).toBeUndefined();
  });
});

describe('prefilledParameters', () => {
  const named = {
    parameterFormat: 'NAMED',
    variables: [
      { name: 'first_name', component: 'HEADER' },
      { name: 'order_id', component: 'BODY' },
      { name: 'email', component: 'BODY' },
    ],
  };

  it('prefills named variables named for a contact field, in variables order, and leaves the rest blank', () => {
    expect(prefilledParameters(named, (v) => contactValue(v, { name: 'Ada Lovelace', email: 'ada@example.com' }))).toEqual([
      'Ada',
      '',
      'ada@example.com',
    ]);
  });

  it('never prefills positional variables', () => {
    const positional = { parameterFormat: 'POSITIONAL', variables: [{ name: '1', component: 'BODY' }] };
    expect(prefilledParameters(positional, () => 'x')).toEqual(['']);
    expect(prefilledParameters({ parameterFormat: 'NAMED', variables: [] }, () => 'x')).toEqual([]);
  });
});

describe('templateProblems', () => {
  const entry = (header: TemplateEntry['header'], names: string[] = ['1', '2']): Pick<TemplateEntry, 'variables' | 'header'> => ({
    header,
    variables: names.map((name) => ({ name, component: 'BODY' })),
  });

  it('is empty when every variable has a value and no media is needed', () => {
    expect(templateProblems(entry(null), { parameters: ['a', 'b'] })).toEqual([]);
    expect(templateProblems(entry({ format: 'TEXT', text: 'Hi' }, []), { parameters: [] })).toEqual([]);
  });

  it('names each blank or absent value by its place', () => {
    const problems = templateProblems(entry(null, ['1', '2', '3']), { parameters: ['a', '  '] });
    expect(problems.map((p) => (p.kind === 'parameter' ? p.index : -1))).toEqual([1, 2]);
    expect(problems.map(describeTemplateProblem)).toEqual(['Fill in {{2}}.', 'Fill in {{3}}.']);
  });

  it('wants the header’s media uploaded when the header is an image, video or document', () => {
    for (const format of ['IMAGE', 'VIDEO', 'DOCUMENT']) {
      const problems = templateProblems(entry({ format }, []), { parameters: [] });
      expect(problems).toEqual([{ kind: 'headerMedia', format }]);
      expect(templateProblems(entry({ format }, []), { parameters: [], headerMediaId: 'media/k1' })).toEqual([]);
    }
    expect(describeTemplateProblem({ kind: 'headerMedia', format: 'DOCUMENT' })).toBe('Upload the header’s document.');
    expect(describeTemplateProblem({ kind: 'parameter', index: 0, variable: { name: '1', component: 'HEADER' } })).toBe('Fill in Header {{1}}.');
  });
});
