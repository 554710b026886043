import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Citation } from './citation';
import { CitedText } from './CitedText';

const hours: Citation = {
  id: 1,
  source: 's3://wecare-knowledge-base/opening-hours.md',
  title: 'opening-hours.md',
  excerpt: 'We are open Monday to Saturday, 9:00 to 18:00.',
  score: 0.91,
  answerPart: 'We are open Monday to Saturday, 9:00 to 18:00.',
};
const returns: Citation = {
  id: 2,
  source: 's3://wecare-knowledge-base/returns-policy.md',
  title: 'returns-policy.md',
  excerpt: `${'Unused items can be returned within 30 days of delivery. '.repeat(8)}Refunds take five working days.`,
  score: null,
  answerPart: 'Returns are free.',
};
const TEXT = 'We are open Monday to Saturday, 9:00 to 18:00. Returns are free.';

function renderText() {
  const user = userEvent.setup();
  const view = render(<CitedText text={TEXT} citations={[hours, returns]} label="Answer" />);
  return { user, ...view };
}

describe('CitedText', () => {
  it('shows the text with a numbered marker after each supported part, each a closed disclosure', () => {
    const { container } = renderText();
    expect(container.querySelector('.cited__text')).toHaveTextContent('We are open Monday to Saturday, 9:00 to 18:00.[1] Returns are free.[2]');
    const first = screen.getByRole('button', { name: 'Source 1: opening-hours.md' });
    expect(first).toHaveAttribute('aria-expanded', 'false');
    expect(first).toHaveTextContent('[1]');
    expect(screen.getByRole('button', { name: 'Source 2: returns-policy.md' })).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByText(hours.excerpt)).not.toBeInTheDocument();
  });

  it('opens a source on click: its title, score, passage and address; a second click closes it', async () => {
    const { user } = renderText();
    const marker = screen.getByRole('button', { name: 'Source 1: opening-hours.md' });
    await user.click(marker);
    expect(marker).toHaveAttribute('aria-expanded', 'true');
    const panel = screen.getByRole('group', { name: 'Answer, source 1' });
    expect(marker).toHaveAttribute('aria-controls', panel.id);
    expect(panel).toHaveTextContent('[1] opening-hours.md · relevance 0.91');
    expect(within(panel).getByText(hours.excerpt)).toBeInTheDocument();
    expect(panel).toHaveTextContent('s3://wecare-knowledge-base/opening-hours.md');
    await user.click(marker);
    expect(marker).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('group', { name: 'Answer, source 1' })).not.toBeInTheDocument();
  });

  it('works from the keyboard: Enter opens, Escape closes and puts focus back on the marker', async () => {
    const { user } = renderText();
    await user.tab();
    expect(screen.getByRole('button', { name: 'Source 1: opening-hours.md' })).toHaveFocus();
    await user.tab();
    const marker = screen.getByRole('button', { name: 'Source 2: returns-policy.md' });
    expect(marker).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(marker).toHaveAttribute('aria-expanded', 'true');
    // No score known: none said.
    expect(screen.getByRole('group', { name: 'Answer, source 2' })).not.toHaveTextContent('relevance');
    await user.tab();
    expect(screen.getByRole('button', { name: 'Show the whole passage' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(marker).toHaveAttribute('aria-expanded', 'false');
    expect(marker).toHaveFocus();
  });

  it('shows the start of a long passage, the whole of it on request, and one source at a time', async () => {
    const { user } = renderText();
    await user.click(screen.getByRole('button', { name: 'Source 2: returns-policy.md' }));
    const panel = screen.getByRole('group', { name: 'Answer, source 2' });
    const passage = panel.querySelector('blockquote');
    expect(passage?.textContent).toMatch(/…$/);
    expect(passage).not.toHaveTextContent('Refunds take five working days.');
    const more = within(panel).getByRole('button', { name: 'Show the whole passage' });
    expect(more).toHaveAttribute('aria-expanded', 'false');
    await user.click(more);
    expect(passage).toHaveTextContent('Refunds take five working days.');
    expect(within(panel).getByRole('button', { name: 'Show less of the passage' })).toHaveAttribute('aria-expanded', 'true');

    await user.click(screen.getByRole('button', { name: 'Source 1: opening-hours.md' }));
    expect(screen.getByRole('button', { name: 'Source 2: returns-policy.md' })).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByRole('group', { name: 'Answer, source 1' })).toBeInTheDocument();
        await user.click(screen.getByRole('button', { name: 'Close source 1' }));
    expect(screen.getByRole('button', { name: 'Source 1: opening-hours.md' })).toHaveFocus();
    expect(screen.queryByRole('group')).not.toBeInTheDocument();
  });
});
