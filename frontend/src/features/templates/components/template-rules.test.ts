import {
  buttonPhoneNumberError,
  buttonUrlError,
  buttonUrlExampleError,
  edgeVariableError,
  emptyForm,
  hasUrlVariable,
  languageError,
  libraryButtonErrors,
  libraryButtonsOf,
  libraryButtonTargets,
  nameError,
  requestOf,
  sampleNames,
  validateTemplate,
  variableError,
  type FormButton,
  type LibraryButtonTarget,
  type TemplateForm,
} from './template-rules';

const form = (change: Partial<TemplateForm> = {}): TemplateForm => ({ ...emptyForm, name: 'order_update', body: 'Your order has shipped.', ...change });
const button = (change: Partial<FormButton> = {}): FormButton => ({ type: 'QUICK_REPLY', text: 'Thanks', url: '', phoneNumber: '', ...change });

describe('nameError', () => {
  it('accepts lowercase letters, digits and underscores', () => {
    expect(nameError('order_update')).toBeUndefined();
    expect(nameError('a')).toBeUndefined();
    expect(nameError('promo_2026_q4')).toBeUndefined();
    expect(nameError('x'.repeat(512))).toBeUndefined();
  });

  it('says what is wrong with anything else', () => {
    expect(nameError('')).toBe('Enter a name, e.g. order_update.');
    expect(nameError('Order_Update')).toMatch(/^Use only lowercase letters, digits and underscores/);
    expect(nameError('order-update')).toMatch(/^Use only lowercase/);
    expect(nameError('order update')).toMatch(/^Use only lowercase/);
    expect(nameError('commande_été')).toMatch(/^Use only lowercase/);
    expect(nameError('x'.repeat(513))).toBe('Shorten the name to 512 characters or fewer.');
  });
});

describe('languageError', () => {
  it('accepts WhatsApp’s language codes', () => {
    for (const code of ['en', 'en_US', 'pt_BR', 'zh_CN', 'es_419', 'fil']) expect(languageError(code)).toBeUndefined();
  });

  it('refuses a blank or malformed code', () => {
    expect(languageError(' ')).toBe('Choose a language.');
    expect(languageError('english')).toMatch(/language code such as/);
    expect(languageError('en-US')).toMatch(/language code such as/);
    expect(languageError('EN_us')).toMatch(/language code such as/);
  });
});

describe('variableError', () => {
  it('accepts positional variables numbered from 1 without gaps, in any order and repeated', () => {
    expect(variableError('Hi {{1}}, order {{2}}.', 'POSITIONAL')).toBeUndefined();
    expect(variableError('{{2}} then {{1}} then {{1}}', 'POSITIONAL')).toBeUndefined();
    expect(variableError('No variables', 'POSITIONAL')).toBeUndefined();
  });

  it('names the first missing number', () => {
    expect(variableError('Hi {{2}}.', 'POSITIONAL')).toBe('Number the variables from {{1}} without gaps: {{1}} is missing.');
    expect(variableError('Hi {{1}} and {{3}}.', 'POSITIONAL')).toBe('Number the variables from {{1}} without gaps: {{2}} is missing.');
    expect(variableError('Hi {{0}} and {{1}}.', 'POSITIONAL')).toBe('Number the variables from {{1}}: there is no {{0}}.');
    expect(variableError('Hi {{01}} and {{2}}.', 'POSITIONAL')).toBeUndefined();
  });

  it('refuses names in a positional template, and spaces', () => {
    expect(variableError('Hi {{first_name}}.', 'POSITIONAL')).toBe('This template uses numbered variables ({{1}}, {{2}}…): write a number instead of {{first_name}}, or choose named variables.');
    expect(variableError('Hi {{ 1 }}.', 'POSITIONAL')).toBe('{{ 1 }} is not a numbered variable: write {{1}}, {{2}}… without spaces.');
  });

  it('accepts lowercase names in a named template, and refuses numbers or other names', () => {
    expect(variableError('Hi {{first_name}}, {{order_2}} is ready.', 'NAMED')).toBeUndefined();
    expect(variableError('Hi {{1}}.', 'NAMED')).toBe('This template uses named variables ({{first_name}}): give {{1}} a name, or choose numbered variables.');
    expect(variableError('Hi {{FirstName}}.', 'NAMED')).toBe('{{FirstName}} is not a valid name: use lowercase letters, digits and underscores, e.g. {{first_name}}.');
    expect(variableError('Hi {{first name}}.', 'NAMED')).toMatch(/is not a valid name/);
    expect(variableError('Hi {{2nd}}.', 'NAMED')).toMatch(/is not a valid name/);
  });

  it('refuses empty variables and unbalanced braces', () => {
    expect(variableError('Hi {{}}.', 'POSITIONAL')).toMatch(/^A variable is empty/);
    expect(variableError('Hi {{1}.', 'POSITIONAL')).toMatch(/^A variable is not written right/);
    expect(variableError('Hi {{name', 'NAMED')).toMatch(/^A variable is not written right/);
  });
});

