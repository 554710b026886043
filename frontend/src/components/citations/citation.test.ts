import { citationSchema, citedSegments, clampExcerpt, formatScore, type Citation } from './citation';

const cite = (id: number, answerPart: string, extra: Partial<Citation> = {}): Citation => ({
  id,
  source: `s3://wecare-knowledge-base/doc-${id}.md`,
  title: `doc-${id}.md`,
  excerpt: `passage ${id}`,
  score: null,
  answerPart,
  ...extra,
});

const shape = (segments: ReturnType<typeof citedSegments>) => segments.map((s) => [s.text, s.citations.map((c) => c.id)]);

describe('citationSchema', () => {
  it('reads the contract’s example, with or without a score', () => {
    const example = {
      id: 1,
      source: 's3://wecare-knowledge-base/returns-policy.md',
      title: 'returns-policy.md',
      excerpt: 'Unused items can be returned within 30 days.',
      score: 0.82,
      answerPart: 'You can return unused items within 30 days.',
    };
    expect(citationSchema.parse(example)).toEqual(example);
    expect(citationSchema.parse({ ...example, score: null }).score).toBeNull();
    expect(citationSchema.safeParse({ ...example, score: undefined }).success).toBe(false);
  });
});

describe('citedSegments', () => {
  it('puts each marker right after the part of the text its source supports', () => {
    const text = 'We open at 9. Returns take 30 days. Thanks!';
    expect(shape(citedSegments(text, [cite(1, 'We open at 9.'), cite(2, 'Returns take 30 days.')]))).toEqual([
      ['We open at 9.', [1]],
      [' Returns take 30 days.', [2]],
      [' Thanks!', []],
    ]);
  });

  it('gives sources that support the same part one place, in their order', () => {
    expect(shape(citedSegments('Returns take 30 days.', [cite(2, 'Returns take 30 days.'), cite(1, 'Returns take 30 days.')]))).toEqual([
      ['Returns take 30 days.', [1, 2]],
    ]);
  });

  it('orders the markers by where their parts end, whatever order the sources come in', () => {
    expect(shape(citedSegments('A first. B second.', [cite(1, 'B second.'), cite(2, 'A first.')]))).toEqual([
      ['A first.', [2]],
      [' B second.', [1]],
    ]);
  });

  it('puts a source whose part is empty or not in the text at the end, so it stays reachable', () => {
    expect(shape(citedSegments('Hello there.', [cite(1, 'not in it'), cite(2, '  ')]))).toEqual([['Hello there.', [1, 2]]]);
  });

  it('finds a part with spaces around it, and leaves the text whole without sources', () => {
    expect(shape(citedSegments('Hi. Open at 9.', [cite(1, ' Open at 9. ')]))).toEqual([
      ['Hi. Open at 9.', [1]],
    ]);
    expect(shape(citedSegments('Just text.', []))).toEqual([['Just text.', []]]);
    expect(shape(citedSegments('', []))).toEqual([['', []]]);
  });

  it('keeps every character of the text, in order', () => {
    const text = 'One. Two. Three. Four.';
    const segments = citedSegments(text, [cite(1, 'Three.'), cite(2, 'One.'), cite(3, 'missing')]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
    expect(segments.flatMap((s) => s.citations.map((c) => c.id)).sort()).toEqual([1, 2, 3]);
  });
});

describe('clampExcerpt and formatScore', () => {
  it('leaves a short passage whole and cuts a long one at a word, with an ellipsis', () => {
    expect(clampExcerpt('  short  ')).toEqual({ text: 'short', clamped: false });
    const long = 'word '.repeat(100);
    const { text, clamped } = clampExcerpt(long, 50);
    expect(clamped).toBe(true);
    expect(text).toMatch(/^(word ){9}word…$/);
  });

  it('says a score with two decimals, and nothing when unknown', () => {
    expect(formatScore(0.8234)).toBe('0.82');
    expect(formatScore(1)).toBe('1.00');
    expect(formatScore(null)).toBeNull();
    expect(formatScore(Number.NaN)).toBeNull();
  });
});
