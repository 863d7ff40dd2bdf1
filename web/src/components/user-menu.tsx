import { useEffect, useId, useRef, useState } from 'react';
import { roleLabels } from '../api.ts';
import { Link, usePathname } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ChevronIcon, KeyIcon, LockIcon, PersonIcon, SignOutIcon } from './icons.tsx';

function initialsOf(name: string): string {
  const parts = name.trim().split(/\s+/);
  return (
    (parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')
  ).toUpperCase();
}

/**
 * The signed-in user's name and role, opening their account links (a disclosure: Enter or Space
 * opens it, Escape closes it and returns focus to the button, arrows move between its items).
 */
export function UserMenu() {
  const { user, signOut } = useSession();
  const pathname = usePathname();
  const id = useId();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const items = () => Array.from(panel.current?.querySelectorAll<HTMLElement>('a, button') ?? []);

  return (
    <div
      className="user-menu"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.preventDefault();
          setOpen(false);
          button.current?.focus();
        } else if (open && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
          event.preventDefault();
          const list = items();
          const index = list.indexOf(document.activeElement as HTMLElement);
          const next = event.key === 'ArrowDown' ? index + 1 : index - 1;
          list[(next + list.length) % list.length]?.focus();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className="user-button"
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        onClick={() => setOpen(!open)}
        data-testid="user-menu-button"
      >
        <span className="avatar" aria-hidden="true">
          {initialsOf(user.name)}
        </span>
        <span className="user-text">
          <span className="user-name">{user.name}</span>
          <span className="user-role">{roleLabels[user.role]}</span>
        </span>
        <ChevronIcon open={open} />
        <span className="visually-hidden">: account menu</span>
      </button>
      <div ref={panel} id={`${id}-panel`} className="user-panel" hidden={!open}>
        <p className="user-panel-email">
          Signed in as <strong>{user.email}</strong>
        </p>
        <ul>
          {user.personId !== null && (
            <li>
              <Link to="/measure" className="menu-item">
                <PersonIcon /> My scorecard
              </Link>
            </li>
          )}
          <li>
            <Link to="/account/tokens" className="menu-item">
              <KeyIcon /> API tokens
            </Link>
          </li>
          <li>
            <Link to="/account/password" className="menu-item">
              <LockIcon /> Change password
            </Link>
          </li>
          <li className="menu-separator">
            <button type="button" className="menu-item" onClick={() => void signOut()}>
              <SignOutIcon /> Sign out
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}