describe('edgeVariableError', () => {
  it('refuses a body that starts or ends with a variable, spaces aside', () => {
    expect(edgeVariableError('{{1}}, your order shipped.')).toBe('The body cannot start with a variable: put some words before {{1}}.');
    expect(edgeVariableError('  {{name}} hi')).toBe('The body cannot start with a variable: put some words before {{name}}.');
    expect(edgeVariableError('Your code is {{1}}')).toBe('The body cannot end with a variable: put some words or a full stop after {{1}}.');
    expect(edgeVariableError('Your code is {{1}}\n ')).toMatch(/cannot end/);
  });

  it('accepts variables inside the text', () => {
    expect(edgeVariableError('Your code is {{1}}.')).toBeUndefined();
    expect(edgeVariableError('Hi {{1}}, bye')).toBeUndefined();
    expect(edgeVariableError('No variables')).toBeUndefined();
  });
});

describe('sampleNames', () => {
  it('lists each variable once, the header’s first, and ignores a header that is not text', () => {
    expect(sampleNames({ header: 'TEXT', headerText: 'Order {{1}}', body: 'Hi {{1}}, it ships {{2}}.' })).toEqual(['1', '2']);
    expect(sampleNames({ header: 'TEXT', headerText: 'For {{first_name}}', body: 'Order {{order_id}} is ready.' })).toEqual(['first_name', 'order_id']);
    expect(sampleNames({ header: 'IMAGE', headerText: 'Order {{9}}', body: 'Hi {{1}}.' })).toEqual(['1']);
  });
});

