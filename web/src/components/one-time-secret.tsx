import { useId, useRef, useState } from 'react';
import { CheckIcon, CopyIcon } from './icons.tsx';

/**
 * A secret the server shows once (a set-up link, an API token): a read-only field, a copy button,
 * and the warning that it cannot be shown again.
 */
export function OneTimeSecret({
  label,
  value,
  note,
  onDone,
  testId,
}: {
  label: string;
  value: string;
  note: string;
  onDone?: () => void;
  testId?: string;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard permission (an http origin, a locked-down browser): select it for Ctrl+C.
      input.current?.select();
      setCopied(document.execCommand?.('copy') ? 'yes' : 'failed');
    }
  };

  return (
    <div className="secret" data-testid={testId}>
      <label htmlFor={id} className="secret-label">
        {label}
      </label>
      <div className="secret-row">
        <input
          ref={input}
          id={id}
          className="input input-mono"
          readOnly
          value={value}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button button-secondary" onClick={() => void copy()}>
          {copied === 'yes' ? <CheckIcon /> : <CopyIcon />}
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
        {onDone && (
          <button type="button" className="button button-ghost" onClick={onDone}>
            Done
          </button>
        )}
      </div>
      <p className="secret-note">{note}</p>
      <p className="visually-hidden" role="status">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'Select the text and copy it.'
            : ''}
      </p>
    </div>
  );
}
