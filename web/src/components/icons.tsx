import type { ReactNode } from 'react';
import type { AreaId } from '../areas.ts';

// Stroke icons drawn for this UI (16px grid); decorative, so hidden from assistive technology.
function Icon({ children, size = 16 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

const areaPaths: Record<AreaId, ReactNode> = {
  measure: (
    <>
      <path d="M2.5 11.5a5.5 5.5 0 0 1 11 0" />
      <path d="M8 11.5l2.5-3.5" />
    </>
  ),
  reward: (
    <>
      <circle cx="8" cy="6" r="3.5" />
      <path d="M5.8 8.8 5 14l3-1.5 3 1.5-.8-5.2" />
    </>
  ),
  forecast: (
    <>
      <path d="M2.5 12.5 6 8.5l2.5 2 5-6" />
      <path d="M10.5 4.5h3v3" />
    </>
  ),
  plan: (
    <>
      <circle cx="8" cy="8" r="5.5" />
      <circle cx="8" cy="8" r="2.5" />
      <circle cx="8" cy="8" r=".5" fill="currentColor" />
    </>
  ),
  improve: (
    <>
      <path d="M6 12.5h4M6.8 14.5h2.4" />
      <path d="M5.8 10.5C4.4 9.6 3.5 8.1 3.5 6.5a4.5 4.5 0 0 1 9 0c0 1.6-.9 3.1-2.3 4v.5H5.8v-.5Z" />
    </>
  ),
  data: (
    <>
      <ellipse cx="8" cy="4" rx="5" ry="1.8" />
      <path d="M3 4v8c0 1 2.2 1.8 5 1.8s5-.8 5-1.8V4" />
      <path d="M3 8c0 1 2.2 1.8 5 1.8S13 9 13 8" />
    </>
  ),
};

export function AreaIcon({ area, size }: { area: AreaId; size?: number }) {
  return <Icon size={size}>{areaPaths[area]}</Icon>;
}

export function UploadIcon() {
  return (
    <Icon size={20}>
      <path d="M8 10.5V2.5M5 5.5l3-3 3 3" />
      <path d="M2.5 10v2.5a1 1 0 0 0 1 1h9a1 1 0 0 0 1-1V10" />
    </Icon>
  );
}

export function FileIcon() {
  return (
    <Icon>
      <path d="M9 1.8H4.5a1 1 0 0 0-1 1v10.4a1 1 0 0 0 1 1h7a1 1 0 0 0 1-1V5.3L9 1.8Z" />
      <path d="M9 1.8v3.5h3.5" />
    </Icon>
  );
}

export function ChevronIcon({ open }: { open: boolean }) {
  return (
    <Icon size={14}>
      <path d={open ? 'M4 6l4 4 4-4' : 'M6 4l4 4-4 4'} />
    </Icon>
  );
}

export function CloseIcon() {
  return (
    <Icon size={14}>
      <path d="M4 4l8 8M12 4l-8 8" />
    </Icon>
  );
}

export function CheckIcon() {
  return (
    <Icon size={14}>
      <path d="M3 8.5l3 3 7-7" />
    </Icon>
  );
}

export function AlertIcon() {
  return (
    <Icon size={18}>
      <circle cx="8" cy="8" r="6" />
      <path d="M8 5v3.5M8 11v.01" />
    </Icon>
  );
}

export function UsersIcon() {
  return (
    <Icon>
      <circle cx="6" cy="5.5" r="2.5" />
      <path d="M1.5 13.5c0-2.5 2-4 4.5-4s4.5 1.5 4.5 4" />
      <path d="M10.5 3.2a2.5 2.5 0 0 1 0 4.6M12 9.8c1.5.5 2.5 1.8 2.5 3.7" />
    </Icon>
  );
}

export function AuditIcon() {
  return (
    <Icon>
      <path d="M4 1.8h8a1 1 0 0 1 1 1v10.4a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V2.8a1 1 0 0 1 1-1Z" />
      <path d="M5.5 5h5M5.5 8h5M5.5 11h3" />
    </Icon>
  );
}

export function KeyIcon() {
  return (
    <Icon>
      <circle cx="5" cy="11" r="2.8" />
      <path d="M7 9l6.5-6.5M11 5l2 2M9.5 6.5l1.5 1.5" />
    </Icon>
  );
}

export function LockIcon() {
  return (
    <Icon>
      <rect x="3" y="7" width="10" height="7" rx="1.5" />
      <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
    </Icon>
  );
}

export function SignOutIcon() {
  return (
    <Icon>
      <path d="M6 2.5H3.5a1 1 0 0 0-1 1v9a1 1 0 0 0 1 1H6" />
      <path d="M10.5 5l3 3-3 3M13.5 8H6.5" />
    </Icon>
  );
}

export function PersonIcon() {
  return (
    <Icon>
      <circle cx="8" cy="5.5" r="3" />
      <path d="M2.5 14c0-3 2.5-4.8 5.5-4.8s5.5 1.8 5.5 4.8" />
    </Icon>
  );
}

export function CopyIcon() {
  return (
    <Icon size={14}>
      <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
      <path d="M10.5 5.5V3.5a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h2" />
    </Icon>
  );
}

export function DownloadIcon() {
  return (
    <Icon size={14}>
      <path d="M8 2.5v8M5 7.5l3 3 3-3" />
      <path d="M2.5 11v1.5a1 1 0 0 0 1 1h9a1 1 0 0 0 1-1V11" />
    </Icon>
  );
}

export function ArrowLeftIcon() {
  return (
    <Icon size={14}>
      <path d="M13 8H3M7 4 3 8l4 4" />
    </Icon>
  );
}