describe('validateTemplate', () => {
  it('accepts a complete template', () => {
    expect(validateTemplate(form())).toEqual({});
    expect(
      validateTemplate(
        form({
          header: 'TEXT',
          headerText: 'Order {{1}}',
          body: 'Hi {{1}}, your order ships on {{2}}.',
          footer: 'WECARE.DIGITAL',
          samples: { '1': 'A-42', '2': 'Friday' },
          buttons: [button(), button({ type: 'URL', text: 'Track', url: 'https://wecare.digital/track' }), button({ type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+91 93309 94400' })],
        }),
      ),
    ).toEqual({});
  });

  it('checks the name, language and body', () => {
    const errors = validateTemplate(form({ name: 'Bad Name', language: '', body: '  ' }));
    expect(errors).toEqual({
      name: expect.stringMatching(/^Use only lowercase/) as string,
      language: 'Choose a language.',
      body: 'Write the message’s body.',
    });
  });

  it('limits the body to 1024 characters, counting emoji as one', () => {
    expect(validateTemplate(form({ body: `${'a'.repeat(1023)}😀` }))).toEqual({});
    expect(validateTemplate(form({ body: 'a'.repeat(1025) })).body).toBe('Shorten the body to 1,024 characters or fewer (it has 1,025).');
  });

  it('checks the body’s variables, then where they stand', () => {
    expect(validateTemplate(form({ body: 'Hi {{2}}.', samples: { '2': 'x' } })).body).toBe('Number the variables from {{1}} without gaps: {{1}} is missing.');
    expect(validateTemplate(form({ body: '{{1}} is ready.', samples: { '1': 'x' } })).body).toMatch(/cannot start with a variable/);
    expect(validateTemplate(form({ parameterFormat: 'NAMED', body: 'Hi {{first_name}}', samples: { first_name: 'Ada' } })).body).toMatch(/cannot end/);
  });

  it('wants a sample for every variable', () => {
    const errors = validateTemplate(form({ header: 'TEXT', headerText: 'Order {{1}}', body: 'Hi {{1}}, it ships {{2}}.', samples: { '1': 'A-42', '2': ' ' } }));
    expect(errors).toEqual({ 'sample.2': 'Give a sample for {{2}}: WhatsApp’s reviewers read it.' });
  });

  it('checks the header text: present, 60 characters, one variable', () => {
    expect(validateTemplate(form({ header: 'TEXT', headerText: '' })).headerText).toBe('Write the header’s text, or choose no header.');
    expect(validateTemplate(form({ header: 'TEXT', headerText: 'x'.repeat(61) })).headerText).toBe('Shorten the header to 60 characters or fewer.');
    expect(validateTemplate(form({ header: 'TEXT', headerText: 'x'.repeat(60) })).headerText).toBeUndefined();
    expect(validateTemplate(form({ header: 'TEXT', headerText: '{{1}} and {{2}}', samples: { '1': 'a', '2': 'b' } })).headerText).toBe(
      'The header may have one variable at most.',
    );
    expect(validateTemplate(form({ header: 'TEXT', headerText: 'Order {{2}}', samples: { '2': 'a' } })).headerText).toContain('{{1}} is missing');
    // A header that is not text has no text to check.
    expect(validateTemplate(form({ header: 'IMAGE', headerText: '' }))).toEqual({});
  });

  it('checks the footer: 60 characters, no variables', () => {
    expect(validateTemplate(form({ footer: 'x'.repeat(61) })).footer).toBe('Shorten the footer to 60 characters or fewer.');
    expect(validateTemplate(form({ footer: 'Sent to {{1}}' })).footer).toBe('The footer cannot have variables.');
    expect(validateTemplate(form({ footer: 'x'.repeat(60) }))).toEqual({});
  });

  it('checks the buttons: at most 10, text of 25 characters, a web address or phone number when they need one', () => {
    expect(validateTemplate(form({ buttons: Array.from({ length: 11 }, () => button()) })).buttons).toBe('A template has 10 buttons at most: remove one.');
    expect(validateTemplate(form({ buttons: Array.from({ length: 12 }, () => button()) })).buttons).toBe('A template has 10 buttons at most: remove 2.');
    expect(validateTemplate(form({ buttons: Array.from({ length: 10 }, () => button()) }))).toEqual({});
    const errors = validateTemplate(
      form({
        buttons: [
          button({ text: '' }),
          button({ text: 'x'.repeat(26) }),
          button({ type: 'URL', text: 'Track', url: '' }),
          button({ type: 'URL', text: 'Track', url: 'wecare.digital' }),
          button({ type: 'PHONE_NUMBER', text: 'Call', phoneNumber: '' }),
          button({ type: 'PHONE_NUMBER', text: 'Call', phoneNumber: 'call me' }),
        ],
      }),
    );
    expect(errors).toEqual({
      'button.0.text': 'Write the button’s text.',
      'button.1.text': 'Shorten the button’s text to 25 characters or fewer.',
      'button.2.url': 'Enter the web address the button opens.',
      'button.3.url': 'Enter a full web address, starting with https://.',
      'button.4.phoneNumber': 'Enter the phone number the button calls.',
      'button.5.phoneNumber': 'Enter the number in international format, e.g. +91 93309 94400.',
    });
  });
});

describe('requestOf', () => {
  it('makes the API’s request: header, trimmed texts, samples of the variables only, buttons by kind', () => {
    const request = requestOf(
      form({
        language: 'en_GB',
        category: 'MARKETING',
        parameterFormat: 'NAMED',
        header: 'TEXT',
        headerText: ' Hi {{first_name}} ',
        body: ' Your order {{order_id}} ships today. ',
        footer: '  ',
        samples: { first_name: ' Ada ', order_id: 'A-42', stale: 'left over' },
        buttons: [button({ type: 'URL', text: ' Track ', url: ' https://x.test/t ', phoneNumber: '+1' }), button({ phoneNumber: '+1' })],
      }),
      'phone-1',
    );
    expect(request).toEqual({
      sender: 'phone-1',
      name: 'order_update',
      language: 'en_GB',
      category: 'MARKETING',
      parameterFormat: 'NAMED',
      header: { format: 'TEXT', text: 'Hi {{first_name}}' },
      body: 'Your order {{order_id}} ships today.',
      buttons: [
        { type: 'URL', text: 'Track', url: 'https://x.test/t' },
        { type: 'QUICK_REPLY', text: 'Thanks' },
      ],
      samples: { first_name: 'Ada', order_id: 'A-42' },
    });
  });

  it('leaves out what is not there, and sends a media header with its sample when uploaded', () => {
    expect(requestOf(form(), undefined)).toEqual({
      name: 'order_update',
      language: 'en_US',
      category: 'UTILITY',
      parameterFormat: 'POSITIONAL',
      body: 'Your order has shipped.',
      samples: {},
    });
    expect(requestOf(form({ header: 'IMAGE' }), undefined).header).toEqual({ format: 'IMAGE' });
    expect(requestOf(form({ header: 'DOCUMENT', headerMediaId: 'media/abc' }), undefined).header).toEqual({ format: 'DOCUMENT', mediaId: 'media/abc' });
  });
});

describe('buttonUrlError', () => {
  it('accepts an http(s) link of up to 2000 characters, which may end with {{1}}', () => {
    expect(buttonUrlError('https://wecare.example/orders')).toBeUndefined();
    expect(buttonUrlError('http://wecare.example')).toBeUndefined();
    expect(buttonUrlError(' https://wecare.example/o/{{1}} ')).toBeUndefined();
    expect(buttonUrlError('https://wecare.example/track?id={{1}}')).toBeUndefined();
    expect(buttonUrlError(`https://wecare.example/${'a'.repeat(2000 - 'https://wecare.example/'.length)}`)).toBeUndefined();
  });

  it('asks for a link when there is none', () => {
    expect(buttonUrlError('')).toBe('Enter the web address the button opens.');
    expect(buttonUrlError('   ')).toBe('Enter the web address the button opens.');
  });

  it('refuses anything but a full http(s) address', () => {
    for (const link of ['wecare.example/orders', 'ftp://wecare.example', 'HTTPS://wecare.example', 'https://', 'https:// wecare.example', 'https://wecare.example/my orders']) {
      expect(buttonUrlError(link), link).toBe('Enter a full web address, starting with https://.');
    }
  });

  it('refuses a link longer than 2000 characters', () => {
    expect(buttonUrlError(`https://wecare.example/${'a'.repeat(2000)}`)).toBe('Shorten the web address to 2,000 characters or fewer.');
  });

  it('refuses a variable other than a {{1}} at the very end', () => {
    const message = 'A link may have one variable only, {{1}}, at its very end.';
    expect(buttonUrlError('https://wecare.example/{{1}}/details')).toBe(message);
    expect(buttonUrlError('https://wecare.example/{{2}}')).toBe(message);
    expect(buttonUrlError('https://wecare.example/{{1}}{{1}}')).toBe(message);
    expect(buttonUrlError('https://wecare.example/{{order}}')).toBe(message);
    expect(buttonUrlError('https://{{1}}')).toBe('Enter a full web address, starting with https://.');
  });
});

describe('hasUrlVariable', () => {
  it('is true only when the link ends with {{1}}', () => {
    expect(hasUrlVariable('https://wecare.example/o/{{1}}')).toBe(true);
    expect(hasUrlVariable('https://wecare.example/o/{{1}}  ')).toBe(true);
    expect(hasUrlVariable('https://wecare.example/o/{{1}}/x')).toBe(false);
    expect(hasUrlVariable('https://wecare.example/o/')).toBe(false);
  });
});

describe('buttonUrlExampleError', () => {
  it('accepts a full http(s) link', () => {
    expect(buttonUrlExampleError('https://wecare.example/o/1234')).toBeUndefined();
    expect(buttonUrlExampleError('http://wecare.example/o/1234')).toBeUndefined();
  });

  it('refuses a blank, partial, braced or overlong sample', () => {
    expect(buttonUrlExampleError(' ')).toMatch(/^Give a sample link/);
    expect(buttonUrlExampleError('1234')).toBe('Enter a full web address, starting with https://.');
    expect(buttonUrlExampleError('https://wecare.example/o/{{1}}')).toMatch(/^Put a sample value in place of \{\{1\}\}/);
    expect(buttonUrlExampleError(`https://wecare.example/${'a'.repeat(2000)}`)).toBe('Shorten the sample link to 2,000 characters or fewer.');
  });
});

describe('buttonPhoneNumberError', () => {
  it('accepts E.164 numbers: + and 8 to 15 digits, not starting with 0', () => {
    for (const number of ['+14155550100', '+919876543210', '+12345678', '+123456789012345', ' +14155550100 ']) {
      expect(buttonPhoneNumberError(number), number).toBeUndefined();
    }
  });

  it('asks for a number when there is none', () => {
    expect(buttonPhoneNumberError('')).toBe('Enter the phone number the button calls.');
  });

  it('refuses anything else', () => {
    for (const number of ['14155550100', '+1234567', '+1234567890123456', '+04155550100', '+1 415 555 0100', '+1-415-555-0100', '+1415555010a']) {
      expect(buttonPhoneNumberError(number), number).toMatch(/^Enter the number in international form/);
    }
  });
});

describe('library button targets', () => {
  const target = (change: Partial<LibraryButtonTarget> = {}): LibraryButtonTarget => ({ type: 'URL', text: 'View order', sample: '', value: '', example: '', ...change });

  it('are the URL and call buttons of a library template, in order, with the library’s samples and nothing entered', () => {
    expect(
      libraryButtonTargets([
        { type: 'QUICK_REPLY', text: 'Confirm' },
        { type: 'URL', text: 'View order', url: 'https://www.example.com/{{1}}' },
        { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+15550051234' },
        { type: 'url', text: 'Track', url: null },
      ]),
    ).toEqual([
      { type: 'URL', text: 'View order', sample: 'https://www.example.com/{{1}}', value: '', example: '' },
      { type: 'PHONE_NUMBER', text: 'Call us', sample: '+15550051234', value: '', example: '' },
      { type: 'URL', text: 'Track', sample: '', value: '', example: '' },
    ]);
    expect(libraryButtonTargets([{ type: 'QUICK_REPLY', text: 'Stop' }])).toEqual([]);
  });

  it('have errors by position, the sample link’s only when the link ends with {{1}}', () => {
    expect(libraryButtonErrors([target(), target({ type: 'PHONE_NUMBER', text: 'Call us' })])).toEqual({
      'button.0.url': 'Enter the web address the button opens.',
      'button.1.phoneNumber': 'Enter the phone number the button calls.',
    });
    expect(libraryButtonErrors([target({ value: 'https://wecare.example/o/{{1}}' })])).toEqual({
      'button.0.urlExample': 'Give a sample link, with a value in place of {{1}}: WhatsApp’s reviewers open it.',
    });
    expect(libraryButtonErrors([target({ value: 'https://wecare.example/o', example: 'not a link' })])).toEqual({});
    expect(libraryButtonErrors([])).toEqual({});
  });

  it('make the request’s buttons in order, trimmed, with the sample link only for a link ending with {{1}}', () => {
    expect(
      libraryButtonsOf([
        target({ value: ' https://wecare.example/o/{{1}} ', example: ' https://wecare.example/o/1234 ' }),
        target({ value: 'https://wecare.example/help', example: 'left over' }),
        target({ type: 'PHONE_NUMBER', value: ' +14155550100 ' }),
      ]),
    ).toEqual([
      { type: 'URL', url: 'https://wecare.example/o/{{1}}', urlExample: 'https://wecare.example/o/1234' },
      { type: 'URL', url: 'https://wecare.example/help' },
      { type: 'PHONE_NUMBER', phoneNumber: '+14155550100' },
    ]);
  });
});
